"""A message the hub could not handle after every retry. It was acknowledged to its platform, so its sender must not
be left waiting: they get an apology with a reference to quote, and the supervisors an alert with the same reference
(on their own channels and in the alert rooms), so a person follows it up. An automatic message (an auto-reply, a
bounce) gets no apology; the supervisors still hear of it."""
from __future__ import annotations

from dataclasses import replace

from core.domain.people import PersonKind
from core.envelopes import Inbound, Outbound
from core.services.alerts import Audience
from handlers.base import Origin

QUOTED_CHARS = 500
"""How much of the message the alert quotes."""


def reference(inbox_id: int) -> str:
    """What the sender and the supervisors both see: it names the inbox row."""
    return f"IN-{inbox_id}"


async def given_up(origin: Origin, inbound: Inbound, *, inbox_id: int) -> list[Outbound]:
    """The apology to the sender (in their thread, answering their message) and the supervisors' alert."""
    ref = reference(inbox_id)
    told: list[Outbound] = []
    if not inbound.automatic:
        apology = origin.send_to(channel=inbound.channel, account=inbound.account, recipient=inbound.sender,
                                 conversation=inbound.conversation, template="inbox_apology", locale=origin.locale,
                                 key="apology", reference=ref)
        told.append(replace(apology, reply_to=inbound.external_id))
    told += await origin.services.alerts.alert(
        Audience(roles=[PersonKind.SUPERVISOR]), template="inbox_failed", key=origin.key("alert"),
        locale=origin.locale, data={"reference": ref, "channel": inbound.channel,
                                    "sender": inbound.display_name or inbound.sender,
                                    "text": inbound.text[:QUOTED_CHARS]})
    return told

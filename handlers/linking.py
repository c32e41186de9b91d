"""`绑定 13812345678` / `link name@example.com`, then `验证码 123456` / `code 123456`: a customer links this channel
to the record that owns a phone or an email address by passing a one-time code sent where that owner is already
known (core.services.linking); nothing is linked on the claim alone."""
from __future__ import annotations

from core.domain.people import CUSTOMERS
from core.envelopes import Outbound
from core.services.linking import CODE_TTL, Outcome
from handlers.base import Context, Handler
from nlp import LINK, VERIFY
from nlp.commands import note_as_typed

MINUTES = int(CODE_TTL.total_seconds() // 60)


class LinkingHandler(Handler):
    name = "linking"
    roles = CUSTOMERS
    commands = frozenset({LINK, VERIFY})

    async def handle(self, ctx: Context) -> list[Outbound]:
        linking = ctx.services.linking
        typed = note_as_typed(ctx.inbound.text) or ctx.understanding.note
        if ctx.understanding.intent == VERIFY:
            done = await linking.confirm(ctx.customer_id, typed, actor=ctx.person.actor)
            return [ctx.reply("link_result", outcome=done.outcome.value, value=done.value, to="", where="",
                              minutes=MINUTES)]
        asked = await linking.start(ctx.customer_id, typed)
        if asked.outcome is not Outcome.SENT or asked.to is None:
            return [ctx.reply("link_result", outcome=asked.outcome.value, value=asked.value, to="", where="",
                              minutes=MINUTES)]
        to = asked.to
        code = ctx.send_to(channel=to.channel, account="", recipient=to.address, conversation=to.conversation,
                           template="link_code", locale=to.locale, key="link_code", code=asked.code,
                           asker_channel=ctx.inbound.channel, minutes=MINUTES)
        return [ctx.reply("link_result", outcome=asked.outcome.value, value=asked.value, to=to.channel,
                          where=masked(to.address), minutes=MINUTES), code]


def masked(address: str) -> str:
    """Enough of an address for its owner to recognise it, not enough to learn it: `ch***@example.com`, `13***78`."""
    name, at, domain = address.partition("@")
    if at:
        return f"{name[:2]}***@{domain}"
    return f"{address[:2]}***{address[-2:]}" if len(address) > 4 else "***"

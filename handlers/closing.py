"""Asking the customer whether a resolved job is fixed, shared by whatever resolves one (a technician's 完工, a
person resolving the ticket through the API or the console).

The question goes to the thread the ticket came from, with buttons where the channel has them (numbered lines
elsewhere, so "1" or "2" answers too). The customer's conversation waits for the answer only if it waited for
nothing else, or only for a detail of this ticket, which it needs no more; the buttons name the ticket, and "还是不行"
is understood anywhere, so an answer given later still counts while the reopen window is open."""
from __future__ import annotations

from typing import Any

from core.domain.tickets import TicketView
from core.envelopes import Outbound
from handlers import notices
from handlers.base import Origin
from handlers.filing import COLLECTING

CONFIRMING = "confirming"


COMMANDS = {"zh": ("已解决", "未解决"), "en": ("solved", "not solved")}


def confirmation_actions(code: str, locale: str) -> list[dict[str, str]]:
    """The two answers as buttons; they name the ticket, so pressing one later still answers for it."""
    yes, no = COMMANDS.get(locale, COMMANDS["zh"])
    return [{"id": "solved", "command": f"{yes} {code}"}, {"id": "not_fixed", "command": f"{no} {code}"}]


async def ask_confirmation(ctx: Origin, ticket: TicketView, *, note: str, technician: str,
                           photos: list[dict[str, Any]] | None = None) -> list[Outbound]:
    """The job was resolved (by `technician`, or by someone unnamed when empty): tell the customer (with the
    technician's completion `photos` — `MediaService.share_staff_files` — and the job sheet: what it cost them, or
    free under warranty) and ask; it closes by itself when the window ends unanswered. The photos go as files
    where the customer's channel can send them (`files`), as links in the text otherwise (`photos`)."""
    await ctx.services.closure.await_confirmation(ticket)
    customer = await ctx.services.dispatch.customer_contact(ticket)
    if customer is None:
        return []
    conversations = ctx.services.conversations
    thread = await conversations.load(channel=customer.channel, thread=customer.conversation, sender=customer.address)
    collecting_for_it = thread.state == COLLECTING and thread.data.get("ticket") == ticket.code
    if thread.idle or thread.state == CONFIRMING or collecting_for_it:
        conversations.set(thread, CONFIRMING, ttl=ctx.services.closure.reopen_window, ticket=ticket.code,
                          expecting="confirm")
    return [ctx.send_to(channel=customer.channel, account="", recipient=customer.address,
                        conversation=customer.conversation, template="confirm_resolved", locale=customer.locale,
                        key=f"confirm:{ticket.code}", ticket=ctx.ticket_card(ticket, customer.locale),
                        technician=technician, note=note, files=photos or [],
                        photos=[p["link"] for p in photos or []], sheet=await notices.charges(ctx, ticket),
                        actions=confirmation_actions(ticket.code, customer.locale))]

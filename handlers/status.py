"""“我的工单到哪了” / `status SR-…`: where a customer's tickets stand (and the warranty of the device each is
about), in their own channel. A customer with no ticket here who complains that nobody came ("师傅说好今天来结果人都
没影，我要投诉") is not told they have none: the complaint is passed on to intake and filed; so is a question that
names what is broken ("洗衣机有问题，师傅什么时候来"), and one giving a phone to find a ticket reported elsewhere
("我是电话报修的，手机号137…"): staff look it up and answer on the inquiry filed.

A customer chasing ("怎么还没人联系我", "等了一上午了": 催单) chases the open tickets the answer lists (the one named,
else their recent ones: "nobody called" may be about any of them). The chase goes on each and on its audit log;
whoever has it is told (the technician, else the agents or supervisors of its queue), from the second chase on the
supervisors as well, and the ticket becomes more urgent. The customer is told so with where each stands. An angry
chase that threatens a complaint ("你们到底管不管？再不处理我就投诉"), or an angry one from the second on, also hands
the conversation to a person, as an angry repeat does in intake. With nothing open, a chase is a problem to file.

While a person holds the conversation (a handover), the question is answered all the same, and goes to that person
and on the ticket they hold, as anything else the customer says then: a chase of that ticket is theirs to answer."""
from __future__ import annotations

from core.domain import visits
from core.domain.people import CUSTOMERS, PersonKind
from core.domain.tickets import Queue, TicketType, TicketView
from core.envelopes import Outbound
from core.services.alerts import Audience
from handlers import notices
from handlers.base import Context, Handler
from handlers.sla_view import alert_card
from handlers.takeover import call_a_person, held_ticket, relay
from nlp import STATUS_QUERY, chasing, threatening

RECENT = 3


class StatusHandler(Handler):
    name = "status"
    roles = CUSTOMERS
    commands = frozenset({STATUS_QUERY})

    async def handle(self, ctx: Context) -> list[Outbound] | None:
        tickets = ctx.services.tickets
        code = ctx.understanding.ticket_id
        chased = chasing(ctx.inbound.text)
        if code:
            ticket = await tickets.get_for_customer(code, ctx.customer_id)
            if ticket is None:
                return [ctx.reply("status_unknown_ticket", code=code)]
            found = [ticket]
        else:
            found = await tickets.for_customer(ctx.customer_id, limit=RECENT, open_only=chased)
        if not found:
            u = ctx.understanding
            if chased or u.angry or u.type == TicketType.COMPLAINT.value or u.entities.products or u.entities.phones:
                return None
            return [ctx.reply("status_none")]
        found, unmatched = _about_named(ctx, found)
        held = await held_ticket(ctx)
        told: list[Outbound] = [] if held is None else await relay(ctx, held)
        chases = 0
        for number, ticket in enumerate(found):
            if chased and ticket.is_open and (held is None or ticket.code != held.code):
                found[number], times, alerts = await self._chase(ctx, ticket)
                chases, told = max(chases, times), [*told, *alerts]
        person = ""
        if held is None and ctx.understanding.angry and (chases > 1 or chases and threatening(ctx.inbound.text)):
            new, alerts = await call_a_person(ctx, next(t for t in found if t.is_open), reason="angry")
            person, told = "called" if new else "waiting", [*told, *alerts]
        devices = ctx.services.devices
        named = await devices.of_tickets(found)
        cards = []
        for ticket in found:
            device = named.get(ticket.device_id or 0)
            cards.append({**ctx.ticket_card(ticket), "device": None if device is None else {
                "serial": device.serial, "model": device.model, "warranty": devices.warranty(device).value},
                "missing": await ctx.services.intake.missing(ticket) if ticket.is_open else []})
        return [ctx.reply("status_report", tickets=cards, visits=await self._visits(ctx, found), chases=chases,
                          unmatched=unmatched, person=person), *told]

    @staticmethod
    async def _chase(ctx: Context, ticket: TicketView) -> tuple[TicketView, int, list[Outbound]]:
        """The chase recorded on `ticket`, and the staff told of it."""
        ticket, chases = await ctx.services.tickets.chase(ticket, actor=ctx.person.actor, text=ctx.inbound.text,
                                                          inbox_id=ctx.inbox_id, entities=ctx.entity_lists())
        technician = (await ctx.services.people.staff_contact(ticket.assignee_id)
                      if ticket.assignee_id is not None else None)
        data = {"ticket": alert_card(ticket), "chases": chases, "text": ctx.inbound.text,
                "assignee": technician.name if technician is not None else ""}
        told: list[Outbound] = []
        if technician is not None:
            told.append(notices.to_staff(ctx, technician, "ticket_chased", f"chased:{ticket.code}", **data))
        roles = [] if technician is not None else [
            PersonKind.AGENT if ticket.queue is Queue.AGENTS else PersonKind.SUPERVISOR]
        if chases > 1 and PersonKind.SUPERVISOR not in roles:
            roles.append(PersonKind.SUPERVISOR)
        if roles:
            told += await ctx.services.alerts.alert(Audience(roles=roles), template="ticket_chased",
                                                    key=ctx.key(f"chased:{ticket.code}"), locale=ctx.locale,
                                                    data=data)
        return ticket, chases, told

    async def _visits(self, ctx: Context, found: list[TicketView]) -> dict[str, dict[str, str]]:
        """Each open ticket's agreed visit with its technician ("王师傅 明天 14:00–16:00 上门")."""
        shown = {}
        for ticket in found:
            if ticket.visit is not None and ticket.assignee_id is not None and ticket.is_open:
                technician = await ctx.services.people.staff_member(ticket.assignee_id)
                shown[ticket.code] = {"technician": technician.name if technician else "",
                                      **visits.shown(ticket.visit, ctx.now)}
        return shown


def _about_named(ctx: Context, found: list[TicketView]) -> tuple[list[TicketView], str]:
    """The tickets about the product the question names ("之前报过一个冰箱的，那个怎么样了"), and "" — or, when none
    of them is, all of them and that product, so the answer says the one asked about is not among them rather than
    passing a washing machine's ticket off as the answer."""
    named = set(ctx.understanding.entities.products)
    if not named:
        return found, ""
    about = [t for t in found if named & set(t.entities.get("products") or ())]
    return (about, "") if about else (found, ctx.understanding.entities.products[0])

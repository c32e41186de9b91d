"""SQL building blocks shared by the ticket queue and the figures: where a ticket's SLA targets stand, the local day
of an instant, and the values of one entity kind held in a ticket's JSON. Each is one expression the database
evaluates, so counting by them is a GROUP BY, never a loop over rows."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, not_, or_, true
from sqlalchemy.sql.selectable import TableValuedAlias

from core.domain.sla import FIRST_RESPONSE, TARGETS, SlaState
from core.domain.tickets import Status
from core.storage.models import Ticket

TRUE = true()
"""The join condition of a lateral table of entity values (it is correlated with the ticket already)."""
DONE = (Status.RESOLVED.value, Status.CLOSED.value)
"""Statuses in which the resolution target counts as met."""


def _reached(target: str, instant: Any, now: datetime) -> ColumnElement[bool]:
    """Whether the target's clock had reached `instant` (its warning or due time) when it was judged: at the
    earliest of the time it was met, the time the clock stopped, and now — the rule of `Deadline.state`."""
    conditions = [instant.is_not(None), instant <= now,
                  or_(Ticket.clock_stopped_at.is_(None), instant <= Ticket.clock_stopped_at)]
    if target == FIRST_RESPONSE:
        conditions.append(or_(Ticket.first_response_at.is_(None), instant <= Ticket.first_response_at))
    return and_(*conditions)


def breached(target: str, now: datetime) -> ColumnElement[bool]:
    return _reached(target, getattr(Ticket, f"{target}_due_at"), now)


def warned(target: str, now: datetime) -> ColumnElement[bool]:
    """The warning was reached and the target was not (yet) breached."""
    return and_(_reached(target, getattr(Ticket, f"{target}_warn_at"), now), not_(breached(target, now)))


def met(target: str, now: datetime) -> ColumnElement[bool]:
    """Done in time: the first response given, or the ticket resolved, before the due time."""
    done = Ticket.first_response_at.is_not(None) if target == FIRST_RESPONSE else Ticket.status.in_(DONE)
    return and_(getattr(Ticket, f"{target}_due_at").is_not(None), done, not_(breached(target, now)))


def in_state(state: SlaState, now: datetime) -> ColumnElement[bool]:
    """The ticket's worst target is in `state`: breached if either is, warning if either warns and none is
    breached, ok otherwise (a ticket without targets is ok)."""
    any_breached = or_(*(breached(t, now) for t in TARGETS))
    if state is SlaState.BREACHED:
        return any_breached
    any_warned = or_(*(_reached(t, getattr(Ticket, f"{t}_warn_at"), now) for t in TARGETS))
    if state is SlaState.WARNING:
        return and_(any_warned, not_(any_breached))
    return not_(any_warned)


DAY, MONTH = "day", "month"
_FORMATS = {DAY: ("YYYY-MM-DD", "%Y-%m-%d"), MONTH: ("YYYY-MM", "%Y-%m")}


def local_period(column: Any, bucket: str, dialect: str, zone: ZoneInfo, at: datetime) -> ColumnElement[str]:
    """The local day (`YYYY-MM-DD`) or month (`YYYY-MM`) of an instant in `zone`. PostgreSQL converts with the
    zone's rules; SQLite has no time zones, so it adds the zone's UTC offset at `at` (exact for zones without
    daylight saving, such as Asia/Shanghai)."""
    postgres, sqlite = _FORMATS[bucket]
    if dialect == "postgresql":
        return func.to_char(func.timezone(zone.key, column), postgres)
    offset = zone.utcoffset(at.replace(tzinfo=None))
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    return func.strftime(sqlite, column, f"{minutes:+d} minutes")


def entity_values(tickets: Any, kind: str, dialect: str) -> TableValuedAlias:
    """The values of one entity kind (`models`, `products`, `serial_numbers`) of each ticket of `tickets` (the
    model or an alias of it), as a table to join laterally: one row per value, column `value`."""
    if dialect == "postgresql":
        return func.json_array_elements_text(tickets.entities[kind]).table_valued("value").lateral()
    return func.json_each(tickets.entities, f"$.{kind}").table_valued("value")

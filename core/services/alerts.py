"""Telling staff that something needs a person: the staff chosen by role or by name, each on their own staff channel
(WeCom, Slack, email), and the shared alert rooms the channels are configured with ([slack] alerts_channel,
[wecom] alerts_chat_id). Whoever raises an alert — a conversation job, the SLA clock — gets the messages back to
queue in its own transaction."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Collection, Mapping, Sequence

from core.envelopes import Outbound
from core.services.people import Contact, PeopleService


@dataclass(frozen=True, slots=True)
class Room:
    """A shared place alerts are posted to: a channel and its address there (a Slack channel, a WeCom group chat)."""

    channel: str
    address: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Audience:
    """Who an alert is for: staff by role and/or by name, and whether the shared rooms hear of it too."""

    roles: Collection[str] = ()
    names: Collection[str] = ()
    rooms: bool = True


class AlertService:
    def __init__(self, *, people: PeopleService, rooms: Sequence[Room]) -> None:
        self._people = people
        self._rooms = tuple(rooms)
        self._reached: dict[tuple[frozenset[str], frozenset[str]], tuple[int, list[Contact]]] = {}
        """Per audience, its staff members' contacts and `PeopleService.staff_changes` when they were read: a batch
        raising the same alert for many tickets (urgent reports) asks once, and again after a staff change."""

    async def alert(self, audience: Audience, *, template: str, data: Mapping[str, Any], key: str,
                    locale: str = "zh") -> list[Outbound]:
        """One message per reachable staff member of the audience (in their own language) and per room. `key`
        names the alert; each message's idempotency key adds its recipient, so raising the same alert again (a
        re-run after a crash) queues nothing twice."""
        messages = [Outbound(channel=c.channel, account="", recipient=c.address, conversation=c.address,
                             template=template, data=dict(data), locale=c.locale,
                             idempotency_key=f"{key}:staff:{c.person_id}") for c in await self._contacts(audience)]
        if audience.rooms:
            messages += [Outbound(channel=room.channel, account="", recipient=room.address,
                                  conversation=room.address, template=template, data=dict(data), locale=locale,
                                  idempotency_key=f"{key}:room:{room.channel}") for room in self._rooms]
        return messages

    async def _contacts(self, audience: Audience) -> list[Contact]:
        """Where to reach the audience's staff members, by id (see `_reached`)."""
        wanted = (frozenset(audience.roles), frozenset(audience.names))
        held = self._reached.get(wanted)
        if held is None or held[0] != self._people.staff_changes:
            staff = await self._people.staff(roles=audience.roles, names=audience.names)
            held = self._reached[wanted] = (self._people.staff_changes,
                                            list((await self._people.staff_contacts(staff)).values()))
        return held[1]

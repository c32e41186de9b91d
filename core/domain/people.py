"""People the hub talks to: customers (one person, many channel identities) and staff."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PersonKind(StrEnum):
    """A customer, or a staff member by role: technicians do field jobs, agents answer customers, supervisors and
    managers oversee (escalations go to them), admins run the hub."""

    CUSTOMER = "customer"
    TECHNICIAN = "technician"
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    ADMIN = "admin"


CUSTOMERS = frozenset({PersonKind.CUSTOMER})
STAFF_ROLES = frozenset(PersonKind) - CUSTOMERS
TECHNICIANS = frozenset({PersonKind.TECHNICIAN})
SUPERVISING_ROLES = frozenset({PersonKind.SUPERVISOR, PersonKind.MANAGER, PersonKind.ADMIN})
"""Roles that may acknowledge escalations and reassign jobs."""


@dataclass(frozen=True, slots=True)
class Person:
    """Who sent a message: a customer or a staff member, by kind and id."""

    kind: PersonKind
    id: int
    name: str
    locale: str

    @property
    def actor(self) -> str:
        """How the audit log names this person, e.g. `customer:12`."""
        return f"{self.kind.value}:{self.id}"

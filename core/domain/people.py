"""People the hub talks to: customers (one person, many channel identities) and staff."""
from __future__ import annotations

from enum import StrEnum


class PersonKind(StrEnum):
    CUSTOMER = "customer"
    TECHNICIAN = "technician"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


STAFF_ROLES = frozenset({PersonKind.TECHNICIAN, PersonKind.SUPERVISOR, PersonKind.ADMIN})


def is_staff(kind: PersonKind | str) -> bool:
    return PersonKind(kind) in STAFF_ROLES

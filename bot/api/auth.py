"""Bearer tokens from `[api] tokens`, each with a role. A token is compared in constant time against every
configured one (digests of equal length, no early exit), and is never logged or echoed."""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Sequence

from bot.api.errors import ApiError
from bot.config import API_ROLES, ApiToken


@dataclass(frozen=True, slots=True)
class Principal:
    """Who called: the token's name (the audit log says `api:<name>`) and its role."""

    name: str
    role: str

    @property
    def actor(self) -> str:
        return f"api:{self.name}"

    def may(self, role: str) -> bool:
        return API_ROLES.index(self.role) >= API_ROLES.index(role)


class Tokens:
    def __init__(self, tokens: Sequence[ApiToken]) -> None:
        self._known = [(digest(t.token), Principal(t.name, t.role)) for t in tokens]

    def principal(self, authorization: str | None) -> Principal:
        """The caller named by an `Authorization: Bearer …` header; 401 otherwise."""
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise ApiError(401, "unauthorized", "send Authorization: Bearer <token>")
        found = self.find(given.strip())
        if found is None:
            raise ApiError(401, "unauthorized", "the token is not valid")
        return found

    def find(self, token: str) -> Principal | None:
        """The holder of `token`, or None."""
        return self.holder(digest(token))

    def holder(self, token_digest: str) -> Principal | None:
        """The holder of the token with this digest (a signed-in session keeps the digest), or None."""
        found = None
        for known, principal in self._known:
            if hmac.compare_digest(token_digest, known):
                found = principal
        return found


def digest(token: str) -> str:
    """SHA-256 of a token, in hex: what is compared and what a session keeps, never the token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()

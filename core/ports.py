"""Small interfaces between layers that are not envelopes: where channels hand over what arrived, and the typed
errors a channel raises when a send fails (the outbox decides to retry or dead-letter from the type)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable, Protocol, Sequence

from core.envelopes import Inbound

Reachable = Callable[[str, str], Awaitable[None]]
"""Told by a channel that a recipient is reachable again — `(channel, conversation)`, a web-chat page reopened — so
the messages that waited for them go out now (`core.outbox.OutboxStore.recipient_back`)."""
IntakeSink = Callable[[Sequence[Inbound]], Awaitable[list[bool]]]
"""Durably commits inbound messages; returns, per message, True when new and False when already known.
A channel answers its platform only after this returns (the message is then safe across a crash)."""


class SendError(Exception):
    """A send failed. `retryable` tells the outbox whether another attempt can succeed; `away`, that the recipient
    is not there to take it now (`RecipientAway`)."""

    retryable: bool = False
    away: bool = False

    def __init__(self, message: str, *, retry_after: float | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.code = code


class RetryableSendError(SendError):
    """Network trouble, rate limit, platform 5xx, expired token: try again later (after `retry_after` if given)."""

    retryable = True


class RecipientAway(RetryableSendError):
    """The recipient is not connected (a web-chat customer who closed the page): the message waits for them —
    sent as soon as they are back (`OutboxStore.recipient_back`), retried meanwhile without using up its attempts,
    and given up only when it is older than `core.outbox.AWAY_KEPT`."""

    away = True


class PermanentSendError(SendError):
    """The platform refused for good (unknown recipient, window closed, bot not in channel): dead-letter and tell staff."""

    retryable = False


class CursorStore(Protocol):
    """Durable named positions for pull channels (e.g. IMAP `UIDVALIDITY:UID`), kept in the hub's database."""

    async def get(self, name: str) -> str | None: ...

    async def put(self, name: str, value: str) -> None: ...


class QuarantineStore(Protocol):
    """Where input that cannot be parsed goes, whole, so staff can see it and re-run it. Nothing is dropped."""

    async def quarantine(self, *, channel: str, external_id: str, payload: bytes, reason: str) -> None: ...


@dataclass(frozen=True, slots=True)
class FetchedMedia:
    """Bytes a channel fetched from its platform, with the type and file name the platform declared (checked
    against the bytes before anything is kept)."""

    data: bytes
    content_type: str = ""
    name: str = ""


class MediaGone(Exception):
    """The platform no longer has the file (an expired or unknown media id): retrying cannot help."""


class MediaSource(Protocol):
    """A channel whose messages carry files fetched later: `source` is what it put in `Attachment.url`.
    Raises `MediaGone`, `PermanentSendError` (refused for good) or anything else (retried)."""

    async def fetch_media(self, source: str, *, max_bytes: int) -> FetchedMedia: ...

"""What the bot expects of a channel: HTTP routes it serves (if any), a lifecycle, and `send`.

A channel verifies and parses what its platform sends into `Inbound`, hands it to the injected `IntakeSink`
(durable commit) and only then answers the platform. It knows nothing about tickets.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

from aiohttp import web

from core.clock import Clock
from core.envelopes import Outbound
from core.ports import CursorStore, IntakeSink, QuarantineStore, Reachable
from templates.render import Rendered


class ChannelConfig(Protocol):
    """What the hub reads of every platform's `[section]`: whether it is configured, and its shared alert room
    (an address on that platform where staff alerts are posted, "" for none)."""

    @property
    def enabled(self) -> bool: ...

    @property
    def alerts_room(self) -> str: ...


class Channel(Protocol):
    name: str

    def routes(self) -> Sequence[web.AbstractRouteDef]:
        """Routes to mount on the hub's aiohttp app (empty for pull channels such as IMAP)."""
        ...

    async def start(self) -> None:
        """Open sessions, start intake loops. Called once the app runs."""
        ...

    async def stop(self) -> None:
        """Finish in-flight work and close connections."""
        ...

    async def send(self, message: Outbound, rendered: Rendered) -> str:
        """Deliver one message; return the platform's message id. Raise `RetryableSendError` / `PermanentSendError`."""
        ...


@dataclass(frozen=True, kw_only=True)
class ChannelDeps:
    """What the hub lends every channel it builds: where to commit what arrives, the clock, durable stores for pull
    channels, the request size limit, Redis when several processes share the work, the reverse proxies whose
    `X-Forwarded-For` may be believed, and whom to tell that a recipient is reachable again."""

    intake: IntakeSink
    clock: Clock
    cursors: CursorStore
    quarantine: QuarantineStore
    max_body_bytes: int
    redis_url: str | None = None
    trusted_proxies: tuple[str, ...] = ()
    reachable: Reachable | None = None


@dataclass(frozen=True, kw_only=True)
class OutgoingFile:
    """A file that goes with a message (a technician's photo of the finished job), its bytes read from the media
    store; `fallback` is the message that stands for it — its link — where it cannot go as a file."""

    data: bytes
    content_type: str
    name: str
    fallback: Rendered


@dataclass(frozen=True, kw_only=True)
class FileDelivery:
    """How one `OutgoingFile` reached the person: `file` (sent as itself), `link` (its fallback went instead) or
    `lost` (neither could be sent); `detail` says why it was not sent as a file."""

    way: str
    detail: str = ""


@dataclass(frozen=True, kw_only=True)
class SentWithFiles:
    platform_id: str
    files: tuple[FileDelivery, ...]


class FileSender(Protocol):
    """A channel that sends files as files. The message goes first, so a file the platform refuses never holds the
    message back; each file that cannot go is replaced by its fallback."""

    async def send_with_files(self, message: Outbound, rendered: Rendered,
                              files: Sequence[OutgoingFile]) -> SentWithFiles: ...

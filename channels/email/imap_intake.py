"""IMAP intake: fetch → hand over for durable commit → flag `\\Seen` → advance the `UIDVALIDITY:UID` cursor.

That order is the whole guarantee. A crash before the commit re-fetches the mail (the cursor did not move); a crash
after it re-fetches a mail the hub's inbox already holds, and the inbox reports it as a duplicate. The cursor lives
in the hub's database, not in the server's flags, so a person reading the mailbox cannot make us skip mail; a new
UIDVALIDITY (mailbox rebuilt) re-scans the folder, deduplicated by the same inbox key.

imapclient is blocking: every call runs in a worker thread, IDLE included, and `stop()` shuts the socket down to
end a waiting IDLE at once. A dropped connection or a failing commit closes the session and reconnects with
exponential backoff.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Awaitable, Callable, Iterator, Sequence

from imapclient import IMAPClient, SEEN, SocketTimeout

from channels.email.config import EmailConfig
from core.ports import CursorStore

log = logging.getLogger(__name__)

_BODY = b"BODY[]"


@dataclass(frozen=True, slots=True)
class FetchedMail:
    uid: int
    raw: bytes
    received_at: datetime | None


BatchHandler = Callable[[Sequence[FetchedMail]], Awaitable[None]]
"""Durably commits (or quarantines) every mail of a batch; raising means none of it may be flagged."""


class ImapSession:
    """One blocking IMAP connection with the folder selected. Call its methods from worker threads only."""

    def __init__(self, config: EmailConfig, *, timeout: float, idle_renew: float) -> None:
        self._config = config
        self._timeout = timeout
        self._idle_renew = idle_renew
        self._client: IMAPClient | None = None

    def open(self) -> tuple[int, bool]:
        """Connect, log in, select the folder; returns (UIDVALIDITY, server supports IDLE)."""
        client = IMAPClient(self._config.imap_host, port=self._config.imap_port, ssl=self._config.imap_ssl,
                            timeout=SocketTimeout(connect=self._timeout, read=self._timeout))
        self._client = client
        client.normalise_times = False
        client.login(self._config.imap_user, self._config.imap_password)
        selected = client.select_folder(self._config.imap_folder)
        return int(selected[b"UIDVALIDITY"]), client.has_capability("IDLE")

    def uids_after(self, last: int) -> list[int]:
        # `n:*` always matches the highest UID, even one below n: filter.
        return sorted(uid for uid in self._live().search(["UID", f"{last + 1}:*"]) if uid > last)

    def sizes(self, uids: Sequence[int]) -> dict[int, int]:
        return {uid: int(data.get(b"RFC822.SIZE", 0)) for uid, data in self._live().fetch(uids, ["RFC822.SIZE"]).items()}

    def fetch(self, uids: Sequence[int]) -> list[FetchedMail]:
        """Bodies without setting `\\Seen` (BODY.PEEK): the flag is set only after the commit."""
        answer = self._live().fetch(uids, ["BODY.PEEK[]", "INTERNALDATE"])
        return [FetchedMail(uid=uid, raw=bytes(answer[uid][_BODY]), received_at=answer[uid].get(b"INTERNALDATE"))
                for uid in sorted(answer) if _BODY in answer[uid]]

    def mark_seen(self, uids: Sequence[int]) -> None:
        self._live().add_flags(uids, [SEEN], silent=True)

    def wait_for_mail(self, stop: threading.Event) -> None:
        """IDLE until the server reports a change, `stop` is set, or it is time to renew (RFC 2177: < 29 min)."""
        client = self._live()
        client.idle()
        deadline = time.monotonic() + self._idle_renew
        tick = min(30.0, self._idle_renew)
        while not stop.is_set() and time.monotonic() < deadline and not _already_read(client):
            started = time.monotonic()
            # imapclient swallows EOF and returns [] at once: an early empty answer means the socket is gone,
            # and the idle_done() below raises so the session reconnects.
            if client.idle_check(timeout=tick) or time.monotonic() - started < tick / 2:
                break
        if not stop.is_set():
            client.idle_done()

    def interrupt(self) -> None:
        """Unblock whatever call is waiting on the socket (thread-safe: only shuts the socket down)."""
        client = self._client
        if client is not None:
            try:
                client.socket().shutdown(2)
            except OSError:
                pass

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.logout()
        except Exception:  # noqa: BLE001 - the connection is being thrown away; a dead one cannot log out
            client.shutdown()

    def _live(self) -> IMAPClient:
        if self._client is None:
            raise ConnectionError("IMAP session is closed")
        return self._client


def _already_read(client: IMAPClient) -> bool:
    """Whether responses sit in imaplib's read buffer: those that arrived in the same packet as IDLE's continuation
    line were read with it, so polling the socket would wait for the next change (or the renewal) to see them."""
    sock = client.socket()
    timeout = sock.gettimeout()
    sock.setblocking(False)
    try:
        return bool(client._imap.file.peek(1))
    except OSError:
        return False
    finally:
        sock.settimeout(timeout)


class ImapIntake:
    """The intake loop for one mailbox folder."""

    def __init__(self, *, config: EmailConfig, cursors: CursorStore, handle: BatchHandler, batch_size: int,
                 fetch_bytes: int, backoff: tuple[float, float], timeout: float = 60.0,
                 idle_renew: float = 300.0) -> None:
        self._config = config
        self._cursors = cursors
        self._handle = handle
        self._batch_size = batch_size
        self._fetch_bytes = fetch_bytes
        self._backoff_min, self._backoff_max = backoff
        self._session = ImapSession(config, timeout=timeout, idle_renew=idle_renew)
        self._stop = asyncio.Event()
        self._thread_stop = threading.Event()
        self.connections = 0
        self.caught_up = False
        """True while the folder has nothing new and the session waits for mail (IDLE or the next poll)."""
        self.cursor_name = f"imap:{config.imap_user}:{config.imap_folder}"

    async def run(self) -> None:
        delay = self._backoff_min
        while not self._stop.is_set():
            try:
                await self._serve()
            except Exception as exc:  # noqa: BLE001 - any failure: drop the session, back off, reconnect
                if self._stop.is_set():
                    break
                log.warning("imap intake for %s failed (%s: %s); reconnecting in %.1fs",
                            self.cursor_name, type(exc).__name__, exc, delay)
                await asyncio.to_thread(self._session.close)
                await self._pause(delay)
                delay = min(delay * 2, self._backoff_max)
            else:
                delay = self._backoff_min
        await asyncio.to_thread(self._session.close)

    def stop(self) -> None:
        self._stop.set()
        self._thread_stop.set()
        self._session.interrupt()

    async def _serve(self) -> None:
        uidvalidity, can_idle = await asyncio.to_thread(self._session.open)
        self.connections += 1
        while not self._stop.is_set():
            uids = await asyncio.to_thread(self._session.uids_after, await self._position(uidvalidity))
            if uids:
                await self._import(uids[: self._batch_size], uidvalidity)
                continue
            self.caught_up = True
            try:
                if can_idle:
                    await asyncio.to_thread(self._session.wait_for_mail, self._thread_stop)
                else:
                    await self._pause(self._config.poll_interval.total_seconds())
            finally:
                self.caught_up = False

    async def _position(self, uidvalidity: int) -> int:
        stored = await self._cursors.get(self.cursor_name)
        validity, _, uid = (stored or "").partition(":")
        if stored and validity != str(uidvalidity):
            log.warning("UIDVALIDITY of %s changed (%s → %s): re-scanning", self.cursor_name, validity, uidvalidity)
        return int(uid) if stored and validity == str(uidvalidity) else 0

    async def _import(self, uids: list[int], uidvalidity: int) -> None:
        sizes = await asyncio.to_thread(self._session.sizes, uids)
        for chunk in _chunks(uids, sizes, self._fetch_bytes):
            fetched = await asyncio.to_thread(self._session.fetch, chunk)
            await self._handle(fetched)
            await asyncio.to_thread(self._session.mark_seen, chunk)
            await self._cursors.put(self.cursor_name, f"{uidvalidity}:{max(chunk)}")

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)
        except TimeoutError:
            pass


def _chunks(uids: list[int], sizes: dict[int, int], limit: int) -> Iterator[list[int]]:
    """Consecutive groups of at most `limit` bytes (one oversized mail makes a group of its own)."""
    chunk: list[int] = []
    total = 0
    for uid in uids:
        size = sizes.get(uid, 0)
        if chunk and total + size > limit:
            yield chunk
            chunk, total = [], 0
        chunk.append(uid)
        total += size
    if chunk:
        yield chunk

"""Uploads from the chat page that survive a dropped connection or a reload: the page sends a file in chunks under an
upload key, and after any trouble asks how many bytes the hub has and goes on from there.

A staged upload is two files under `<upload_dir>/partial/`: the bytes received so far (`<key>.part`, whose length is
the offset) and what the upload is (`<key>.json`: session, client id, name, size, when it last moved). Once whole it
is handed on as an ordinary upload; the record stays, marked `done` with the sha256 of its bytes, so a page that did
not hear the answer can finish again and get the same message. Records untouched for `upload_expiry` are gone.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from core.clock import Clock

PARTIAL = "partial"


@dataclass(frozen=True, slots=True, kw_only=True)
class Staged:
    key: str
    session: str
    client_id: str
    name: str
    size: int
    locale: str
    touched: datetime
    offset: int = 0
    digest: str = ""
    """The sha256 of the whole upload once it was handed on (`done`)."""

    @property
    def done(self) -> bool:
        return bool(self.digest)


def upload_key(session: str, client_id: str) -> str:
    """One key per message of a session: opening the same upload again finds what was already received."""
    return hashlib.sha256(f"{session}\n{client_id}".encode()).hexdigest()[:32]


class PartialUploads:
    def __init__(self, *, root: Path, clock: Clock, expiry: timedelta) -> None:
        self._dir = root / PARTIAL
        self._clock = clock
        self._expiry = expiry
        self._locks: dict[str, asyncio.Lock] = {}

    def lock(self, key: str) -> asyncio.Lock:
        """Held while one chunk of `key` is checked and written: a resend racing its original cannot interleave."""
        return self._locks.setdefault(key, asyncio.Lock())

    async def open(self, *, session: str, client_id: str, name: str, size: int, locale: str) -> Staged:
        """The upload of this message: the one already staged when its size agrees, else a fresh one."""
        key = upload_key(session, client_id)
        found = await self.get(key)
        if found is not None and found.size == size:
            return found
        staged = Staged(key=key, session=session, client_id=client_id, name=name, size=size, locale=locale,
                        touched=self._clock.now())
        await asyncio.to_thread(self._create, staged)
        return staged

    async def get(self, key: str) -> Staged | None:
        """The upload with what it has received; None when unknown or expired."""
        staged = await asyncio.to_thread(self._read, key)
        if staged is None or self._clock.now() - staged.touched > self._expiry:
            return None
        return staged

    async def append(self, staged: Staged, chunk: bytes) -> Staged:
        moved = replace(staged, offset=staged.offset + len(chunk), touched=self._clock.now())
        await asyncio.to_thread(self._append, moved, chunk)
        return moved

    async def prefix(self, staged: Staged, count: int) -> bytes:
        return await asyncio.to_thread(self._prefix, staged.key, count)

    async def whole(self, staged: Staged) -> bytes:
        return await asyncio.to_thread(self._prefix, staged.key, staged.size)

    async def handed_on(self, staged: Staged, digest: str) -> Staged:
        """The bytes went on under `digest`: keep only the record, to answer a page that asks again."""
        done = replace(staged, digest=digest, touched=self._clock.now())
        await asyncio.to_thread(self._finish, done)
        return done

    async def discard(self, key: str) -> None:
        await asyncio.to_thread(self._remove, key)

    async def sweep(self) -> int:
        """Remove uploads nobody touched for the expiry time; returns how many."""
        removed = await asyncio.to_thread(self._sweep, self._clock.now() - self._expiry)
        for key in removed:
            self._locks.pop(key, None)
        return len(removed)

    # ---- on disk (worker threads) ----
    def _paths(self, key: str) -> tuple[Path, Path]:
        return self._dir / f"{key}.json", self._dir / f"{key}.part"

    def _create(self, staged: Staged) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)
        meta, part = self._paths(staged.key)
        self._write_meta(meta, staged)
        part.write_bytes(b"")

    def _read(self, key: str) -> Staged | None:
        meta, part = self._paths(key)
        try:
            fields = json.loads(meta.read_text("utf-8"))
            staged = Staged(**{**fields, "touched": datetime.fromisoformat(fields["touched"])})
            return staged if staged.done else replace(staged, offset=part.stat().st_size)
        except (FileNotFoundError, ValueError, TypeError, KeyError):
            return None

    def _append(self, staged: Staged, chunk: bytes) -> None:
        meta, part = self._paths(staged.key)
        with part.open("ab") as handle:
            handle.write(chunk)
        self._write_meta(meta, staged)

    def _prefix(self, key: str, count: int) -> bytes:
        with self._paths(key)[1].open("rb") as handle:
            return handle.read(count)

    def _finish(self, staged: Staged) -> None:
        meta, part = self._paths(staged.key)
        self._write_meta(meta, staged)
        part.unlink(missing_ok=True)

    def _remove(self, key: str) -> None:
        for path in self._paths(key):
            path.unlink(missing_ok=True)

    def _sweep(self, before: datetime) -> list[str]:
        """A record whose bytes are missing (a crash while it was opened) goes too."""
        if not self._dir.is_dir():
            return []
        removed = []
        for meta in self._dir.glob("*.json"):
            staged = self._read(meta.stem)
            if staged is None or staged.touched < before:
                self._remove(meta.stem)
                removed.append(meta.stem)
        return removed

    @staticmethod
    def _write_meta(path: Path, staged: Staged) -> None:
        fields = {**asdict(staged), "touched": staged.touched.isoformat()}
        del fields["offset"]
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(fields, ensure_ascii=False), "utf-8")
        tmp.replace(path)

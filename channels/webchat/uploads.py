"""Pictures and files a customer uploads from the chat page: staged on disk by the sha256 of their bytes until the
hub's media fetcher keeps them (the same path every platform's files take), and the kinds the page may upload."""
from __future__ import annotations

import asyncio
import hashlib
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Collection

from core.clock import Clock
from core.media.blobs import write_once
from core.media.inspect import sniff
from core.ports import FetchedMedia, MediaGone

PREFIX = "upload:"
_DIGEST = re.compile(r"[0-9a-f]{64}")
_KINDS = {"image": "image", "video": "video", "audio": "voice"}
_FILES = frozenset({"application/pdf"})


def upload_kind(data: bytes) -> tuple[str, str] | None:
    """(kind, sniffed type) of an upload the chat takes — pictures, video, audio, PDF — or None for anything else."""
    sniffed = sniff(data)
    family = sniffed.partition("/")[0]
    if family in _KINDS:
        return _KINDS[family], sniffed
    if sniffed in _FILES:
        return "file", sniffed
    return None


class UploadStore:
    def __init__(self, *, root: Path, clock: Clock) -> None:
        """Each staged file's modification time is the hub clock's time it was last staged at."""
        self._root = root
        self._clock = clock

    async def stage(self, data: bytes) -> str:
        """Write the upload (once per content); returns the `Attachment.url` that names it."""
        digest = hashlib.sha256(data).hexdigest()
        await asyncio.to_thread(self._write, digest, data, self._clock.now().timestamp())
        return PREFIX + digest

    async def fetch(self, source: str) -> FetchedMedia:
        digest = source.removeprefix(PREFIX)
        if not source.startswith(PREFIX) or not _DIGEST.fullmatch(digest):
            raise MediaGone(f"not a web chat upload: {source!r}")
        try:
            return FetchedMedia(data=await asyncio.to_thread((self._root / digest).read_bytes))
        except FileNotFoundError as exc:
            raise MediaGone(f"upload {digest} is no longer staged") from exc

    async def sweep(self, *, older_than: datetime, wanted: Collection[str]) -> int:
        """Remove staged files last staged before `older_than` that no download still waits for (the media store
        keeps its own copy once fetched); returns how many."""
        return await asyncio.to_thread(self._sweep, older_than.timestamp(), frozenset(wanted))

    def _write(self, digest: str, data: bytes, staged_at: float) -> None:
        path = self._root / digest
        write_once(path, data)
        os.utime(path, (staged_at, staged_at))

    def _sweep(self, cutoff: float, wanted: frozenset[str]) -> int:
        removed = 0
        for path in self._root.glob("?" * 64):
            if not _DIGEST.fullmatch(path.name) or PREFIX + path.name in wanted:
                continue
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

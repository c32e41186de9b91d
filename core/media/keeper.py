"""The one way bytes enter the blob store: checked and cleaned (core.media.inspect, in a thread), then written with
their thumbnail. Also the one way staff read them back."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

from core.media.blobs import BlobStore
from core.media.inspect import prepare

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000


@dataclass(frozen=True, slots=True)
class Kept:
    sha256: str
    thumbnail_sha256: str
    content_type: str
    size: int


class MediaKeeper:
    def __init__(self, *, blobs: BlobStore, max_bytes: int = DEFAULT_MAX_BYTES,
                 max_pixels: int = DEFAULT_MAX_PIXELS) -> None:
        self.blobs = blobs
        self.max_bytes = max_bytes
        self._max_pixels = max_pixels

    async def keep(self, data: bytes, *, kind: str, declared_type: str = "") -> Kept:
        """Check, clean and store `data`; raises `MediaRejected` (not kept, for good) or `BlobUnavailable` (the
        store is down: try again later)."""
        prepared = await asyncio.to_thread(prepare, data, kind=kind, declared_type=declared_type,
                                           max_bytes=self.max_bytes, max_pixels=self._max_pixels)
        digest = await self.blobs.put(prepared.data)
        thumb = await self.blobs.put(prepared.thumbnail) if prepared.thumbnail is not None else ""
        return Kept(sha256=digest, thumbnail_sha256=thumb, content_type=prepared.content_type,
                    size=len(prepared.data))

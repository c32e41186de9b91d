"""Where media bytes live: one small interface, addressed by the sha256 of the bytes, so the same photo sent twice is
stored once and a stored name can never be guessed from a ticket or a media id."""
from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

_DIGEST = re.compile(r"[0-9a-f]{64}")


class BlobUnavailable(Exception):
    """The store cannot be reached or written now (disk full, S3 down): the caller retries later, nothing is lost."""


class BlobStore(Protocol):
    async def put(self, data: bytes) -> str:
        """Store `data`; returns its sha256 (hex). Storing the same bytes again is a no-op."""
        ...

    async def get(self, digest: str) -> bytes | None:
        """The bytes stored under `digest`, or None when there are none."""
        ...

    async def close(self) -> None:
        """Let go of connections when the hub stops."""
        ...


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_digest(digest: str) -> str:
    """`digest` if it is a sha256 in hex; anything else (a path, `..`) is refused before it reaches a store."""
    if not _DIGEST.fullmatch(digest):
        raise ValueError(f"not a sha256 digest: {digest!r}")
    return digest


class LocalBlobStore:
    """Files under `root/ab/abcdef…`, written to a temporary name and renamed, so a crash never leaves half a file
    under a digest. Disk work runs in a thread: a 20 MB write must not stall the event loop's acknowledgements."""

    def __init__(self, *, root: Path) -> None:
        self._root = root

    async def put(self, data: bytes) -> str:
        digest = sha256(data)
        try:
            await asyncio.to_thread(self._write, digest, data)
        except OSError as exc:
            raise BlobUnavailable(f"cannot write {self._root}: {exc}") from exc
        return digest

    async def get(self, digest: str) -> bytes | None:
        path = self._path(check_digest(digest))
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise BlobUnavailable(f"cannot read {path}: {exc}") from exc

    async def close(self) -> None:
        """Files hold no connection: nothing to let go of."""

    def _path(self, digest: str) -> Path:
        return self._root / digest[:2] / digest

    def _write(self, digest: str, data: bytes) -> None:
        write_once(self._path(digest), data)


def write_once(path: Path, data: bytes) -> None:
    """Write `data` to `path` unless it exists; a crash leaves either the whole file or none (content-addressed
    files never change, so an existing one is already right)."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

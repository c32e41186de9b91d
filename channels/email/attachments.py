"""Attachment bytes on disk, addressed by sha256, so a re-imported mail stores nothing twice."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from channels.email.parse import MailPart
from core.envelopes import Attachment

_KINDS = {"image": "image", "audio": "voice", "video": "video"}


class AttachmentStore:
    """Writes files up to `max_bytes` under `root/ab/abcdef…`; larger ones are recorded by size and hash only."""

    def __init__(self, *, root: Path, max_bytes: int) -> None:
        self._root = root
        self._max = max_bytes

    def keep(self, part: MailPart) -> tuple[Attachment, bool]:
        """The attachment record and whether its bytes were stored (False when over the size limit)."""
        digest = hashlib.sha256(part.data).hexdigest()
        stored = len(part.data) <= self._max
        url = str(self._write(digest, part.data)) if stored else ""
        record = Attachment(kind=_KINDS.get(part.content_type.partition("/")[0], "file"), name=part.filename,
                            content_type=part.content_type, size=len(part.data), url=url, sha256=digest)
        return record, stored

    def _write(self, digest: str, data: bytes) -> Path:
        path = self._root / digest[:2] / digest
        if path.exists():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
        return path

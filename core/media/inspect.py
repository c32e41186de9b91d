"""What a file must pass before it is kept: a size limit, a type sniffed from the bytes (what the sender declared is
only checked against it), archives and images that would unpack into far more than they weigh, and — for photos —
the metadata that can say where the customer lives (EXIF with GPS), removed by re-encoding without it. Plain
functions of bytes, CPU-bound: callers run them in a thread."""
from __future__ import annotations

import io
import warnings
import zipfile
import zlib
from dataclasses import dataclass

import filetype
from PIL import Image, ImageOps, UnidentifiedImageError

KINDS = ("image", "voice", "video", "file")
THUMBNAIL_EDGE = 320
ARCHIVE_RATIO = 100
"""An archive that unpacks to more than this many times its size (or over the unpacked limit) is a bomb."""
_FAMILY = {"image": "image", "audio": "voice", "video": "video"}
_UNTYPED = frozenset({"application/octet-stream", "binary/octet-stream", "application/unknown"})
"""Declared types that claim nothing (mail clients and platforms use them for any file)."""
_KEEPS_QUALITY = {"JPEG"}
"""Re-encoded with their own quantisation tables when not turned: no visible loss."""
_ORIENTATION = 0x0112
_REENCODE = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "TIFF": "PNG", "BMP": "PNG", "MPO": "JPEG"}
"""Formats whose metadata is dropped by re-encoding, and what they are written as (TIFF/BMP become PNG)."""
_WRITTEN_TYPE = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class MediaRejected(Exception):
    """The file is not kept: `reason` is one of `too_large`, `type_mismatch`, `bomb`, `unreadable`."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Prepared:
    """The bytes to keep (an image's metadata stripped), their sniffed type, the kind to file them as, and a JPEG
    thumbnail for images."""

    data: bytes
    content_type: str
    kind: str
    thumbnail: bytes | None = None


def prepare(data: bytes, *, kind: str, declared_type: str = "", max_bytes: int, max_pixels: int) -> Prepared:
    """Check `data` (sent as `kind`, with the sender's `declared_type` if any) and make it safe to show staff.
    Raises `MediaRejected` saying why it is refused."""
    if len(data) > max_bytes:
        raise MediaRejected("too_large", f"{len(data)} bytes, the limit is {max_bytes}")
    if not data:
        raise MediaRejected("unreadable", "empty file")
    sniffed = sniff(data)
    family = _FAMILY.get(sniffed.partition("/")[0], "file")
    declared_family = (_FAMILY.get(declared_type.partition("/")[0], "file")
                       if declared_type and declared_type not in _UNTYPED else None)
    if kind in ("image", "voice", "video") and family != kind:
        raise MediaRejected("type_mismatch", f"sent as {kind}, the bytes are {sniffed}")
    if declared_family is not None and sniffed != "application/octet-stream" and declared_family != family:
        raise MediaRejected("type_mismatch", f"declared {declared_type}, the bytes are {sniffed}")
    check_archive(data, max_unpacked=max_bytes * ARCHIVE_RATIO)
    if family != "image":
        return Prepared(data=data, content_type=sniffed, kind=kind)
    cleaned, content_type = strip_metadata(data, max_pixels=max_pixels)
    return Prepared(data=cleaned, content_type=content_type, kind=kind,
                    thumbnail=thumbnail(cleaned, max_pixels=max_pixels))


def sniff(data: bytes) -> str:
    """The MIME type the bytes themselves say (magic numbers); `application/octet-stream` when they say nothing."""
    guess = filetype.guess(data[:8192])
    return guess.mime if guess is not None else "application/octet-stream"


def check_archive(data: bytes, *, max_unpacked: int) -> None:
    """Refuse a zip (also docx/xlsx, which are zips) or gzip that would unpack past `max_unpacked` bytes or more
    than `ARCHIVE_RATIO` times its own size; read from the headers for zips, by bounded decompression for gzip."""
    limit = min(max_unpacked, max(len(data), 1) * ARCHIVE_RATIO)
    if data[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            unpacked = len(inflater.decompress(data, limit + 1))
        except zlib.error:
            return
        if unpacked > limit:
            raise MediaRejected("bomb", f"gzip unpacks to more than {limit} bytes")
        return
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise MediaRejected("unreadable", f"broken zip: {exc}") from exc
    if total > limit:
        raise MediaRejected("bomb", f"zip unpacks to {total} bytes, over {limit}")


def _open(data: bytes, *, max_pixels: int) -> Image.Image:
    """The image, its size checked from the header before any pixel is decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise MediaRejected("bomb", str(exc)) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise MediaRejected("unreadable", f"not an image Pillow can read: {exc}") from exc
    width, height = image.size
    if width * height > max_pixels:
        raise MediaRejected("bomb", f"{width}x{height} pixels, the limit is {max_pixels}")
    return image


def strip_metadata(data: bytes, *, max_pixels: int) -> tuple[bytes, str]:
    """The image re-encoded without EXIF/XMP/text chunks (the picture turned upright first, since the orientation
    lives in the EXIF that goes), and its type. Animated GIFs carry no EXIF and are kept as they are."""
    image = _open(data, max_pixels=max_pixels)
    if image.format == "GIF":
        return data, "image/gif"
    target = _REENCODE.get(image.format or "")
    if target is None:
        raise MediaRejected("unreadable", f"{image.format} images are not kept (their metadata cannot be removed)")
    try:
        turned = image.getexif().get(_ORIENTATION, 1) != 1
        upright = ImageOps.exif_transpose(image) if turned else image
        out = io.BytesIO()
        options: dict[str, object] = {}
        if target == "JPEG":
            keep = image.format in _KEEPS_QUALITY and not turned
            options = {"quality": "keep"} if keep else {"quality": 90}
            if upright.mode not in ("RGB", "L", "CMYK"):
                upright = upright.convert("RGB")
        if image.info.get("icc_profile"):
            options["icc_profile"] = image.info["icc_profile"]
        upright.save(out, format=target, **options)
    except (OSError, ValueError, SyntaxError) as exc:
        raise MediaRejected("unreadable", f"image cannot be decoded: {exc}") from exc
    return out.getvalue(), _WRITTEN_TYPE[target]


def thumbnail(data: bytes, *, max_pixels: int) -> bytes:
    """A JPEG at most `THUMBNAIL_EDGE` pixels on its longer side, for lists and the console."""
    image = _open(data, max_pixels=max_pixels)
    try:
        image.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE))
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=80)
    except (OSError, ValueError, SyntaxError) as exc:
        raise MediaRejected("unreadable", f"image cannot be decoded: {exc}") from exc
    return out.getvalue()

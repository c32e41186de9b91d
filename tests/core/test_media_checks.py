"""The blob store and the checks every file passes: content addressing, sniffed types, bombs, photo metadata."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from core.media import BlobUnavailable, LocalBlobStore, MediaKeeper, MediaRejected, prepare
from core.media.blobs import sha256
from testkit.media_samples import AMR, GPS_IFD, PDF, gzip_bomb, photo, pixel_bomb, png, zip_bomb

LIMITS = {"max_bytes": 5 * 1024 * 1024, "max_pixels": 40_000_000}


async def test_blobs_are_stored_once_under_their_sha256(tmp_path) -> None:
    store = LocalBlobStore(root=tmp_path)
    first, again = await store.put(b"photo bytes"), await store.put(b"photo bytes")
    assert first == again == sha256(b"photo bytes")
    assert (tmp_path / first[:2] / first).read_bytes() == b"photo bytes"
    assert await store.get(first) == b"photo bytes"
    assert await store.get("0" * 64) is None
    with pytest.raises(ValueError):
        await store.get("../../etc/passwd")


async def test_a_store_that_cannot_write_says_so_for_a_retry(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    with pytest.raises(BlobUnavailable):
        await LocalBlobStore(root=blocker).put(b"x")


def test_a_photo_loses_its_exif_and_gps_and_gets_a_thumbnail() -> None:
    original = photo(width=1200, height=900)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)
    kept = prepare(original, kind="image", declared_type="image/jpeg", **LIMITS)
    image = Image.open(io.BytesIO(kept.data))
    assert kept.content_type == "image/jpeg" and image.size == (1200, 900)
    assert dict(image.getexif()) == {} and b"Exif" not in kept.data
    assert kept.thumbnail is not None and max(Image.open(io.BytesIO(kept.thumbnail)).size) == 320


def test_a_turned_photo_is_stored_upright() -> None:
    kept = prepare(photo(width=600, height=400, orientation=6), kind="image", **LIMITS)
    assert Image.open(io.BytesIO(kept.data)).size == (400, 600)


def test_types_come_from_the_bytes() -> None:
    assert prepare(AMR, kind="voice", declared_type="audio/amr", **LIMITS).content_type == "audio/amr"
    assert prepare(PDF, kind="file", declared_type="application/pdf", **LIMITS).content_type == "application/pdf"
    assert prepare(png(), kind="file", **LIMITS).thumbnail is not None
    assert prepare(b"plain notes", kind="file", **LIMITS).content_type == "application/octet-stream"
    assert prepare(png(), kind="image", declared_type="application/octet-stream", **LIMITS).content_type == "image/png"


@pytest.mark.parametrize("data, kind, declared, reason", [
    (PDF, "image", "", "type_mismatch"),
    (png(), "file", "application/pdf", "type_mismatch"),
    (AMR, "file", "image/jpeg", "type_mismatch"),
    (b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10, "image", "image/jpeg", "unreadable"),
    (bytes(6 * 1024 * 1024), "file", "", "too_large"),
    (b"", "file", "", "unreadable"),
    (zip_bomb(), "file", "application/zip", "bomb"),
    (gzip_bomb(), "file", "", "bomb"),
    (pixel_bomb(), "image", "image/png", "bomb"),
])
def test_bad_files_are_refused_with_a_reason(data: bytes, kind: str, declared: str, reason: str) -> None:
    with pytest.raises(MediaRejected) as refused:
        prepare(data, kind=kind, declared_type=declared, **LIMITS)
    assert refused.value.reason == reason


async def test_the_keeper_stores_the_cleaned_photo_and_its_thumbnail(tmp_path) -> None:
    keeper = MediaKeeper(blobs=LocalBlobStore(root=tmp_path), max_bytes=LIMITS["max_bytes"])
    kept = await keeper.keep(photo(), kind="image")
    stored = await keeper.blobs.get(kept.sha256)
    assert stored is not None and len(stored) == kept.size and b"Exif" not in stored
    assert kept.thumbnail_sha256 and await keeper.blobs.get(kept.thumbnail_sha256)

"""The S3-compatible blob store against moto's S3 server on loopback: the same content addressing as the local store,
and an unreachable store reported as `BlobUnavailable` (so the download is retried), then working again."""
from __future__ import annotations

import socket
from typing import Iterator

import pytest

from core.media import BlobUnavailable, MediaKeeper
from core.media.blobs import sha256
from testkit.media_samples import photo

moto_server = pytest.importorskip("moto.server")
BUCKET = "aftersales-media"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3_url() -> Iterator[str]:
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def _store(url: str):  # type: ignore[no-untyped-def]
    from core.media.s3 import S3BlobStore

    return S3BlobStore(bucket=BUCKET, endpoint_url=url, region="us-east-1", access_key="test", secret_key="test",
                       prefix="media/")


async def test_blobs_round_trip_once_per_content(s3_url: str) -> None:
    store = _store(s3_url)
    client = await store._connected()
    await client.create_bucket(Bucket=BUCKET)
    try:
        assert await store.put(b"nameplate") == await store.put(b"nameplate") == sha256(b"nameplate")
        listed = await client.list_objects_v2(Bucket=BUCKET)
        assert [o["Key"] for o in listed["Contents"]] == [f"media/{sha256(b'nameplate')[:2]}/{sha256(b'nameplate')}"]
        assert await store.get(sha256(b"nameplate")) == b"nameplate"
        assert await store.get("0" * 64) is None
        kept = await MediaKeeper(blobs=store).keep(photo(), kind="image")
        stored = await store.get(kept.sha256)
        assert stored is not None and b"Exif" not in stored and await store.get(kept.thumbnail_sha256)
    finally:
        await store.close()


async def test_a_store_that_is_down_asks_for_a_retry() -> None:
    store = _store(f"http://127.0.0.1:{_free_port()}")
    try:
        with pytest.raises(BlobUnavailable):
            await store.put(b"photo")
        with pytest.raises(BlobUnavailable):
            await store.get(sha256(b"photo"))
    finally:
        await store.close()

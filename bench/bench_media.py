"""Media intake: how fast photos are kept, and what a photo costs the acknowledgement of its message.

A whole hub (SQLite in a temporary directory, the real pipeline, the media fetcher) serves `/webhooks/wechat` and
`/chat/upload` on loopback; the fake WeChat platform serves the photos' bytes. Photos are noisy JPEGs of `--size-mb`
with EXIF and GPS, so each is re-encoded without its metadata and thumbnailed like a customer's.

* WeChat: `--photos` image pushes, one after another; each ack is timed (the photo is fetched after the ack, so
  downloads and EXIF stripping run while later pushes arrive), and intake MB/s is the photos' bytes over the time
  from the first push until the last photo is stored. Text pushes are timed the same way for comparison.
* Web chat: `--uploads` uploads of a photo in the request body; each ack is timed (body transfer, type check,
  staging on disk and the inbox commit). Then the same photos the page's way, in 256 KB chunks of a resumable upload:
  open to ack, and the last chunk alone (it carries the commit).
* The checks alone (sniff, strip, thumbnail, store), in process, for the CPU cost per MB.

    .venv/bin/python bench/bench_media.py [--photos 20] [--uploads 10] [--size-mb 5]
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.latency import summarize_ms  # noqa: E402
from bot.app import build_app  # noqa: E402
from bot.bootstrap import build_hub  # noqa: E402
from bot.config import config_from_dict  # noqa: E402
from core.clock import SystemClock  # noqa: E402
from core.media import LocalBlobStore, MediaKeeper  # noqa: E402
from core.storage.migrate import upgrade  # noqa: E402
from core.storage.models import MediaAttachment  # noqa: E402
from testkit.fakes.weixin_api import FakeWeixinApi, message_xml, wechat_push  # noqa: E402
from testkit.hub_process import RATE_KEYS  # noqa: E402
from testkit.media_samples import photo_of_size  # noqa: E402

APP_ID, SECRET, TOKEN = "wx-bench", "bench-secret", "bench-token"
MB = 1024 * 1024
CHUNK = 256 * 1024
"""What the chat page sends per request."""


async def main(photos: int, uploads: int, size_mb: float) -> None:
    samples = [photo_of_size(int(size_mb * MB) + n) for n in range(3)]
    print(f"photos: {len(samples)} distinct noisy JPEGs of {[round(len(p) / MB, 2) for p in samples]} MB, "
          "EXIF with GPS")
    clock = SystemClock()
    with tempfile.TemporaryDirectory() as tmp:
        await keeper_alone(Path(tmp) / "alone", samples)
        api = await FakeWeixinApi(clock=clock, app_id=APP_ID, app_secret=SECRET, corp_id="ww-bench",
                                  corp_secret="s", agent_id=1).start()
        config = config_from_dict({
            "database": {"url": f"sqlite+aiosqlite:///{tmp}/hub.db"},
            "media": {"dir": f"{tmp}/media", "max_bytes": 32 * MB},
            "wechat": {"app_id": APP_ID, "app_secret": SECRET, "token": TOKEN, "api_base_url": api.url},
            "webchat": {**{key: 100_000 for key in RATE_KEYS}, "upload_dir": f"{tmp}/uploads",
                        "max_upload_bytes": 32 * MB}})
        hub = build_hub(config, clock=clock)
        await upgrade(hub.engine)
        runner = web.AppRunner(build_app(hub), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        try:
            async with aiohttp.ClientSession() as http:
                await wechat(http, base, hub, api, samples, photos)
                whole = await webchat(http, base, hub, samples, uploads)
                await webchat_chunked(http, base, samples, uploads, whole)
        finally:
            await runner.cleanup()
            await api.close()


async def keeper_alone(root: Path, samples: list[bytes]) -> None:
    keeper = MediaKeeper(blobs=LocalBlobStore(root=root), max_bytes=32 * MB)
    started = time.perf_counter()
    for data in samples * 2:
        await keeper.keep(data, kind="image", declared_type="image/jpeg")
    elapsed = time.perf_counter() - started
    total = sum(len(d) for d in samples) * 2
    print(f"checks alone (sniff, strip EXIF, thumbnail, store): {total / MB / elapsed:.1f} MB/s, "
          f"{elapsed / (len(samples) * 2) * 1000:.0f} ms per photo")


def push(n: int, *, media_id: str | None) -> tuple[dict[str, str], bytes]:
    now = int(time.time())
    fields = {"ToUserName": "gh_bench", "FromUserName": f"o-bench-{n % 20}", "CreateTime": now, "MsgId": n}
    fields.update({"MsgType": "image", "PicUrl": "http://mmbiz.example/p.jpg", "MediaId": media_id} if media_id
                  else {"MsgType": "text", "Content": f"空调不制冷了，订单号 {n}"})
    return wechat_push(token=TOKEN, xml=message_xml(fields), timestamp=now)


async def timed_post(http: aiohttp.ClientSession, url: str, **kwargs: object) -> float:
    return await timed_request(http, "POST", url, **kwargs)


async def timed_request(http: aiohttp.ClientSession, method: str, url: str, **kwargs: object) -> float:
    started = time.perf_counter()
    async with http.request(method, url, **kwargs) as response:  # type: ignore[arg-type]
        await response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
    return time.perf_counter() - started


async def stored(hub) -> int:  # type: ignore[no-untyped-def]
    async with hub.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(MediaAttachment)
                                        .where(MediaAttachment.status == "stored")) or 0)


async def wait_stored(hub, count: int) -> None:  # type: ignore[no-untyped-def]
    while await stored(hub) < count:
        await asyncio.sleep(0.02)


async def wechat(http, base: str, hub, api: FakeWeixinApi, samples: list[bytes], photos: int) -> None:  # type: ignore[no-untyped-def]
    for n in range(20):
        api.customer_wrote(f"o-bench-{n}")
    text_acks = [await timed_post(http, f"{base}/webhooks/wechat", params=q, data=b)
                 for q, b in (push(n, media_id=None) for n in range(1, 51))]
    print(f"wechat text push ack (50): {summarize_ms(text_acks)}")
    for n in range(photos):
        api.put_media(f"m-{n}", samples[n % len(samples)], "image/jpeg")
    before = await stored(hub)
    started = time.perf_counter()
    acks = [await timed_post(http, f"{base}/webhooks/wechat", params=q, data=b)
            for q, b in (push(1000 + n, media_id=f"m-{n}") for n in range(photos))]
    await wait_stored(hub, before + photos)
    elapsed = time.perf_counter() - started
    total = sum(len(samples[n % len(samples)]) for n in range(photos))
    print(f"wechat image push ack ({photos}, photo fetched after the ack): {summarize_ms(acks)}")
    print(f"wechat media intake: {photos} photos, {total / MB:.0f} MB in {elapsed:.2f} s = {total / MB / elapsed:.1f} MB/s "
          "(first push to last photo stored)")


async def webchat(http, base: str, hub, samples: list[bytes], uploads: int) -> list[float]:  # type: ignore[no-untyped-def]
    before = await stored(hub)
    started = time.perf_counter()
    acks = [await timed_post(http, f"{base}/chat/upload", data=samples[n % len(samples)],
                             params={"session": f"bench-session-{n:06d}", "id": f"up-{n}", "name": "photo.jpg"})
            for n in range(uploads)]
    await wait_stored(hub, before + min(uploads, len(samples)))
    elapsed = time.perf_counter() - started
    size = sum(len(samples[n % len(samples)]) for n in range(uploads)) / uploads / MB
    print(f"web chat upload ack ({uploads} x {size:.1f} MB in the body): {summarize_ms(acks)}; "
          f"all kept {elapsed:.2f} s after the first")
    return acks


async def webchat_chunked(http, base: str, samples: list[bytes], uploads: int, whole: list[float]) -> None:  # type: ignore[no-untyped-def]
    """The page's way: open, then 256 KB chunks; the whole upload and its last chunk (the commit) are timed."""
    totals, commits = [], []
    for n in range(uploads):
        data = samples[n % len(samples)]
        started = time.perf_counter()
        async with http.post(f"{base}/chat/uploads", params={"session": f"bench-chunks-{n:06d}", "id": f"up-{n}",
                                                             "name": "photo.jpg", "size": str(len(data))}) as response:
            key = (await response.json())["upload"]
        chunks = [await timed_request(http, "PATCH", f"{base}/chat/uploads/{key}", params={"offset": str(offset)},
                                      data=data[offset:offset + CHUNK]) for offset in range(0, len(data), CHUNK)]
        totals.append(time.perf_counter() - started)
        commits.append(chunks[-1])
    ratio = sorted(totals)[len(totals) // 2] / sorted(whole)[len(whole) // 2]
    print(f"web chat chunked upload (256 KB chunks), open to ack: {summarize_ms(totals)} "
          f"({ratio:.2f} x the one-body upload's p50); last chunk with the commit: {summarize_ms(commits)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--uploads", type=int, default=10)
    parser.add_argument("--size-mb", type=float, default=5.0)
    options = parser.parse_args()
    asyncio.run(main(options.photos, options.uploads, options.size_mb))

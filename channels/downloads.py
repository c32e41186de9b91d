"""Reading a platform's file download without trusting its size: refused as soon as it passes the limit, so a
missing or lying Content-Length can never fill the hub's memory."""
from __future__ import annotations

import aiohttp

from core.media import MediaRejected

CHUNK = 256 * 1024
TIMEOUT = aiohttp.ClientTimeout(total=120, sock_read=30)


async def read_limited(resp: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    if resp.content_length is not None and resp.content_length > max_bytes:
        raise MediaRejected("too_large", f"{resp.content_length} bytes, the limit is {max_bytes}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise MediaRejected("too_large", f"over {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)

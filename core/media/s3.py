"""Blobs in an S3-compatible bucket (AWS S3, MinIO, Ceph, …), for hubs that run on several machines. Same interface
and addressing as the local store: the key is `prefix` + the sha256 of the bytes. When the store cannot be reached
every call raises `BlobUnavailable`, so the download stays queued and is retried; nothing is lost."""
from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import BotoCoreError, ClientError

from core.media.blobs import BlobUnavailable, check_digest, sha256

MISSING = frozenset({"404", "NoSuchKey", "NotFound"})
TIMEOUTS = AioConfig(connect_timeout=5, read_timeout=60, retries={"max_attempts": 2})


class S3BlobStore:
    def __init__(self, *, bucket: str, endpoint_url: str = "", region: str = "", access_key: str = "",
                 secret_key: str = "", prefix: str = "") -> None:
        self._bucket = bucket
        self._prefix = prefix
        self._options: dict[str, Any] = {
            "endpoint_url": endpoint_url or None, "region_name": region or None,
            "aws_access_key_id": access_key or None, "aws_secret_access_key": secret_key or None, "config": TIMEOUTS}
        self._stack: AsyncExitStack | None = None
        self._client: Any = None
        self._lock = asyncio.Lock()

    async def put(self, data: bytes) -> str:
        digest = sha256(data)
        client = await self._connected()
        try:
            if not await self._exists(client, digest):
                await client.put_object(Bucket=self._bucket, Key=self._key(digest), Body=data)
        except (BotoCoreError, ClientError, OSError) as exc:
            raise BlobUnavailable(f"s3://{self._bucket}: {exc}") from exc
        return digest

    async def get(self, digest: str) -> bytes | None:
        key = self._key(check_digest(digest))
        client = await self._connected()
        try:
            answer = await client.get_object(Bucket=self._bucket, Key=key)
            async with answer["Body"] as body:
                return bytes(await body.read())
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in MISSING:
                return None
            raise BlobUnavailable(f"s3://{self._bucket}/{key}: {exc}") from exc
        except (BotoCoreError, OSError) as exc:
            raise BlobUnavailable(f"s3://{self._bucket}/{key}: {exc}") from exc

    async def close(self) -> None:
        """Close the client's connections (the hub calls this when it stops)."""
        stack, self._stack, self._client = self._stack, None, None
        if stack is not None:
            await stack.aclose()

    async def _exists(self, client: Any, digest: str) -> bool:
        try:
            await client.head_object(Bucket=self._bucket, Key=self._key(digest))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in MISSING:
                return False
            raise
        return True

    async def _connected(self) -> Any:
        """One client for the store's life, made on first use."""
        async with self._lock:
            if self._client is None:
                stack = AsyncExitStack()
                self._client = await stack.enter_async_context(get_session().create_client("s3", **self._options))
                self._stack = stack
            return self._client

    def _key(self, digest: str) -> str:
        return f"{self._prefix}{digest[:2]}/{digest}"

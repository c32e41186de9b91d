"""Files sent after their message, one at a time, the same way on every platform: a platform hiccup (HTTP 5xx, a
rate limit, a token refreshed elsewhere) is retried a few times in place, honouring the wait the platform asks for;
a file still refused then goes as its fallback link. The message itself was sent before, so nothing here can make
the outbox send it twice or lose it."""
from __future__ import annotations

import logging
from typing import Awaitable, Callable, Sequence

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from channels.base import FileDelivery, OutgoingFile, SentWithFiles
from core.envelopes import Outbound
from core.ports import RetryableSendError, SendError
from templates.render import Rendered

log = logging.getLogger(__name__)

ATTEMPTS = 3
LONGEST_WAIT = 10.0
"""Seconds at most between two attempts at one file, whatever `retry_after` the platform named."""
_backoff = wait_exponential(multiplier=0.5, max=4)


def _wait(state) -> float:  # type: ignore[no-untyped-def]
    """The exponential backoff, or the platform's `retry_after` when it asks for longer (capped)."""
    error = state.outcome.exception() if state.outcome is not None else None
    asked = getattr(error, "retry_after", None) or 0.0
    return min(max(_backoff(state), float(asked)), LONGEST_WAIT)


async def message_then_files(send: Callable[[Outbound, Rendered], Awaitable[str]], message: Outbound,
                             rendered: Rendered, files: Sequence[OutgoingFile], *,
                             as_file: Callable[[OutgoingFile], Awaitable[None]]) -> SentWithFiles:
    """`message` through the channel's `send`, then each file through `as_file`; a file that cannot go as itself
    is replaced by its fallback message, sent through `send` too."""
    platform_id = await send(message, rendered)

    async def as_link(file: OutgoingFile) -> None:
        await send(message, file.fallback)
    return SentWithFiles(platform_id=platform_id, files=await send_files(files, as_file=as_file, as_link=as_link))


async def send_files(files: Sequence[OutgoingFile], *, as_file: Callable[[OutgoingFile], Awaitable[None]],
                     as_link: Callable[[OutgoingFile], Awaitable[None]]) -> tuple[FileDelivery, ...]:
    """Each file through `as_file`, retried on retryable errors; when that fails for good, through `as_link`."""
    delivered = []
    for file in files:
        try:
            async for attempt in AsyncRetrying(retry=retry_if_exception_type(RetryableSendError),
                                               stop=stop_after_attempt(ATTEMPTS), wait=_wait, reraise=True):
                with attempt:
                    await as_file(file)
        except SendError as refused:
            delivered.append(await _link(file, as_link, f"{refused.code or type(refused).__name__}: {refused}"))
            continue
        delivered.append(FileDelivery(way="file"))
    return tuple(delivered)


async def _link(file: OutgoingFile, as_link: Callable[[OutgoingFile], Awaitable[None]], why: str) -> FileDelivery:
    log.warning("%s not sent as a file (%s); sending its link", file.name, why)
    try:
        await as_link(file)
    except SendError as refused:
        log.warning("the link to %s was not sent either: %s", file.name, refused)
        return FileDelivery(way="lost", detail=f"{why}; link: {refused}")
    return FileDelivery(way="link", detail=why)

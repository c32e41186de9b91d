"""Slack Web API calls with failures translated into the outbox's terms: rate limits and platform or network trouble
are retryable (with `Retry-After` when Slack gives one); everything Slack refuses by name is permanent, so the outbox
dead-letters it and staff see the error code (e.g. `not_in_channel`) instead of an endless retry."""
from __future__ import annotations

import asyncio
from typing import Any, Awaitable

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError

from core.ports import PermanentSendError, RetryableSendError

TRANSIENT_ERRORS = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable",
                              "request_timeout", "team_added_to_org"})


async def checked(method: str, call: Awaitable[Any]) -> Any:
    """Await one `AsyncWebClient` call; raise `RetryableSendError` / `PermanentSendError` instead of SDK errors."""
    try:
        return await call
    except SlackApiError as exc:
        raise _translate(method, exc) from exc
    except (aiohttp.ClientError, asyncio.TimeoutError, SlackRequestError, OSError) as exc:
        raise RetryableSendError(f"Slack {method}: {exc.__class__.__name__}: {exc}", code="network") from exc


def _translate(method: str, exc: SlackApiError) -> Exception:
    response = exc.response
    status = int(getattr(response, "status_code", 0) or 0)
    data = response.data if isinstance(getattr(response, "data", None), dict) else {}
    code = str(data.get("error") or f"http_{status}")
    message = f"Slack {method} failed: {code} (HTTP {status})"
    if status == 429 or status >= 500 or code in TRANSIENT_ERRORS:
        return RetryableSendError(message, retry_after=_retry_after(response.headers), code=code)
    return PermanentSendError(message, code=code)


def _retry_after(headers: Any) -> float | None:
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            value = value[0] if isinstance(value, list) else value
            try:
                return float(value)
            except (TypeError, ValueError):
                return None
    return None

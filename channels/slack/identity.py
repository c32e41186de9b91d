"""Who the bot is (`auth.test`: its user id and bot id), fetched once and shared with bolt.

Bolt's own authorization calls `auth.test` lazily and, when that call fails, answers Slack with a 200 — the event
would be acknowledged without ever reaching the inbox. Fetching it here first lets the webhook answer 503 instead,
so Slack delivers the event again once the API answers.
"""
from __future__ import annotations

import asyncio
from typing import Awaitable, Callable

from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient


class BotIdentity:
    def __init__(self, *, client: AsyncWebClient) -> None:
        self._client = client
        self._result: AuthorizeResult | None = None
        self._lock = asyncio.Lock()

    def bolt_authorize(self) -> Callable[[], Awaitable[AuthorizeResult]]:
        """bolt's `authorize=` hook. Bolt passes arguments by parameter name and would trip over a method's
        `self`, so it gets a plain function."""
        async def authorize() -> AuthorizeResult:
            return await self.result()
        return authorize

    async def result(self) -> AuthorizeResult:
        """The bot's identity as bolt attaches it to every request; raises while `auth.test` fails."""
        if self._result is None:
            async with self._lock:
                if self._result is None:
                    response = await self._client.auth_test()
                    self._result = AuthorizeResult.from_auth_test_response(auth_test_response=response,
                                                                           bot_token=self._client.token)
        return self._result

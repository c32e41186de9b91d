"""One declaration per endpoint (`Operation`): path, method, the role it needs, and the pydantic models of its
query, body and answer. The same declarations validate every request, shape every answer and generate the OpenAPI
document (bot.api.openapi), so the documented API is the served one."""
from __future__ import annotations

import json
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Awaitable, Callable, Mapping
from urllib.parse import quote

from aiohttp import web
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.api.auth import Principal
from bot.api.errors import ApiError, bad_request, invalid
from bot.api.signin import SignIns
from bot.bootstrap import Hub
from core.envelopes import Outbound
from core.outbox import enqueue
from core.services.unit import Services

TICKET_CODE = r"[Ss][Rr]-\d{8}-\d{4,6}"
"""A ticket id in a path (`SR-YYYYMMDD-NNNN`, any case)."""
HUB = web.AppKey("api_hub", Hub)
SIGNINS = web.AppKey("api_signins", SignIns)
MAX_BODY = web.AppKey("api_max_body", int)


@dataclass(kw_only=True)
class Call:
    """One request, parsed: who called, the validated query and body, the path's parameters."""

    hub: Hub
    principal: Principal
    query: Any
    body: Any
    path: Mapping[str, str]
    _messages: list[Outbound] = field(default_factory=list)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Services]:
        async with self.hub.sessions() as session:
            yield self.hub.services(session)

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[Services]:
        """One transaction: the changes, their audit log, webhook events and the messages queued with `send`
        commit together; the sender is woken after."""
        async with self.hub.sessions() as session:
            async with session.begin():
                yield self.hub.services(session)
                await self._queue(session)
        self.hub.sender.wake()

    def send(self, *messages: Outbound | None) -> None:
        """Queue messages to people, written with the transaction of `writing`."""
        self._messages.extend(m for m in messages if m is not None)

    async def _queue(self, session: AsyncSession) -> None:
        messages, self._messages = self._messages, []
        await enqueue(session, messages, self.hub.clock.now())


@dataclass(frozen=True, kw_only=True)
class Download:
    """A file answer (an export, an attachment) instead of JSON: the browser saves it under `filename`, or shows it
    when `inline` (pictures). Never sniffed by the browser and sandboxed, so a customer's file cannot run script in
    the console's origin."""

    body: bytes
    media_type: str
    filename: str
    inline: bool = False

    def response(self) -> web.Response:
        disposition = f"{'inline' if self.inline else 'attachment'}; filename*=UTF-8''{quote(self.filename)}"
        return web.Response(body=self.body, headers={"Content-Type": self.media_type, "Cache-Control": "no-store",
                                                     "Content-Disposition": disposition,
                                                     "X-Content-Type-Options": "nosniff",
                                                     "Content-Security-Policy": "sandbox; default-src 'none'"})


Handler = Callable[[Call], Awaitable[BaseModel | Download]]


@dataclass(frozen=True, kw_only=True)
class Operation:
    method: str
    path: str
    """Relative to `/api/v1`, with `{name}` parameters (integers when `int_params` names them)."""
    summary: str
    tag: str
    role: str
    handler: Handler
    response: type[BaseModel] | None
    """The JSON answer's model; None for an operation that answers a `Download` in one of `downloads`."""
    downloads: tuple[str, ...] = ()
    status: int = 200
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    errors: tuple[int, ...] = ()
    int_params: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.handler.__name__

    def route(self) -> web.RouteDef:
        """An integer parameter matches up to nine digits (any other is a 404), so it always fits the database; a
        ticket `code` matches only a ticket id, so `/tickets/counts` is never taken for one."""
        path = self.path
        for name in self.int_params:
            path = path.replace("{" + name + "}", "{" + name + r":\d{1,9}}")
        return web.route(self.method, path.replace("{code}", "{code:" + TICKET_CODE + "}"), self._serve)

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        principal = await request.app[SIGNINS].caller(request)
        if not principal.may(self.role):
            raise ApiError(403, "forbidden", f"this needs the {self.role} role")
        call = Call(hub=request.app[HUB], principal=principal, query=self._query(request),
                    body=await self._body(request), path=dict(request.match_info))
        answer = await self.handler(call)
        if isinstance(answer, Download):
            return answer.response()
        return web.json_response(answer.model_dump(mode="json"), status=self.status,
                                 dumps=lambda v: json.dumps(v, ensure_ascii=False))

    def _query(self, request: web.Request) -> Any:
        if self.query is None:
            return None
        try:
            return self.query.model_validate(dict(request.query.items()))
        except ValidationError as exc:
            raise invalid(exc, "query") from None

    async def _body(self, request: web.Request) -> Any:
        """The body, read up to the limit and validated strictly: JSON types as the schema says (`0` is not
        `false`), where a query string's text is converted."""
        if self.body is None:
            return None
        limit = request.app[MAX_BODY]
        if request.content_length is not None and request.content_length > limit:
            raise ApiError(413, "too_large", f"the body is over {limit} bytes")
        raw = await request.content.read(limit + 1)
        if len(raw) > limit:
            raise ApiError(413, "too_large", f"the body is over {limit} bytes")
        try:
            json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise bad_request("body", "not JSON") from None
        try:
            return self.body.model_validate_json(raw, strict=True)
        except ValidationError as exc:
            raise invalid(exc, "body") from None

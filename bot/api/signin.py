"""Signing in to the console and the dashboard with an API token, and who a request comes from.

A person types a token once; the hub answers with a session cookie (HttpOnly, so scripts never read it;
SameSite=Strict, so no other site's page sends it; Secure over HTTPS) and an anti-forgery token the page keeps in
memory. From then on `/api/v1` accepts the cookie in place of `Authorization: Bearer`, with the token's role. A
request that changes anything on the strength of the cookie must come from the hub's own pages: it must carry the
anti-forgery token in `X-CSRF-Token`, and an `Origin` or `Sec-Fetch-Site` header naming another site is refused.
Signing out deletes the session, so the cookie is worthless even to someone who copied it."""
from __future__ import annotations

import hmac
import json
from datetime import timedelta
from urllib.parse import urlsplit

from aiohttp import web

from bot.api.auth import Principal, Tokens, digest
from bot.api.errors import ApiError, error_response
from bot.bootstrap import Hub
from core.services.web_sessions import SessionView, WebSessionService

COOKIE = "aftersales_session"
CSRF_HEADER = "X-CSRF-Token"
MAX_SIGN_IN_BYTES = 4096
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SignIns:
    def __init__(self, *, hub: Hub, tokens: Tokens, ttl: timedelta) -> None:
        self._hub = hub
        self._tokens = tokens
        self._ttl = ttl

    async def caller(self, request: web.Request) -> Principal:
        """Who sent the request: a bearer token, else the session cookie (checked against forgery when the
        method changes something); 401 otherwise."""
        header = request.headers.get("Authorization")
        cookie = request.cookies.get(COOKIE)
        if header is not None or cookie is None:
            return self._tokens.principal(header)
        principal, session = await self._session(cookie)
        if request.method not in SAFE_METHODS:
            _same_site(request)
            if not hmac.compare_digest(request.headers.get(CSRF_HEADER, "").encode(), session.csrf.encode()):
                raise ApiError(403, "forbidden", f"send the page's {CSRF_HEADER}")
        return principal

    async def sign_in(self, request: web.Request) -> web.Response:
        """`POST {"token": "…"}` → the cookie, and who signed in with the anti-forgery token."""
        try:
            _same_site(request)
            token = await _token(request)
            principal = self._tokens.find(token)
            if principal is None:
                raise ApiError(401, "unauthorized", "the token is not valid")
        except ApiError as exc:
            return error_response(exc.status, exc.code, exc.message)
        async with self._hub.sessions() as session, session.begin():
            opened = await WebSessionService(session=session, clock=self._hub.clock).open(
                token_digest=digest(token), ttl=self._ttl)
        response = _whoami(principal, opened.csrf)
        response.set_cookie(COOKIE, opened.id, max_age=int(self._ttl.total_seconds()), path="/", httponly=True,
                            samesite="Strict", secure=request.secure)
        return response

    async def whoami(self, request: web.Request) -> web.Response:
        """The signed-in person's token name and role, and the anti-forgery token (for a page just loaded)."""
        try:
            principal, session = await self._session(request.cookies.get(COOKIE, ""))
        except ApiError as exc:
            return error_response(exc.status, exc.code, exc.message)
        return _whoami(principal, session.csrf)

    async def sign_out(self, request: web.Request) -> web.Response:
        cookie = request.cookies.get(COOKIE)
        try:
            await self.caller(request)
        except ApiError as exc:
            return error_response(exc.status, exc.code, exc.message)
        if cookie is not None:
            async with self._hub.sessions() as session, session.begin():
                await WebSessionService(session=session, clock=self._hub.clock).close(cookie)
        response = web.json_response({"signed_in": False})
        response.del_cookie(COOKIE, path="/")
        return response

    async def _session(self, cookie: str) -> tuple[Principal, SessionView]:
        async with self._hub.sessions() as session:
            found = await WebSessionService(session=session, clock=self._hub.clock).find(cookie) if cookie else None
        principal = self._tokens.holder(found.token_digest) if found is not None else None
        if found is None or principal is None:
            raise ApiError(401, "unauthorized", "not signed in, or the session has ended")
        return principal, found


def _whoami(principal: Principal, csrf: str) -> web.Response:
    return web.json_response({"name": principal.name, "role": principal.role, "csrf": csrf},
                             headers={"Cache-Control": "no-store"})


def _same_site(request: web.Request) -> None:
    """Refuse a request a page of another site sent (browsers name the page's origin on every such request)."""
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        raise ApiError(403, "forbidden", "cross-site request refused")
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        raise ApiError(403, "forbidden", "cross-site request refused")


async def _token(request: web.Request) -> str:
    raw = await request.content.read(MAX_SIGN_IN_BYTES + 1)
    if len(raw) > MAX_SIGN_IN_BYTES:
        raise ApiError(413, "too_large", f"the body is over {MAX_SIGN_IN_BYTES} bytes")
    try:
        token = json.loads(raw).get("token")
    except (ValueError, UnicodeDecodeError, AttributeError):
        raise ApiError(400, "bad_request", 'body: send {"token": "…"}') from None
    if not isinstance(token, str) or not token.strip():
        raise ApiError(400, "bad_request", "token: missing")
    return token.strip()

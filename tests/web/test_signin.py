"""Signing in to the console with an API token: the cookie it sets, what `/api/v1` accepts with it, and every way
to misuse it — no cookie, a forged one, an expired one, one signed out, a write without the page's anti-forgery
token, a cross-site request."""
from __future__ import annotations

from typing import Any

import pytest

from bot.api.signin import COOKIE
from core.clock import FakeClock
from tests.api.conftest import TOKENS

HOURS = 3600


@pytest.fixture
def hub_clock() -> FakeClock:
    return FakeClock()


class Browser:
    """A client that keeps the session cookie by hand (the test server is an IP address, which cookie jars skip)."""

    def __init__(self, api) -> None:  # type: ignore[no-untyped-def]
        self.api = api
        self.cookie = ""
        self.csrf = ""

    async def request(self, method: str, path: str, *, json: Any = None, headers: dict[str, str] | None = None,
                      cookie: str | None = None) -> tuple[int, Any, Any]:
        sent = {"Cookie": f"{COOKIE}={self.cookie if cookie is None else cookie}", **(headers or {})}
        async with self.api.http.request(method, self.api.server.make_url(path), json=json,
                                         headers=sent) as response:
            body = await response.json() if response.content_type == "application/json" else await response.text()
            return response.status, body, response

    async def sign_in(self, token: str) -> tuple[int, Any, Any]:
        status, body, response = await self.request("POST", "/console/session", json={"token": token})
        if status == 200:
            self.cookie = response.cookies[COOKIE].value
            self.csrf = body["csrf"]
        return status, body, response


@pytest.fixture
def browser(api) -> Browser:  # type: ignore[no-untyped-def]
    return Browser(api)


async def test_no_ticket_data_without_signing_in(browser: Browser, api) -> None:  # type: ignore[no-untyped-def]
    ticket = await api.phoned_in("洗衣机不脱水了")
    status, page, response = await browser.request("GET", "/console")
    assert status == 200 and ticket["id"] not in page and "default-src 'self'" in response.headers[
        "Content-Security-Policy"]
    assert (await browser.request("GET", "/api/v1/tickets"))[0] == 401
    assert (await browser.request("GET", "/console/session"))[0] == 401
    assert (await browser.request("GET", "/console/events"))[0] == 401
    status, body, _ = await browser.sign_in("not-a-token")
    assert status == 401 and body["error"]["code"] == "unauthorized"


async def test_the_cookie_stands_in_for_the_token_with_its_role(browser: Browser, api) -> None:  # type: ignore[no-untyped-def]
    ticket = await api.phoned_in("洗衣机不脱水了")
    status, who, response = await browser.sign_in(TOKENS["agent"])
    assert status == 200 and (who["name"], who["role"]) == ("console", "agent")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert TOKENS["agent"] not in cookie
    status, page, _ = await browser.request("GET", "/api/v1/tickets")
    assert status == 200 and [t["id"] for t in page["items"]] == [ticket["id"]]
    assert (await browser.request("GET", "/api/v1/stats"))[0] == 403, "an agent's session is an agent"
    status, again, _ = await browser.request("GET", "/console/session")
    assert status == 200 and again["csrf"] == browser.csrf


async def test_writes_need_the_pages_token_and_the_same_site(browser: Browser, api) -> None:  # type: ignore[no-untyped-def]
    ticket = await api.phoned_in("洗衣机不脱水了")
    await browser.sign_in(TOKENS["agent"])
    path = f"/api/v1/tickets/{ticket['id']}/notes"
    own = str(api.server.make_url("")).rstrip("/")
    for headers in ({}, {"X-CSRF-Token": "guessed"},
                    {"X-CSRF-Token": browser.csrf, "Origin": "https://evil.example"},
                    {"X-CSRF-Token": browser.csrf, "Sec-Fetch-Site": "cross-site"}):
        status, body, _ = await browser.request("POST", path, json={"text": "伪造"}, headers=headers)
        assert status == 403 and body["error"]["code"] == "forbidden", headers
    status, body, _ = await browser.request("POST", path, json={"text": "真的备注"},
                                            headers={"X-CSRF-Token": browser.csrf, "Origin": own})
    assert status == 201
    _, detail = await api.get(f"/tickets/{ticket['id']}")
    assert [e["data"]["after"]["text"] for e in detail["events"] if e["kind"] == "note"] == ["真的备注"]
    status, _, _ = await browser.request("POST", "/console/session", json={"token": TOKENS["agent"]},
                                         headers={"Origin": "https://evil.example"})
    assert status == 403, "nobody is signed in from another site's page"


async def test_forged_expired_and_signed_out_cookies_are_refused(browser: Browser, hub_clock: FakeClock) -> None:
    await browser.sign_in(TOKENS["agent"])
    assert (await browser.request("GET", "/api/v1/tickets"))[0] == 200
    assert (await browser.request("GET", "/api/v1/tickets", cookie=browser.cookie[:-2] + "xx"))[0] == 401
    assert (await browser.request("GET", "/api/v1/tickets", cookie="'; DROP TABLE web_sessions; --"))[0] == 401
    hub_clock.advance(13 * HOURS)
    status, body, _ = await browser.request("GET", "/api/v1/tickets")
    assert status == 401 and "sign" in body["error"]["message"]

    await browser.sign_in(TOKENS["agent"])
    stolen = browser.cookie
    status, _, response = await browser.request("DELETE", "/console/session", headers={"X-CSRF-Token": browser.csrf})
    assert status == 200 and response.cookies[COOKIE].value == ""
    assert (await browser.request("GET", "/api/v1/tickets", cookie=stolen))[0] == 401

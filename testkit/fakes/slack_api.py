"""A wire-faithful fake of the Slack Web API on loopback, the request signing Slack does for webhooks, and an
in-memory intake that answers like the hub's inbox (tests and `bench/bench_slack.py` share them).

API side: every method checks `Authorization: Bearer <bot token>` (`invalid_auth` otherwise), answers `auth.test`
(bolt calls it on the first request), `chat.postMessage` / `chat.update` (validating Block Kit basics: unique
`action_id`s, section text ≤ 3000, ≤ 25 buttons per actions block) and `users.info`, records each call per method,
and can be told to answer the next calls of a method with a 429 + `Retry-After` or a named error. Shared files are
served at their `url_private` to the bot token only (without it, Slack answers its sign-in page with a 200). Files
the bot shares come in Slack's external upload: `files.getUploadURLExternal` (filename and length) answers an upload
URL and a file id, the bytes are POSTed to that URL (which needs no token: it is the secret), and
`files.completeUploadExternal` shares the uploaded files into `channel_id` (and `thread_ts`); `uploads` keeps what
was shared, bytes included.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import parse_qsl

from aiohttp import web
from aiohttp.test_utils import TestServer


TEAM_ID = "T0CUSTOMER"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"


@dataclass
class _Scripted:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class FakeSlackApi:
    def __init__(self, *, token: str, users: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.token = token
        self.users = dict(users or {})
        self.calls: dict[str, list[dict[str, Any]]] = {}
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self._scripted: dict[str, list[_Scripted]] = {}
        self._ts = 1_763_859_600_000_000
        self._server: TestServer | None = None
        self.files: dict[str, tuple[bytes, str]] = {}
        self.file_downloads: list[str] = []
        self._pending_uploads: dict[str, dict[str, Any]] = {}
        self.uploads: list[dict[str, Any]] = []
        """Files the bot shared: `file_id, filename, title, data, channel, thread_ts`."""

    @property
    def url(self) -> str:
        """slack_sdk's `base_url`."""
        assert self._server is not None
        return str(self._server.make_url("/api/"))

    async def start(self) -> "FakeSlackApi":
        app = web.Application()
        app.router.add_post("/api/{method}", self._handle)
        app.router.add_get("/files-pri/{file_id}/{name}", self._file)
        app.router.add_post("/upload/v1/{key}", self._upload)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()
        return self

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    def share_file(self, file_id: str, name: str, data: bytes, mimetype: str) -> dict[str, Any]:
        """A file a person shared: the `files` entry of the `message` event that carries it."""
        self.files[file_id] = (data, mimetype)
        assert self._server is not None
        url = str(self._server.make_url(f"/files-pri/{TEAM_ID}-{file_id}/{name}"))
        return {"id": file_id, "name": name, "mimetype": mimetype, "size": len(data), "url_private": url,
                "url_private_download": url + "?download=1"}

    async def _file(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"].removeprefix(f"{TEAM_ID}-")
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.Response(text="<html><body>Sign in to Slack</body></html>", content_type="text/html")
        if file_id not in self.files:
            return web.Response(status=404, text="file_not_found")
        self.file_downloads.append(file_id)
        data, mimetype = self.files[file_id]
        return web.Response(body=data, content_type=mimetype)

    def rate_limit(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        self._script(method, times, _Scripted(429, {"ok": False, "error": "ratelimited"},
                                              {"Retry-After": str(retry_after)}))

    def fail(self, method: str, error: str, *, status: int = 200, times: int = 1) -> None:
        self._script(method, times, _Scripted(status, {"ok": False, "error": error}))

    def recover(self, method: str) -> None:
        """Answer `method` normally again, whatever failures were still scripted for it."""
        self._scripted.pop(method, None)

    def called(self, method: str) -> list[dict[str, Any]]:
        return self.calls.get(method, [])

    def _script(self, method: str, times: int, answer: _Scripted) -> None:
        self._scripted.setdefault(method, []).extend([answer] * times)

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        self.calls.setdefault(method, []).append(params)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        queue = self._scripted.get(method)
        if queue:
            answer = queue.pop(0)
            return web.json_response(answer.body, status=answer.status, headers=answer.headers)
        handler = {"auth.test": self._auth_test, "chat.postMessage": self._post, "chat.update": self._update,
                   "users.info": self._user_info, "files.getUploadURLExternal": self._upload_url,
                   "files.completeUploadExternal": self._complete_upload}.get(method)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"}, status=404)
        return web.json_response(handler(params))

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://customer.slack.test/", "team": "Customer", "user": "aftersales",
                "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False}

    def _post(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        problem = _check_message(params)
        if problem:
            return {"ok": False, "error": problem}
        self._ts += 100
        ts = f"{self._ts // 1_000_000}.{self._ts % 1_000_000:06d}"
        message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts, "text": params.get("text"),
                   "blocks": params.get("blocks"), "thread_ts": params.get("thread_ts")}
        self.messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _update(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (str(params.get("channel") or ""), str(params.get("ts") or ""))
        if key not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        problem = _check_message(params)
        if problem:
            return {"ok": False, "error": problem}
        self.messages[key].update(text=params.get("text"), blocks=params.get("blocks"))
        return {"ok": True, "channel": key[0], "ts": key[1], "text": params.get("text")}

    def _upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            length = int(params.get("length") or 0)
        except ValueError:
            length = 0
        if not params.get("filename") or length <= 0:
            return {"ok": False, "error": "invalid_arguments"}
        file_id, key = f"F0UP{len(self._pending_uploads) + len(self.uploads):05d}", secrets.token_urlsafe(16)
        self._pending_uploads[key] = {"file_id": file_id, "filename": params["filename"], "length": length,
                                      "data": None}
        assert self._server is not None
        return {"ok": True, "upload_url": str(self._server.make_url(f"/upload/v1/{key}")), "file_id": file_id}

    async def _upload(self, request: web.Request) -> web.Response:
        """The bytes of a file, raw or as the multipart field `file`, to the URL `files.getUploadURLExternal`
        gave; the length must be the one announced."""
        pending = self._pending_uploads.get(request.match_info["key"])
        if pending is None:
            return web.Response(status=404, text="not found")
        if request.content_type == "multipart/form-data":
            field = (await request.post()).get("file")
            data = field.file.read() if isinstance(field, web.FileField) else b""
        else:
            data = await request.read()
        if len(data) != pending["length"]:
            return web.Response(status=400, text="length mismatch")
        pending["data"] = data
        return web.Response(text=f"OK - {len(data)}")

    def _complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            files = json.loads(params.get("files") or "[]")
        except ValueError:
            return {"ok": False, "error": "invalid_arguments"}
        by_id = {p["file_id"]: (key, p) for key, p in self._pending_uploads.items() if p["data"] is not None}
        if not files or any(f.get("id") not in by_id for f in files):
            return {"ok": False, "error": "file_not_found"}
        shared = []
        for f in files:
            key, pending = by_id[f["id"]]
            del self._pending_uploads[key]
            upload = {**pending, "title": f.get("title") or pending["filename"],
                      "channel": params.get("channel_id") or "", "thread_ts": params.get("thread_ts") or None}
            self.uploads.append(upload)
            shared.append({"id": f["id"], "name": pending["filename"], "title": upload["title"],
                           "size": len(pending["data"])})
        return {"ok": True, "files": shared}

    def _user_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(params.get("user") or ""))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}


async def _params(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if request.content_type == "application/json":
        return json.loads(raw or b"{}")
    params: dict[str, Any] = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    params.update(request.query)
    if isinstance(params.get("blocks"), str):
        params["blocks"] = json.loads(params["blocks"])
    return params


def _check_message(params: Mapping[str, Any]) -> str | None:
    blocks = params.get("blocks") or []
    if not params.get("text") and not blocks:
        return "no_text"
    action_ids: list[str] = []
    for block in blocks:
        if block.get("type") == "section" and not 0 < len(block["text"]["text"]) <= 3000:
            return "invalid_blocks"
        if block.get("type") == "actions":
            elements = block.get("elements") or []
            if not 0 < len(elements) <= 25:
                return "invalid_blocks"
            action_ids += [e["action_id"] for e in elements]
    return "invalid_blocks" if len(action_ids) != len(set(action_ids)) else None


def sign(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers Slack sends: ``v0=HMAC-SHA256(secret, "v0:{ts}:{body}")``."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}

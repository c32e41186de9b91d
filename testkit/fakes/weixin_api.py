"""A wire-faithful fake of the WeChat Official Account and WeCom platforms on loopback.

API side (one aiohttp app serves both): issues access tokens that expire on the injected clock (42001 for expired,
40001/40014 for unknown), enforces the 48-hour customer-service window per openid (45015) from the last inbound time it
is told about, rate-limits on demand (45009), validates message bodies and records every call. `/cgi-bin/media/upload`
takes temporary media as multipart `media` (images checked for format and size) and image messages must name media
the platform holds (40007 otherwise). `/cgi-bin/media/get`
serves the bytes of media a test put there, to a valid token of the media's platform only, for three days (then
40007 invalid media_id, as for an id never issued); an OA video answers `video_url` instead, as WeChat does.
Callback side: builds pushes exactly as the platforms do — token signature, AES body with AppId/CorpId, msg_signature.
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping, Sequence

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from wechatpy.crypto import PrpCrypto as WeChatPrp
from wechatpy.enterprise.crypto import PrpCrypto as WeComPrp

from core.clock import Clock

WINDOW = timedelta(hours=48)
MEDIA_LIFETIME = timedelta(days=3)
WECHAT_MSG_TYPES = frozenset({"text", "image", "voice", "video", "music", "news", "mpnews", "msgmenu", "wxcard"})
WECOM_MSG_TYPES = frozenset({"text", "image", "voice", "video", "file", "textcard", "news", "mpnews", "markdown",
                             "template_card"})
UPLOAD_TYPES = {"wechat": frozenset({"image", "voice", "video", "thumb"}),
                "wecom": frozenset({"image", "voice", "video", "file"}), "": frozenset()}
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")
IMAGE_MAX_BYTES = 10 * 1024 * 1024
APPCHAT_MSG_TYPES = frozenset({"text", "image", "voice", "video", "file", "textcard", "news", "mpnews", "markdown"})


@dataclass
class Media:
    data: bytes
    content_type: str
    platform: str
    uploaded_at: datetime
    filename: str


@dataclass
class Call:
    path: str
    body: dict[str, Any]
    raw: bytes
    errcode: int


class FakeWeixinApi:
    def __init__(self, *, clock: Clock, app_id: str, app_secret: str, corp_id: str, corp_secret: str,
                 agent_id: int, templates: Sequence[str] = (), token_ttl: int = 7200) -> None:
        self.clock = clock
        self.app_id, self.app_secret = app_id, app_secret
        self.corp_id, self.corp_secret, self.agent_id = corp_id, corp_secret, agent_id
        self.templates = set(templates)
        self.token_ttl = token_ttl
        self.tokens: dict[str, tuple[str, datetime]] = {}
        self.token_requests = {"wechat": 0, "wecom": 0}
        self.last_inbound: dict[str, datetime] = {}
        self.calls: list[Call] = []
        self.response_codes: set[str] = set()
        self._throttle: list[int] = []
        self._msg_seq = 1000
        self.media: dict[str, Media] = {}
        self.media_downloads: list[str] = []
        self.fail_media = 0
        """The next this many media downloads answer HTTP 503 (a platform hiccup)."""
        self.uploads: list[str] = []
        """Media ids of the files uploaded (`/cgi-bin/media/upload`), in order; their bytes are in `media`."""
        self.fail_uploads = 0
        """The next this many uploads answer HTTP 503."""
        self._server: TestServer | None = None

    # --- controls used by tests -------------------------------------------------------------------------------
    def customer_wrote(self, openid: str, at: datetime | None = None) -> None:
        self.last_inbound[openid] = at or self.clock.now()

    def expire_tokens(self) -> None:
        """Server-side expiry the client cannot see coming (e.g. token refreshed elsewhere)."""
        past = self.clock.now() - timedelta(seconds=1)
        self.tokens = {t: (platform, past) for t, (platform, _) in self.tokens.items()}

    def revoke_tokens(self) -> None:
        self.tokens.clear()

    def put_media(self, media_id: str, data: bytes, content_type: str, *, platform: str = "wechat",
                  filename: str = "") -> None:
        """Media a pushed message names by `media_id`, as the platform holds it from now on."""
        self.media[media_id] = Media(data=data, content_type=content_type, platform=platform,
                                     uploaded_at=self.clock.now(), filename=filename or f"{media_id}.bin")

    def throttle(self, *errcodes: int) -> None:
        """The next API calls answer these errcodes, in order (45009 rate limit, -1 system busy…)."""
        self._throttle.extend(errcodes)

    def sent(self, path: str) -> list[dict[str, Any]]:
        return [c.body for c in self.calls if c.path == path and c.errcode == 0]

    @property
    def url(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("")).rstrip("/")

    async def start(self) -> "FakeWeixinApi":
        self._server = TestServer(self.app(), host="127.0.0.1")
        await self._server.start_server()
        return self

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    def app(self) -> web.Application:
        app = web.Application()
        app.add_routes([
            web.get("/cgi-bin/token", self._wechat_token),
            web.get("/cgi-bin/gettoken", self._wecom_token),
            web.post("/cgi-bin/message/custom/send", self._custom_send),
            web.post("/cgi-bin/message/template/send", self._template_send),
            web.post("/cgi-bin/message/send", self._wecom_send),
            web.post("/cgi-bin/appchat/send", self._appchat_send),
            web.get("/cgi-bin/media/get", self._media_get),
            web.post("/cgi-bin/media/upload", self._media_upload),
            web.get("/media-files/{media_id}", self._media_file),
            web.post("/cgi-bin/message/update_template_card", self._wecom_update_card),
        ])
        return app

    # --- tokens -------------------------------------------------------------------------------------------------
    def _issue(self, platform: str) -> dict[str, Any]:
        self.token_requests[platform] += 1
        token = secrets.token_urlsafe(24)
        self.tokens[token] = (platform, self.clock.now() + timedelta(seconds=self.token_ttl))
        return {"access_token": token, "expires_in": self.token_ttl}

    async def _wechat_token(self, request: web.Request) -> web.Response:
        q = request.query
        if q.get("grant_type") != "client_credential":
            return _reply({"errcode": 40002, "errmsg": "invalid grant_type"})
        if q.get("appid") != self.app_id:
            return _reply({"errcode": 40013, "errmsg": "invalid appid"})
        if q.get("secret") != self.app_secret:
            return _reply({"errcode": 40125, "errmsg": "invalid appsecret"})
        return _reply(self._issue("wechat"))

    async def _wecom_token(self, request: web.Request) -> web.Response:
        if request.query.get("corpid") != self.corp_id:
            return _reply({"errcode": 40013, "errmsg": "invalid corpid"})
        if request.query.get("corpsecret") != self.corp_secret:
            return _reply({"errcode": 40001, "errmsg": "invalid secret"})
        return _reply({"errcode": 0, "errmsg": "ok", **self._issue("wecom")})

    def _token_error(self, request: web.Request, platform: str) -> int:
        token = request.query.get("access_token", "")
        if token not in self.tokens or self.tokens[token][0] != platform:
            return 40001 if platform == "wechat" else 40014
        if self.tokens[token][1] <= self.clock.now():
            return 42001
        return 0

    # --- media ----------------------------------------------------------------------------------------------------
    def _token_platform(self, request: web.Request) -> tuple[str, int]:
        """The platform of the request's token, and the token errcode (0 when valid)."""
        token = request.query.get("access_token", "")
        if token not in self.tokens:
            return "", 40001
        platform, expires = self.tokens[token]
        return platform, (42001 if expires <= self.clock.now() else 0)

    async def _media_get(self, request: web.Request) -> web.StreamResponse:
        media_id = request.query.get("media_id", "")
        platform, errcode = self._token_platform(request)
        if errcode == 0 and self.fail_media > 0:
            self.fail_media -= 1
            return web.Response(status=503, text="busy")
        media = self.media.get(media_id)
        if errcode == 0 and (media is None or media.platform != platform
                             or self.clock.now() - media.uploaded_at > MEDIA_LIFETIME):
            errcode = 40007
        self.calls.append(Call(path=request.path, body=dict(request.query), raw=b"", errcode=errcode))
        if errcode:
            return _reply({"errcode": errcode, "errmsg": "invalid media_id" if errcode == 40007 else "token"})
        assert media is not None
        if media.platform == "wechat" and media.content_type.startswith("video/"):
            return _reply({"video_url": str(request.url.with_path(f"/media-files/{media_id}").with_query(None))})
        return self._file(media_id, media)

    async def _media_upload(self, request: web.Request) -> web.Response:
        """Temporary media, as both platforms take it: `type` in the query, the file as the multipart field
        `media` (with a filename); an image must be JPG, PNG or GIF (40005 otherwise) of at most 10 MB (40009).
        Answers `type`, `media_id`, `created_at` — which the platform's own messages may then name."""
        platform, errcode = self._token_platform(request)
        if errcode == 0 and self.fail_uploads > 0:
            self.fail_uploads -= 1
            return web.Response(status=503, text="busy")
        kind = request.query.get("type", "")
        file = None
        if errcode == 0 and request.content_type == "multipart/form-data":
            form = await request.post()
            file = form.get("media")
        if errcode:
            reply = {"errcode": errcode, "errmsg": "token"}
        elif kind not in UPLOAD_TYPES[platform]:
            reply = {"errcode": 40004, "errmsg": "invalid media type"}
        elif not isinstance(file, web.FileField) or not file.filename:
            reply = {"errcode": 41005, "errmsg": "media data missing"}
        else:
            data = file.file.read()
            if kind == "image" and not data.startswith(IMAGE_MAGIC):
                reply = {"errcode": 40005, "errmsg": "invalid file type"}
            elif kind == "image" and len(data) > IMAGE_MAX_BYTES:
                reply = {"errcode": 40009, "errmsg": "invalid image size"}
            else:
                media_id = f"up-{platform}-{secrets.token_hex(8)}"
                self.put_media(media_id, data, file.content_type, platform=platform, filename=file.filename)
                self.uploads.append(media_id)
                reply = {"type": kind, "media_id": media_id, "created_at": int(self.clock.now().timestamp())}
                if platform == "wecom":
                    reply = {"errcode": 0, "errmsg": "ok", **reply}
        self.calls.append(Call(path=request.path, body=dict(request.query), raw=b"",
                               errcode=int(reply.get("errcode", 0))))
        return _reply(reply)

    def _media_error(self, body: Mapping[str, Any], platform: str) -> dict[str, Any] | None:
        """40007 for a media message naming media this platform does not hold (or no longer: three days)."""
        media = self.media.get(str((body.get(body.get("msgtype", "")) or {}).get("media_id", "")))
        if media is None or media.platform != platform or self.clock.now() - media.uploaded_at > MEDIA_LIFETIME:
            return {"errcode": 40007, "errmsg": "invalid media_id"}
        return None

    async def _media_file(self, request: web.Request) -> web.StreamResponse:
        media_id = request.match_info["media_id"]
        media = self.media.get(media_id)
        if media is None:
            return web.Response(status=404)
        return self._file(media_id, media)

    def _file(self, media_id: str, media: Media) -> web.Response:
        self.media_downloads.append(media_id)
        return web.Response(body=media.data, headers={
            "Content-Type": media.content_type,
            "Content-Disposition": f'attachment; filename="{media.filename}"'})

    # --- sending ------------------------------------------------------------------------------------------------
    async def _handle(self, request: web.Request, platform: str, check) -> web.Response:
        raw = await request.read()
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return self._record(request.path, {}, raw, {"errcode": 47001, "errmsg": "data format error"})
        reply = {"errcode": self._token_error(request, platform), "errmsg": "token"}
        if reply["errcode"] == 0 and self._throttle:
            reply = {"errcode": self._throttle.pop(0), "errmsg": "api freq out of limit"}
        if reply["errcode"] == 0:
            reply = check(body)
        return self._record(request.path, body, raw, reply)

    def _record(self, path: str, body: dict[str, Any], raw: bytes, reply: dict[str, Any]) -> web.Response:
        self.calls.append(Call(path=path, body=body, raw=raw, errcode=int(reply["errcode"])))
        return _reply(reply)

    def _next_msgid(self) -> int:
        self._msg_seq += 1
        return self._msg_seq

    async def _custom_send(self, request: web.Request) -> web.Response:
        def check(body: dict[str, Any]) -> dict[str, Any]:
            if body.get("msgtype") not in WECHAT_MSG_TYPES or not body.get("touser"):
                return {"errcode": 40008, "errmsg": "invalid message type"}
            last = self.last_inbound.get(body["touser"])
            if last is None or self.clock.now() - last > WINDOW:
                return {"errcode": 45015, "errmsg": "response out of time limit or subscription is canceled"}
            if body["msgtype"] == "text" and not body.get("text", {}).get("content"):
                return {"errcode": 44003, "errmsg": "empty news data"}
            if body["msgtype"] == "image":
                return self._media_error(body, "wechat") or {"errcode": 0, "errmsg": "ok"}
            return {"errcode": 0, "errmsg": "ok"}
        return await self._handle(request, "wechat", check)

    async def _template_send(self, request: web.Request) -> web.Response:
        def check(body: dict[str, Any]) -> dict[str, Any]:
            if body.get("template_id") not in self.templates:
                return {"errcode": 40037, "errmsg": "invalid template_id"}
            if not body.get("touser") or not isinstance(body.get("data"), dict):
                return {"errcode": 47003, "errmsg": "argument invalid"}
            return {"errcode": 0, "errmsg": "ok", "msgid": self._next_msgid()}
        return await self._handle(request, "wechat", check)

    async def _wecom_send(self, request: web.Request) -> web.Response:
        def check(body: dict[str, Any]) -> dict[str, Any]:
            if body.get("agentid") != self.agent_id:
                return {"errcode": 40056, "errmsg": "invalid agentid"}
            kind = body.get("msgtype")
            if kind not in WECOM_MSG_TYPES or kind not in body:
                return {"errcode": 40008, "errmsg": "invalid message type"}
            if kind == "template_card" and not _valid_button_card(body["template_card"]):
                return {"errcode": 40058, "errmsg": "invalid template_card"}
            if not body.get("touser"):
                return {"errcode": 81013, "errmsg": "user & party & tag all invalid"}
            if kind == "image" and (refused := self._media_error(body, "wecom")):
                return refused
            reply = {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"wecom-{self._next_msgid()}"}
            if kind == "template_card":
                code = f"rc{secrets.token_hex(8)}"
                self.response_codes.add(code)
                reply["response_code"] = code
            return reply
        return await self._handle(request, "wecom", check)

    async def _wecom_update_card(self, request: web.Request) -> web.Response:
        """A card's buttons replaced: its `response_code` (from the send) works once."""
        def check(body: dict[str, Any]) -> dict[str, Any]:
            if body.get("agentid") != self.agent_id:
                return {"errcode": 40056, "errmsg": "invalid agentid"}
            code = body.get("response_code")
            if code not in self.response_codes:
                return {"errcode": 40018, "errmsg": "invalid response_code"}
            if not body.get("userids") or not (body.get("button") or {}).get("replace_name"):
                return {"errcode": 40058, "errmsg": "invalid button"}
            self.response_codes.discard(code)
            return {"errcode": 0, "errmsg": "ok", "invaliduser": []}
        return await self._handle(request, "wecom", check)

    async def _appchat_send(self, request: web.Request) -> web.Response:
        def check(body: dict[str, Any]) -> dict[str, Any]:
            if not body.get("chatid"):
                return {"errcode": 86003, "errmsg": "chat not exist"}
            if body.get("msgtype") not in APPCHAT_MSG_TYPES or body["msgtype"] not in body:
                return {"errcode": 40008, "errmsg": "invalid message type"}
            if body["msgtype"] == "image":
                return self._media_error(body, "wecom") or {"errcode": 0, "errmsg": "ok"}
            return {"errcode": 0, "errmsg": "ok"}
        return await self._handle(request, "wecom", check)


def _valid_button_card(card: Mapping[str, Any]) -> bool:
    buttons = card.get("button_list") or []
    task = str(card.get("task_id", ""))
    return (card.get("card_type") == "button_interaction" and 0 < len(buttons) <= 6
            and bool(card.get("main_title", {}).get("title") or card.get("sub_title_text"))
            and 0 < len(task.encode()) <= 128 and all(c.isalnum() or c in "_-@" for c in task)
            and all(b.get("text") and b.get("key") and len(b["key"].encode()) <= 1024 for b in buttons))


def _reply(body: Mapping[str, Any]) -> web.Response:
    # The real API answers JSON with a text/plain content type on several endpoints; clients must not rely on it.
    return web.Response(text=json.dumps(body, ensure_ascii=False), content_type="text/plain")


# --- callbacks, built the way the platforms build them -------------------------------------------------------------
def message_xml(fields: Mapping[str, Any]) -> str:
    """Platform XML: strings in CDATA, numbers bare."""
    parts = []
    for tag, value in fields.items():
        text = str(value) if isinstance(value, int) else f"<![CDATA[{value}]]>"
        parts.append(f"<{tag}>{text}</{tag}>")
    return "<xml>" + "".join(parts) + "</xml>"


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def new_aes_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def _encrypt(prp_class: type, aes_key: str, plaintext: str, receiver_id: str) -> str:
    key = base64.b64decode(aes_key + "=")
    return prp_class(key).encrypt(plaintext, receiver_id).decode()


def wechat_push(*, token: str, xml: str, timestamp: int, nonce: str | None = None, aes_key: str | None = None,
                app_id: str = "", openid: str = "") -> tuple[dict[str, str], bytes]:
    """Query string and body of a push to the server URL; safe mode when `aes_key` is given."""
    nonce = nonce or secrets.token_hex(5)
    query = {"signature": sha1_signature(token, str(timestamp), nonce), "timestamp": str(timestamp),
             "nonce": nonce, "openid": openid}
    if aes_key is None:
        return query, xml.encode("utf-8")
    encrypted = _encrypt(WeChatPrp, aes_key, xml, app_id)
    query.update(encrypt_type="aes", msg_signature=sha1_signature(token, str(timestamp), nonce, encrypted))
    body = message_xml({"ToUserName": "gh_fake", "Encrypt": encrypted})
    return query, body.encode("utf-8")


def wechat_url_check(*, token: str, timestamp: int, echostr: str, nonce: str = "n0nce") -> dict[str, str]:
    return {"signature": sha1_signature(token, str(timestamp), nonce), "timestamp": str(timestamp),
            "nonce": nonce, "echostr": echostr}


def wecom_push(*, token: str, aes_key: str, corp_id: str, agent_id: int, xml: str, timestamp: int,
               nonce: str | None = None) -> tuple[dict[str, str], bytes]:
    nonce = nonce or secrets.token_hex(5)
    encrypted = _encrypt(WeComPrp, aes_key, xml, corp_id)
    query = {"msg_signature": sha1_signature(token, str(timestamp), nonce, encrypted), "timestamp": str(timestamp),
             "nonce": nonce}
    body = message_xml({"ToUserName": corp_id, "AgentID": agent_id, "Encrypt": encrypted})
    return query, body.encode("utf-8")


def wecom_url_check(*, token: str, aes_key: str, corp_id: str, timestamp: int, echo: str,
                    nonce: str = "n0nce") -> dict[str, str]:
    encrypted = _encrypt(WeComPrp, aes_key, echo, corp_id)
    return {"msg_signature": sha1_signature(token, str(timestamp), nonce, encrypted), "timestamp": str(timestamp),
            "nonce": nonce, "echostr": encrypted}


async def serve_routes(routes: Sequence[web.AbstractRouteDef]) -> TestClient:
    """An aiohttp test client for an app built from a channel's `routes()` (the caller closes it)."""
    app = web.Application()
    app.add_routes(routes)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return client

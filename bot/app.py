"""The one aiohttp server: health, metrics, every channel's routes, the REST API, the console and the dashboard;
the hub starts and stops with it."""
from __future__ import annotations

import logging

from aiohttp import web

from bot.api import PREFIX, api_app
from bot.api.auth import Tokens
from bot.api.operations import Download
from bot.api.signin import SignIns
from bot.bootstrap import Hub
from bot.web import add_web
from bot.web.feed import TicketFeed
from core.media import BlobUnavailable
from core.services.media import SHARED_PATH

HUB_KEY = web.AppKey("hub", Hub)
log = logging.getLogger(__name__)


def build_app(hub: Hub) -> web.Application:
    app = web.Application(client_max_size=hub.config.server.max_body_bytes)
    app[HUB_KEY] = hub
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/", to_chat)
    app.router.add_get(SHARED_PATH + "{token:[A-Za-z0-9_-]{43}}", shared_media)
    for channel in hub.channels.values():
        app.router.add_routes(channel.routes())
    signins = SignIns(hub=hub, tokens=Tokens(hub.config.api.tokens), ttl=hub.config.console.session_ttl)
    app.add_subapp(PREFIX, api_app(hub, signins))
    add_web(app, signins=signins, feed=TicketFeed(sessions=hub.sessions), zone=hub.config.sla.timezone)
    app.on_startup.append(_start)
    app.on_shutdown.append(_stop)
    return app


async def _start(app: web.Application) -> None:
    await app[HUB_KEY].start()


async def _stop(app: web.Application) -> None:
    await app[HUB_KEY].stop()


async def to_chat(_request: web.Request) -> web.Response:
    raise web.HTTPFound("/chat")


async def shared_media(request: web.Request) -> web.Response:
    """A file staff showed a customer (a completion photo), by the random key of its link; nothing else is
    reachable this way."""
    hub = request.app[HUB_KEY]
    async with hub.sessions() as session:
        found = await hub.services(session).media.shared(request.match_info["token"])
    if found is None or found.status != "stored":
        raise web.HTTPNotFound(text="no such file (yet)")
    try:
        data = await hub.media.blobs.get(found.sha256)
    except BlobUnavailable:
        raise web.HTTPServiceUnavailable(text="the media store cannot be read now") from None
    if data is None:
        raise web.HTTPNotFound(text="no such file")
    return Download(body=data, media_type=found.content_type, filename=found.name or "photo",
                    inline=found.content_type.startswith("image/")).response()


async def healthz(request: web.Request) -> web.Response:
    if await request.app[HUB_KEY].healthy():
        return web.json_response({"status": "ok"})
    return web.json_response({"status": "unavailable"}, status=503)


async def metrics(request: web.Request) -> web.Response:
    hub = request.app[HUB_KEY]
    try:
        hub.metrics.backlog.set(await hub.inbox.backlog())
    except Exception:  # noqa: BLE001 - the database is unavailable; /healthz says so, the gauge keeps its last value
        log.warning("could not count the inbox backlog for /metrics", exc_info=True)
    body = hub.metrics.render()
    return web.Response(body=body, headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})

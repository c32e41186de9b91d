"""A hub served by this process on a loopback port: what the HTTP, websocket and webhook tests drive without the
cost of a `serve` subprocess."""
from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncIterator

from aiohttp.test_utils import TestServer

from bot.app import build_app
from bot.bootstrap import Hub, build_hub
from bot.config import Config
from bot.demo import load_demo
from core.clock import Clock
from core.storage.migrate import upgrade
from nlp.understander import Understander


@asynccontextmanager
async def served_hub(config: Config, *, clock: Clock | None = None, understander: Understander | None = None,
                     demo: bool = False) -> AsyncIterator[tuple[Hub, TestServer]]:
    """The hub for `config` on a migrated database (with the demo staff and knowledge base when `demo`), served
    until the block ends."""
    hub = build_hub(config, clock=clock, understander=understander)
    await upgrade(hub.engine)
    if demo:
        await load_demo(hub.engine.url.render_as_string(hide_password=False), only_if_empty=False)
    server = TestServer(build_app(hub))
    await server.start_server()
    try:
        yield hub, server
    finally:
        await server.close()

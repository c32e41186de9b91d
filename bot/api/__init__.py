"""`/api/v1`: the REST API the console, the dashboard and integrations use (CONTRACT.md "REST API"). A sub-app of
the hub's one server with its own error and body-size handling; `GET /api/v1/openapi.json` needs no token."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from aiohttp import web

from bot.api import devices, figures, parts, people, tickets
from bot.api.signin import SignIns
from bot.api.errors import errors
from bot.api.openapi import document
from bot.api.operations import HUB, MAX_BODY, SIGNINS, Operation
from bot.bootstrap import Hub

PREFIX = "/api/v1"
OPERATIONS: tuple[Operation, ...] = (*tickets.OPERATIONS, *people.OPERATIONS, *devices.OPERATIONS,
                                     *figures.OPERATIONS, *parts.OPERATIONS)


def api_app(hub: Hub, signins: SignIns) -> web.Application:
    """`signins` says who calls: a bearer token, or a session cookie of the console."""
    api = web.Application(middlewares=[errors])
    api[HUB] = hub
    api[SIGNINS] = signins
    api[MAX_BODY] = hub.config.api.max_body_bytes
    spec = document(OPERATIONS, version=_version())

    async def openapi(_request: web.Request) -> web.Response:
        return web.json_response(spec)

    api.router.add_get("/openapi.json", openapi)
    api.router.add_routes([op.route() for op in OPERATIONS])
    return api


def _version() -> str:
    try:
        return version("aftersales")
    except PackageNotFoundError:
        return "0"

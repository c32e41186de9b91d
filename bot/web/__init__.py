"""The agent console (`/console`), one customer's page (`/console/customers/{id}`) and the supervisors' dashboard
(`/dashboard`): pages whose scripts read and change everything through `/api/v1` with the session cookie of
`bot.api.signin`. The pages hold no ticket data, so they are served to anyone; what they show comes from the API
after sign-in. They share one layout (`pages/_layout.html`: head, top bar, sign-in form), rendered once at start.
Their words come from `templates/<locale>/console_page.toml` (`/console/strings`), the charting library from the
installed `plotly` package."""
from __future__ import annotations

from pathlib import Path
from typing import Awaitable, Callable
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web

from bot.api.errors import ApiError, error_response
from bot.api.signin import SignIns
from bot.web.feed import TicketFeed
from bot.web.plotly import PlotlyBundle
from templates import LOCALES, labels, phrases

STATIC_DIR = Path(__file__).parent / "static"
PAGES_DIR = Path(__file__).parent / "pages"
CSP = ("default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
PAGE_HEADERS = {"Cache-Control": "no-cache", "Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer"}
DASHBOARD_HEADERS = {**PAGE_HEADERS, "Content-Security-Policy": CSP + "; style-src 'self' 'unsafe-inline'"}
"""plotly.js styles its charts with inline styles (its own stylesheet and the positions of its layered SVGs); scripts
stay `'self'` only."""


def add_web(app: web.Application, *, signins: SignIns, feed: TicketFeed, zone: ZoneInfo) -> None:
    """The pages, their words, sign-in and sign-out, the live feed and the static files. `zone`: the hub's time
    zone, which the pages show times in."""
    plotly = PlotlyBundle()
    pages = jinja2.Environment(loader=jinja2.FileSystemLoader(PAGES_DIR), autoescape=True,
                               undefined=jinja2.StrictUndefined)

    def page(name: str, headers: dict[str, str]) -> Callable[[web.Request], Awaitable[web.Response]]:
        """A handler serving page `name`, rendered now: the pages have nothing that changes per request."""
        body = pages.get_template(f"{name}.html").render()

        async def serve(_request: web.Request) -> web.Response:
            return web.Response(text=body, content_type="text/html", headers=headers)

        return serve

    async def strings(request: web.Request) -> web.Response:
        """Every sentence of both pages in the language asked for (`?lang=en`; Chinese otherwise), with the
        display names of types, statuses, priorities, SLA states, entities, detail fields and channels."""
        lang = request.query.get("lang", "")
        locale = lang if lang in LOCALES else LOCALES[0]
        names = labels(locale)
        body = {**phrases(locale, "console_page"), "locale": locale, "timezone": zone.key,
                "channels": phrases(locale, "channels"),
                **{key: names[key] for key in ("types", "statuses", "priorities", "entities", "fields",
                                               "sla_targets", "sla_states", "handover_reasons")}}
        return web.json_response(body, headers={"Cache-Control": "max-age=300"})

    async def events(request: web.Request) -> web.StreamResponse:
        try:
            await signins.caller(request)
        except ApiError as exc:
            return error_response(exc.status, exc.code, exc.message)

        async def still_signed_in() -> bool:
            try:
                await signins.caller(request)
            except ApiError:
                return False
            return True

        return await feed.stream(request, still_signed_in)

    app.router.add_get("/console", page("console", PAGE_HEADERS))
    app.router.add_get("/console/customers/{id:[0-9]{1,18}}", page("customer", PAGE_HEADERS))
    app.router.add_get("/dashboard", page("dashboard", DASHBOARD_HEADERS))
    app.router.add_get("/console/strings", strings)
    app.router.add_get("/console/session", signins.whoami)
    app.router.add_post("/console/session", signins.sign_in)
    app.router.add_delete("/console/session", signins.sign_out)
    app.router.add_get("/console/events", events)
    app.router.add_get("/console/vendor/plotly.min.js", plotly.serve)
    app.router.add_static("/console/static", STATIC_DIR)
    app.on_shutdown.append(feed.close)


"""plotly.js as the installed `plotly` package ships it (`plotly/package_data/plotly.min.js`): served by the hub so
the dashboard works offline, gzipped once on first use, cached by browsers until the package changes."""
from __future__ import annotations

import gzip
from functools import cached_property
from importlib.metadata import version
from importlib.resources import files

from aiohttp import web

MAX_AGE = 7 * 24 * 3600


class PlotlyBundle:
    @cached_property
    def _raw(self) -> bytes:
        return files("plotly").joinpath("package_data", "plotly.min.js").read_bytes()

    @cached_property
    def _gzipped(self) -> bytes:
        return gzip.compress(self._raw, compresslevel=6, mtime=0)

    @cached_property
    def _etag(self) -> str:
        return f'"plotly-{version("plotly")}"'

    async def serve(self, request: web.Request) -> web.Response:
        headers = {"Content-Type": "text/javascript; charset=utf-8", "ETag": self._etag,
                   "Cache-Control": f"public, max-age={MAX_AGE}", "Vary": "Accept-Encoding",
                   "X-Content-Type-Options": "nosniff"}
        if request.headers.get("If-None-Match") == self._etag:
            return web.Response(status=304, headers=headers)
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            return web.Response(body=self._gzipped, headers={**headers, "Content-Encoding": "gzip"})
        return web.Response(body=self._raw, headers=headers)

"""Every failure of `/api/v1` as `{"error": {"code", "message"}}` with its status: 400 names the field, 401 and 403
say nothing of tokens, 404, 409 carries the reason (a refused transition), 413 the limit; anything unexpected is a
500 whose details stay in the log."""
from __future__ import annotations

import json
import logging
import re
from typing import Any, Awaitable, Callable

from aiohttp import web
from pydantic import ValidationError

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def bad_request(field: str, message: str) -> ApiError:
    return ApiError(400, "bad_request", f"{field}: {message}")


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} does not exist")


def conflict(code: str, message: str) -> ApiError:
    return ApiError(409, code, message)


def error_response(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status,
                             dumps=lambda v: json.dumps(v, ensure_ascii=False))


def invalid(exc: ValidationError, where: str) -> ApiError:
    """The first problem pydantic found, named by its field (`customer.phone`, `identities.fax`, `limit`); the
    parts of its location that name validators or union branches (`[key]`, `int`) are left out."""
    first = exc.errors(include_url=False)[0]
    field = ".".join(str(p) for p in first["loc"] if isinstance(p, int) or (
        _FIELD.fullmatch(p) and p not in _TYPE_TAGS)) or where
    if first["type"] == "extra_forbidden":
        return bad_request(field, "unknown field")
    return bad_request(field, first["msg"])


_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TYPE_TAGS = frozenset({"int", "str", "bool", "float", "list", "dict", "none"})


@web.middleware
async def errors(request: web.Request,
                 handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(exc.status, exc.code, exc.message)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        answer = error_response(exc.status, _CODES.get(exc.status, "http_error"), exc.reason)
        if "Allow" in exc.headers:
            answer.headers["Allow"] = exc.headers["Allow"]
        return answer
    except Exception:  # noqa: BLE001 - the client gets a plain 500; the log keeps the traceback
        log.exception("%s %s failed", request.method, request.path)
        return error_response(500, "internal", "the request could not be completed")


_CODES: dict[int, Any] = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}

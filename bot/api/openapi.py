"""The OpenAPI 3.1 document of `/api/v1`, built from the operations' own pydantic models."""
from __future__ import annotations

import re
from typing import Any, Sequence

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from bot.api.operations import TICKET_CODE, Operation
from bot.api.schemas import Error

REF = "#/components/schemas/{model}"
STATUS_TEXT = {200: "OK", 201: "Created", 400: "Bad input; the message names the field", 401: "No valid token",
               403: "The token's role may not do this", 404: "Not found", 409: "Refused (the message says why)",
               413: "Body too large", 503: "The store is unavailable; try again"}


def document(operations: Sequence[Operation], *, version: str) -> dict[str, Any]:
    models: list[tuple[type[BaseModel], Any]] = [(Error, "serialization")]
    for op in operations:
        if op.response is not None:
            models.append((op.response, "serialization"))
        models += [(m, "validation") for m in (op.query, op.body) if m is not None]
    names, schemas = models_json_schema(models, ref_template=REF)
    components = schemas.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, names, components)
    return {
        "openapi": "3.1.0",
        "info": {"title": "aftersales hub", "version": version,
                 "description": "Tickets, customers, staff and figures of the after-sales hub. Send "
                                "`Authorization: Bearer <token>` (tokens and their roles are in `[api] tokens`)."},
        "servers": [{"url": "/api/v1"}],
        "components": {"schemas": components,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": paths,
    }


def _operation(op: Operation, names: dict[Any, dict[str, Any]], components: dict[str, Any]) -> dict[str, Any]:
    ref = lambda model, mode: names[(model, mode)]  # noqa: E731 - the generated reference of a model
    answers = {str(op.status): _answer(STATUS_TEXT[op.status], ref(op.response, "serialization"))
               if op.response is not None else _file(STATUS_TEXT[op.status], op.downloads)}
    for status in sorted({401, 403, *op.errors}):
        answers[str(status)] = _answer(STATUS_TEXT[status], ref(Error, "serialization"))
    spec: dict[str, Any] = {"operationId": op.id, "summary": op.summary, "tags": [op.tag],
                            "description": f"Needs the `{op.role}` role.", "responses": answers,
                            "parameters": [_path_parameter(name, name in op.int_params)
                                           for name in re.findall(r"{(\w+)}", op.path)]}
    if op.query is not None:
        schema = components[_name(ref(op.query, "validation"))]
        required = set(schema.get("required", ()))
        spec["parameters"] += [{"name": name, "in": "query", "required": name in required, "schema": _present(prop)}
                               for name, prop in schema["properties"].items()]
    if op.body is not None:
        spec["requestBody"] = {"required": True,
                               "content": {"application/json": {"schema": ref(op.body, "validation")}}}
    return spec


def _present(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema without its `null` branch: a parameter left out is the null."""
    branches = [b for b in schema.get("anyOf", ()) if b != {"type": "null"}]
    if "anyOf" not in schema or len(branches) == len(schema["anyOf"]):
        return schema
    rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
    return {**rest, **branches[0]} if len(branches) == 1 else {**rest, "anyOf": branches}


def _answer(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _file(description: str, media_types: Sequence[str]) -> dict[str, Any]:
    return {"description": description,
            "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in media_types}}


def _path_parameter(name: str, integer: bool) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": 999_999_999} if integer else {
        "type": "string", **({"pattern": f"^{TICKET_CODE}$"} if name == "code" else {})}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _name(reference: dict[str, Any]) -> str:
    return reference["$ref"].rsplit("/", 1)[-1]

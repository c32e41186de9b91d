"""The web-chat wire format: validating what a browser sends and shaping what the server answers.

Client → server: ``{"type": "message", "text": "…", "id": "optional client message id"}``.
Server → client: ``hello``, ``ack``, ``error``, ``message`` and ``image`` frames (see the builders below).
"""
from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any, Mapping

from templates.render import Rendered

MAX_TEXT_CHARS = 4000
"""Longest message text accepted; the page enforces the same bound on its input."""

CLIENT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")

dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
"""A frame or JSON answer as the page reads it: compact, Chinese as itself. One encoder for every frame, since
`json.dumps` with options builds a new one per call (half the cost of an `ack`)."""


@dataclass(frozen=True, slots=True)
class ClientMessage:
    text: str
    client_id: str | None


@dataclass(frozen=True, slots=True)
class FrameError:
    """Why a frame was refused; `code` is part of the protocol, `client_id` lets the page mark the right bubble."""

    code: str
    client_id: str | None = None


def parse_client_frame(data: str, *, max_frame_bytes: int) -> ClientMessage | FrameError:
    """Validate one text frame. Never raises: every bad input becomes a `FrameError` the client can show."""
    if len(data.encode("utf-8", "surrogatepass")) > max_frame_bytes:
        return FrameError("too_large")
    try:
        frame = json.loads(data)
    except (ValueError, RecursionError):
        return FrameError("invalid_json")
    if not isinstance(frame, dict):
        return FrameError("bad_frame")
    client_id = frame.get("id")
    if client_id is not None and not (isinstance(client_id, str) and CLIENT_ID.fullmatch(client_id)):
        return FrameError("bad_frame")
    text = frame.get("text")
    if frame.get("type") != "message" or not isinstance(text, str):
        return FrameError("bad_frame", client_id)
    text = text.strip()
    if not text:
        return FrameError("empty", client_id)
    if len(text) > MAX_TEXT_CHARS:
        return FrameError("too_large", client_id)
    return ClientMessage(text=text, client_id=client_id)


def hello_frame(session: str) -> dict[str, Any]:
    return {"type": "hello", "session": session}


def ack_frame(message_id: str) -> dict[str, Any]:
    return {"type": "ack", "id": message_id}


def error_frame(code: str, message: str, *, client_id: str | None = None,
                retry_after: float | None = None) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if client_id is not None:
        frame["id"] = client_id
    if retry_after is not None:
        frame["retry_after"] = round(retry_after, 3)
    return frame


def image_frame(frame_id: str, name: str, content_type: str, data: bytes) -> dict[str, Any]:
    """A picture from the service, its bytes in the frame (`src`, a `data:` URL the page shows as it is)."""
    return {"type": "image", "id": frame_id, "name": name,
            "src": f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"}


def _as_text(text: str) -> str:
    """The page reads only `**bold**` in Markdown (and shows the rest as text): customer text cannot open it."""
    return text.replace("*", "∗")


def reply_frame(message_id: str, data: Mapping[str, Any], rendered: Rendered) -> dict[str, Any]:
    """A service message; the page shows `markdown` with `actions` as buttons and `ticket` as a card."""
    return {
        "type": "message",
        "id": message_id,
        "text": rendered.text,
        "markdown": rendered.markup(quote=_as_text),
        "actions": [{"id": a.id, "label": a.label, "command": a.command} for a in rendered.actions],
        "ticket": data.get("ticket"),
    }

"""Web-chat sessions: the random id a browser keeps in localStorage, and the open sockets of each conversation."""
from __future__ import annotations

import re
import secrets
from typing import Iterator

from aiohttp import web

_SESSION = re.compile(r"[A-Za-z0-9_-]{16,64}")
PREFIX = "web:"


def new_session_id() -> str:
    """128 random bits, URL-safe: unguessable, because knowing a session id means reading its replies."""
    return secrets.token_urlsafe(16)


def valid_session_id(value: str | None) -> bool:
    return value is not None and _SESSION.fullmatch(value) is not None


def conversation_of(session: str) -> str:
    return PREFIX + session


class SocketRegistry:
    """Open sockets per conversation; several browser tabs of one session all receive its replies."""

    def __init__(self) -> None:
        self._by_conversation: dict[str, set[web.WebSocketResponse]] = {}

    def add(self, conversation: str, ws: web.WebSocketResponse) -> None:
        self._by_conversation.setdefault(conversation, set()).add(ws)

    def remove(self, conversation: str, ws: web.WebSocketResponse) -> None:
        """Forget one socket, and the conversation with its last."""
        sockets = self._by_conversation.get(conversation)
        if sockets is None:
            return
        sockets.discard(ws)
        if not sockets:
            del self._by_conversation[conversation]

    def open_sockets(self, conversation: str) -> list[web.WebSocketResponse]:
        return [ws for ws in self._by_conversation.get(conversation, ()) if not ws.closed]

    def __iter__(self) -> Iterator[web.WebSocketResponse]:
        return iter([ws for sockets in self._by_conversation.values() for ws in sockets])

"""`[webchat]`: the chat page is always on; these keys bound what one browser may send."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, kw_only=True)
class WebChatConfig:
    sender_rate: int = 20
    """Messages one conversation may send per `sender_rate_window` before being told to slow down."""
    sender_rate_window: timedelta = timedelta(seconds=10)
    max_frame_bytes: int = 16384
    """Frames up to this size get a polite `too_large`; four times this closes the socket."""
    heartbeat: timedelta = timedelta(seconds=30)
    """Websocket ping interval: a vanished browser's socket is closed after about this long."""

    @property
    def enabled(self) -> bool:
        return True

    def __post_init__(self) -> None:
        if self.sender_rate < 1 or self.sender_rate_window.total_seconds() <= 0:
            raise ValueError("webchat.sender_rate must be at least 1 and webchat.sender_rate_window positive")

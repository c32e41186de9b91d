"""`[webchat]`: the chat page is always on; these keys bound what one browser, one client address and everyone
together may send."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, kw_only=True)
class WebChatConfig:
    sender_rate: int = 20
    """Messages one conversation may send per `sender_rate_window` before being told to slow down."""
    sender_rate_window: timedelta = timedelta(seconds=10)
    address_rate: int = 60
    """Messages all sessions from one client address may send per `address_rate_window`."""
    address_rate_window: timedelta = timedelta(minutes=1)
    address_session_rate: int = 20
    """New sessions one client address may open per `address_session_rate_window`: a fresh session costs a script
    nothing, so the per-session limit alone does not hold a flood back."""
    address_session_rate_window: timedelta = timedelta(minutes=10)
    global_rate: int = 1000
    """Messages this process admits per `global_rate_window` from everyone together; beyond it customers are told
    `rate_limited` (their page resends) before the database is touched."""
    global_rate_window: timedelta = timedelta(seconds=10)
    max_frame_bytes: int = 16384
    """Frames up to this size get a polite `too_large`; four times this closes the socket."""
    heartbeat: timedelta = timedelta(seconds=30)
    """Websocket ping interval: a vanished browser's socket is closed after about this long."""
    max_upload_bytes: int = 10 * 1024 * 1024
    """Largest picture or file the page may upload (`[media] max_bytes` still applies when it is kept)."""
    upload_dir: str = "var/uploads"
    """Where uploads wait for the media fetcher to keep them (shared by every hub process)."""
    upload_expiry: timedelta = timedelta(hours=24)
    """A chunked upload untouched this long is dropped (the media fetcher sweeps them); the page then starts over."""

    @property
    def alerts_room(self) -> str:
        """Customers' channel: no shared staff room."""
        return ""

    @property
    def enabled(self) -> bool:
        return True

    def __post_init__(self) -> None:
        for name in ("sender_rate", "address_rate", "address_session_rate", "global_rate"):
            if getattr(self, name) < 1 or getattr(self, f"{name}_window").total_seconds() <= 0:
                raise ValueError(f"webchat.{name} must be at least 1 and webchat.{name}_window positive")
        if self.upload_expiry.total_seconds() <= 0:
            raise ValueError("webchat.upload_expiry must be positive")

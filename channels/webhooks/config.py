"""`[webhooks]`: where events are POSTed and the secret that signs them; on when `urls` is filled in."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit


@dataclass(frozen=True, kw_only=True)
class WebhooksConfig:
    urls: tuple[str, ...] = ()
    secret: str = field(default="", repr=False)
    """HMAC-SHA256 key of `X-Aftersales-Signature`."""
    timeout: timedelta = timedelta(seconds=10)
    """A receiver that has not answered by then counts as down: the delivery is retried later."""

    @property
    def enabled(self) -> bool:
        return bool(self.urls)

    @property
    def alerts_room(self) -> str:
        """Machines, not people: no alert room."""
        return ""

    def __post_init__(self) -> None:
        for url in self.urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"webhooks.urls: not an http(s) URL: {url!r}")
        if self.urls and not self.secret:
            raise ValueError("webhooks.secret is required when webhooks.urls is set (receivers check the signature)")
        if self.timeout.total_seconds() <= 0:
            raise ValueError("webhooks.timeout must be positive")

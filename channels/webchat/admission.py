"""What the web chat lets in, decided before anything is written: per session, per client address (messages, and
new sessions, since a fresh session costs nothing to make) and for everyone together, so a flood from one address or
from many is answered `rate_limited` without reaching the database."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import timedelta
from typing import Sequence

from aiohttp import web

from channels.webchat.config import WebChatConfig
from channels.webchat.ratelimit import SlidingWindowLimiter
from core.clock import Clock

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
IPV6_PREFIX = 64
"""One IPv6 client usually holds a whole /64, so its addresses count together."""


@dataclass(frozen=True, slots=True)
class Limited:
    retry_after: float
    crowded: bool
    """True when the hub as a whole is at its limit, not this customer."""


class Admission:
    """The `[webchat]` limits; `trusted_proxies` are the reverse proxies whose `X-Forwarded-For` is believed."""

    def __init__(self, *, config: WebChatConfig, trusted_proxies: Sequence[str], clock: Clock) -> None:
        def limiter(rate: int, window: timedelta) -> SlidingWindowLimiter:
            return SlidingWindowLimiter(clock=clock, rate=rate, window=window.total_seconds())

        self._session = limiter(config.sender_rate, config.sender_rate_window)
        self._address = limiter(config.address_rate, config.address_rate_window)
        self._address_sessions = limiter(config.address_session_rate, config.address_session_rate_window)
        self._overall = limiter(config.global_rate, config.global_rate_window)
        self._proxies = parse_networks(trusted_proxies)
        self._clock = clock

    def client_address(self, request: web.Request) -> str:
        """What the per-address limits count `request` by (see `client_address` and `limit_key`)."""
        forwarded = ",".join(request.headers.getall("X-Forwarded-For", []))
        return limit_key(client_address(request.remote, forwarded, self._proxies))

    def open_session(self, address: str, session: str) -> Limited | None:
        """A socket for `session`: reconnecting a session counted within the window is always allowed."""
        wait = self._address_sessions.hit(address, session)
        return Limited(retry_after=wait, crowded=False) if wait else None

    def message(self, address: str, conversation: str) -> Limited | None:
        """One customer message; counted against every limit only when all of them allow it."""
        checks = ((self._session, conversation), (self._address, address), (self._overall, ""))
        now = self._clock.now().timestamp()
        waits = [limiter.wait(key, now=now) for limiter, key in checks]
        if any(waits):
            return Limited(retry_after=max(waits), crowded=not any(waits[:2]))
        for limiter, key in checks:
            limiter.record(key, now=now)
        return None


def parse_networks(entries: Sequence[str]) -> tuple[Network, ...]:
    """`127.0.0.1`, `10.0.0.0/8`, `::1`; raises ValueError naming a bad entry."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"not an address or network: {entry!r}") from exc
    return tuple(networks)


def client_address(peer: str | None, forwarded_for: str, proxies: Sequence[Network]) -> str:
    """The peer, or, while the hop at hand is a trusted proxy, the address it says it forwarded for (the right-most
    `X-Forwarded-For` entry not yet used). A client can put anything at the left of the header, so an entry is
    believed only when the hop that added it is trusted; an unreadable entry ends the walk at the proxy."""
    address = peer or "unknown"
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    while hops and _trusted(address, proxies):
        try:
            address = str(ipaddress.ip_address(hops.pop()))
        except ValueError:
            break
    return address


def limit_key(address: str) -> str:
    """What the per-address limits count by: the address, or its /64 for IPv6."""
    ip = _ip(address)
    if ip is None:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX}", strict=False))
    return str(ip)


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip in network for network in proxies)


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address, with an IPv4-mapped IPv6 address (a dual-stack socket's view of an IPv4 peer) as IPv4."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip

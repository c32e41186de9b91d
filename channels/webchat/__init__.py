"""Web chat channel: the `/chat` page and its `/chat/ws` websocket."""
from __future__ import annotations

from channels.base import Channel, ChannelDeps
from channels.webchat.config import WebChatConfig as Config

__all__ = ["Config", "build"]


def build(config: Config, deps: ChannelDeps) -> Channel:
    from channels.webchat.channel import WebChatChannel

    relay = None
    if deps.redis_url is not None:
        from channels.webchat.relay import RedisSocketRelay

        relay = RedisSocketRelay(url=deps.redis_url)
    return WebChatChannel(config=config, intake=deps.intake, clock=deps.clock, relay=relay,
                          trusted_proxies=deps.trusted_proxies, reachable=deps.reachable)

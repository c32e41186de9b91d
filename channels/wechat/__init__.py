"""WeChat Official Account (微信公众号) channel for customers."""
from __future__ import annotations

from channels.base import Channel, ChannelDeps
from channels.wechat.config import WeChatConfig as Config

__all__ = ["Config", "build"]


def build(config: Config, deps: ChannelDeps) -> Channel:
    from channels.wechat.channel import WeChatChannel

    return WeChatChannel(config=config, intake=deps.intake, clock=deps.clock, max_body_bytes=deps.max_body_bytes)

"""WeCom (企业微信) app channel for staff: technicians and supervisors."""
from __future__ import annotations

from channels.base import Channel, ChannelDeps
from channels.wecom.config import WeComConfig as Config

__all__ = ["Config", "build"]


def build(config: Config, deps: ChannelDeps) -> Channel:
    from channels.wecom.channel import WeComChannel

    return WeComChannel(config=config, intake=deps.intake, clock=deps.clock, max_body_bytes=deps.max_body_bytes)

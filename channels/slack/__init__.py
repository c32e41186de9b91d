"""Slack: Events API, `/ticket` slash command and Block Kit buttons in; threaded replies and in-place updates out."""
from __future__ import annotations

from channels.base import Channel, ChannelDeps
from channels.slack.config import SlackConfig as Config

__all__ = ["Config", "build"]


def build(config: Config, deps: ChannelDeps) -> Channel:
    from channels.slack.channel import SlackChannel

    return SlackChannel(config=config, intake=deps.intake, clock=deps.clock)

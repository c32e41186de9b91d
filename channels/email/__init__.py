"""Email channel: IMAP intake (IDLE or polling) and SMTP replies with loop protection. See `channel.EmailChannel`."""
from __future__ import annotations

from channels.base import Channel, ChannelDeps
from channels.email.config import EmailConfig as Config

__all__ = ["Config", "build"]


def build(config: Config, deps: ChannelDeps) -> Channel:
    from channels.email.channel import EmailChannel

    return EmailChannel(config=config, intake=deps.intake, cursors=deps.cursors, quarantine=deps.quarantine,
                        clock=deps.clock)

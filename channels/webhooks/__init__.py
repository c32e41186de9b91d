"""Outgoing webhooks: every ticket event (core.services.events) POSTed as signed JSON to each URL in
`[webhooks] urls`, from the outbox, so failed deliveries are retried with backoff and dead-lettered."""
from __future__ import annotations

from channels.base import Channel, ChannelDeps
from channels.webhooks.config import WebhooksConfig as Config

__all__ = ["Config", "build"]


def build(config: Config, deps: ChannelDeps) -> Channel:
    from channels.webhooks.channel import WebhookChannel

    return WebhookChannel(config=config)

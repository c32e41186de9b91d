"""`[slack]`: the bot's token and signing secret (the channel is on when both are set); `alerts_channel` receives
supervisor alerts."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class SlackConfig:
    bot_token: str = ""
    signing_secret: str = ""
    api_base_url: str = "https://slack.com/api/"
    alerts_channel: str = ""

    @property
    def alerts_room(self) -> str:
        """Where supervisor alerts are posted ("" = nowhere shared)."""
        return self.alerts_channel

    @property
    def enabled(self) -> bool:
        return bool(self.bot_token and self.signing_secret)

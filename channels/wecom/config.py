"""`[wecom]`: the WeCom app's credentials; the channel is on when `corp_id` and `token` are set. `alerts_chat_id`
is the group chat that receives supervisor alerts."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class WeComConfig:
    corp_id: str = ""
    agent_id: str = ""
    secret: str = ""
    token: str = ""
    encoding_aes_key: str = ""
    api_base_url: str = "https://qyapi.weixin.qq.com"
    alerts_chat_id: str = ""

    @property
    def alerts_room(self) -> str:
        """Where supervisor alerts are posted: the group chat, as the channel addresses it ("" = nowhere shared)."""
        return f"chat:{self.alerts_chat_id}" if self.alerts_chat_id else ""

    @property
    def enabled(self) -> bool:
        return bool(self.corp_id and self.token)

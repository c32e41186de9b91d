"""`[wechat]`: the Official Account's credentials; the channel is on when `app_id` and `token` are set."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class WeChatConfig:
    app_id: str = ""
    app_secret: str = ""
    token: str = ""
    encoding_aes_key: str = ""
    api_base_url: str = "https://api.weixin.qq.com"

    @property
    def alerts_room(self) -> str:
        """Customers' channel: no shared staff room."""
        return ""

    @property
    def enabled(self) -> bool:
        return bool(self.app_id and self.token)

"""`[wechat]`: the Official Account's credentials; the channel is on when `app_id` and `token` are set.

`templates` are the template messages (模板消息) sent when WeChat's 48-hour customer-service window is closed, by
the hub's message template name, with `default` for any other message::

    [wechat.templates.survey_csat]
    id = "TEMPLATE_ID"                                   # from the Official Account's template library
    fields = { first = "subject", keyword1 = "code", remark = "text" }
    url = "https://example.com/survey"                   # optional: where tapping the message leads

Each field is filled from `text` (the message as plain text), `subject`, or a dotted path into the message's data
(`ticket.id`, `ticket.status_label`, `code`, `technician`). `menu_commands` maps custom-menu CLICK keys to the
command text they stand for (a key not listed stands for itself)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

DEFAULT_TEMPLATE = "default"


@dataclass(frozen=True, slots=True)
class TemplateMessage:
    name: str
    """The hub's message template it stands in for (or `default`)."""
    id: str
    fields: Mapping[str, str]
    """WeChat keyword → `text`, `subject` or a dotted path into the message's data."""
    url: str = ""


@dataclass(frozen=True, kw_only=True)
class WeChatConfig:
    app_id: str = ""
    app_secret: str = ""
    token: str = ""
    encoding_aes_key: str = ""
    api_base_url: str = "https://api.weixin.qq.com"
    templates: dict[str, Any] = field(default_factory=dict)
    menu_commands: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.template_messages()
        for key, command in self.menu_commands.items():
            if not isinstance(command, str) or not command.strip():
                raise ValueError(f"wechat.menu_commands.{key} must be the command text the menu key stands for")

    def template_messages(self) -> dict[str, TemplateMessage]:
        """`templates` checked entry by entry; a mistake is a ValueError naming its key."""
        found = {}
        for name, spec in self.templates.items():
            where = f"wechat.templates.{name}"
            if not isinstance(spec, Mapping):
                raise ValueError(f"{where} must be a table with id and fields")
            unknown = set(spec) - {"id", "fields", "url"}
            if unknown:
                raise ValueError(f"{where}: unknown key {sorted(unknown)[0]}")
            template_id, fields, url = spec.get("id"), spec.get("fields"), spec.get("url", "")
            if not isinstance(template_id, str) or not template_id.strip():
                raise ValueError(f"{where}.id must be the template id")
            if not isinstance(fields, Mapping) or not fields:
                raise ValueError(f"{where}.fields must map template keywords to text, subject or a data path")
            for keyword, source in fields.items():
                if not isinstance(source, str) or not source.strip():
                    raise ValueError(f"{where}.fields.{keyword} must be text, subject or a data path")
            if not isinstance(url, str):
                raise ValueError(f"{where}.url must be text")
            found[name] = TemplateMessage(name=name, id=template_id, fields=dict(fields), url=url)
        return found

    @property
    def alerts_room(self) -> str:
        """Customers' channel: no shared staff room."""
        return ""

    @property
    def enabled(self) -> bool:
        return bool(self.app_id and self.token)

"""Every platform the hub speaks, by name — its config section is `[name]`. A platform is one package exposing
`Config` (a frozen dataclass with `enabled`) and `build(config, deps) -> Channel`; adding one is one line here."""
from __future__ import annotations

import importlib
from types import ModuleType

PLATFORMS: dict[str, str] = {
    "webchat": "channels.webchat",
    "wechat": "channels.wechat",
    "wecom": "channels.wecom",
    "slack": "channels.slack",
    "email": "channels.email",
    "webhooks": "channels.webhooks",
}


def platform(name: str) -> ModuleType:
    """The platform's package; it imports only its config, its channel code is loaded by `build`."""
    return importlib.import_module(PLATFORMS[name])

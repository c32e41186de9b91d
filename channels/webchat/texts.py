"""User-facing error sentences for the web chat, read from `templates/<locale>/webchat_errors.toml`."""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from templates import LOCALES, TEMPLATE_DIR

ERROR_CODES = ("too_large", "invalid_json", "empty", "rate_limited", "unavailable", "bad_frame")
CROWDED = "crowded"
"""The sentence for `rate_limited` when the hub as a whole is at its limit: the customer did nothing too fast."""
SENTENCES = (*ERROR_CODES, CROWDED)


def locale_for(lang: str | None) -> str:
    """Map a browser language tag (``en-US``, ``zh-CN``) to a hub locale; Chinese unless English is asked for."""
    primary = (lang or "").strip().lower().split("-")[0].split("_")[0]
    return primary if primary in LOCALES else LOCALES[0]


@lru_cache(maxsize=len(LOCALES))
def _errors(template_dir: Path, locale: str) -> dict[str, str]:
    return tomllib.loads((template_dir / locale / "webchat_errors.toml").read_text("utf-8"))


def error_text(code: str, locale: str, *, template_dir: Path = TEMPLATE_DIR) -> str:
    return _errors(template_dir, locale_for(locale))[code]

"""What the web chat says outside the conversation itself: its error sentences and the page's own words, both
from `templates/` (`webchat_errors`, `webchat_page`, and the entity names in `labels`)."""
from __future__ import annotations

from typing import Any

from templates import LOCALES, labels, phrases

ERROR_CODES = ("too_large", "invalid_json", "empty", "rate_limited", "unavailable", "bad_frame", "unsupported_type",
               "file_too_large")
CROWDED = "crowded"
"""The sentence for `rate_limited` when the hub as a whole is at its limit: the customer did nothing too fast."""
SENTENCES = (*ERROR_CODES, CROWDED)


def locale_for(lang: str | None) -> str:
    """Map a browser language tag (``en-US``, ``zh-CN``) to a hub locale; Chinese unless English is asked for."""
    primary = (lang or "").strip().lower().split("-")[0].split("_")[0]
    return primary if primary in LOCALES else LOCALES[0]


def error_text(code: str, locale: str) -> str:
    return phrases(locale_for(locale), "webchat_errors")[code]


def page_strings(lang: str | None) -> dict[str, Any]:
    """Everything the chat page shows in the browser's language, served as JSON to its script."""
    locale = locale_for(lang)
    return {**phrases(locale, "webchat_page"), "entities": labels(locale)["entities"], "locale": locale}

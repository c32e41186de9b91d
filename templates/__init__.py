"""Every sentence a person reads lives here, as Jinja2 files per locale (`zh/`, `en/`).

A message template `NAME` is `<locale>/NAME.md.j2` (light Markdown: the body every channel can show), optionally with
`NAME.subject.j2` (email subject / card title) and `NAME.html.j2` (email HTML); `render.Renderer` renders them.
Whatever a customer wrote goes into messages to staff through the `inert` filter (`quoting`), so it shows as text.
Short phrases that are not messages live in `<locale>/GROUP.toml` and are read with `phrases`: button labels
(`actions`), display names of types, statuses and priorities (`labels`), the web chat's errors (`webchat_errors`)
and its page (`webchat_page`).
"""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

TEMPLATE_DIR = Path(__file__).parent
LOCALES = ("zh", "en")


def locale_of(locale: str | None) -> str:
    """A supported locale: the one asked for, or the first (Chinese)."""
    return locale if locale in LOCALES else LOCALES[0]


def phrases(locale: str, group: str, *, template_dir: Path = TEMPLATE_DIR) -> dict[str, Any]:
    """The phrase table `<locale>/<group>.toml` (empty when the group has no file)."""
    return _phrases(template_dir, locale_of(locale), group)


def labels(locale: str) -> dict[str, dict[str, str]]:
    """Display names for ticket types, statuses and priorities (`<locale>/labels.toml`), and of the channels."""
    return {**phrases(locale, "labels"), "channels": phrases(locale, "channels")}


@lru_cache(maxsize=64)
def _phrases(template_dir: Path, locale: str, group: str) -> dict[str, Any]:
    path = template_dir / locale / f"{group}.toml"
    return tomllib.loads(path.read_text("utf-8")) if path.exists() else {}

"""Every sentence a person reads lives here, as Jinja2 files per locale (`zh/`, `en/`).

A message template `NAME` is `<locale>/NAME.md.j2` (light Markdown: the body every channel can show), optionally with
`NAME.subject.j2` (email subject / card title) and `NAME.html.j2` (email HTML). Button labels are in
`<locale>/actions.toml`.
"""
import tomllib
from functools import lru_cache
from pathlib import Path

TEMPLATE_DIR = Path(__file__).parent
LOCALES = ("zh", "en")


def labels(locale: str) -> dict[str, dict[str, str]]:
    """Display names for ticket types, statuses and priorities (`<locale>/labels.toml`)."""
    return _labels(locale if locale in LOCALES else LOCALES[0])


@lru_cache(maxsize=4)
def _labels(locale: str) -> dict[str, dict[str, str]]:
    return tomllib.loads((TEMPLATE_DIR / locale / "labels.toml").read_text("utf-8"))

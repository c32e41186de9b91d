"""Every sentence a person reads lives here, as Jinja2 files per locale (`zh/`, `en/`).

A message template `NAME` is `<locale>/NAME.md.j2` (light Markdown: the body every channel can show), optionally with
`NAME.subject.j2` (email subject / card title) and `NAME.html.j2` (email HTML). Button labels are in
`<locale>/actions.toml`.
"""
from pathlib import Path

TEMPLATE_DIR = Path(__file__).parent
LOCALES = ("zh", "en")

"""Renders a message template into what channels send: light Markdown, plain text (buttons as numbered lines), subject,
HTML and the buttons themselves. Channels pick the form they can show; every rich reply degrades to text.
Customer-supplied text goes through the `inert` filter (templates.quoting): the Markdown keeps it marked for each
channel's own escaping (`Rendered.markup`); the text, subject and HTML forms are ready to send."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Mapping, MutableMapping, Sequence

import jinja2

from templates import LOCALES, TEMPLATE_DIR, labels, phrases, quoting

CHINA = timezone(timedelta(hours=8))
"""Beijing time, in which every time shown to a person is written."""
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_TABLE = re.compile(r"((?:^[ \t]*\|.*\|[ \t]*\n){2,}(?:^[ \t]*\|.*\|[ \t]*(?:\n|\Z))*)", re.MULTILINE)
"""A Markdown table: two or more lines that start and end with a pipe (the header, its rule, the rows)."""
_RULE = re.compile(r":?-+:?")
_CJK = re.compile(r"[\u3400-\u9fff]")
_DICT_ATTRIBUTES = frozenset(dir(dict))


@dataclass(frozen=True, slots=True)
class Action:
    """A button: `command` is the text the hub receives when it is pressed (so typing it works the same). Its label
    is the locale's phrase for `id` (`actions.toml`), unless the spec gives one that needs no translation (a ticket
    id)."""

    id: str
    label: str
    command: str
    style: str = ""


@dataclass(frozen=True, slots=True)
class Rendered:
    """`markdown` holds customer text marked: channels show it through `markup`. `text` (plain, customer text as
    written, addresses defanged) and `subject` are final; `html` is the template's own HTML form, "" when it has
    none, and `page` the HTML to send (customer text escaped)."""

    markdown: str
    text: str
    subject: str
    html: str
    actions: tuple[Action, ...]

    def markup(self, convert: Callable[[str], str] = quoting.same, *,
               quote: Callable[[str], str] = quoting.same) -> str:
        """The Markdown in a channel's markup: the template's text through `convert`, customer text through
        `quote` (the channel's escaping) and nothing else."""
        return quoting.convert(self.markdown, convert, quote=quote)

    def page(self) -> str:
        """The HTML form: the template's own, else the Markdown as paragraphs ("" for an empty message). Made when
        asked: only mail shows it, and every reply of every channel paid for it."""
        if self.html or not self.markdown:
            return self.html
        return quoting.convert(self.markdown, _markdown_to_html, quote=html.escape)


NOTHING = Rendered(markdown="", text="", subject="", html="", actions=())


class TemplateNotFound(LookupError):
    pass


class _Environment(jinja2.Environment):
    """Jinja's environment made cheaper for what every message pays: each template's globals as one plain dict
    (every render copies them into its context, twice, and Jinja's `ChainMap` over the environment's globals is
    several times slower to walk; nothing changes the globals once templates are loaded), and a dict's items read
    without a failed attribute lookup first."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`ticket.priority` on a dict — what a message's data is made of — is its item, looked up first: Jinja
        tries the attribute first and finds it only after an exception, a fifth of the time of a reply's render. A
        name that is an attribute of dicts (`ticket.entities.get`) still means that attribute, as in Jinja."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


class Renderer:
    """Loads templates once (the files are part of the release: neither their times nor whether the optional forms
    exist are looked up again for each message, and a loaded template is kept here rather than behind the
    environment's locked cache); `StrictUndefined` so a missing value fails loudly in tests instead of reaching a
    person."""

    def __init__(self, *, template_dir: Path = TEMPLATE_DIR) -> None:
        self._env = _Environment(
            loader=jinja2.FileSystemLoader(str(template_dir)),
            auto_reload=False,
            undefined=jinja2.StrictUndefined,
            autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters["inert"] = quoting.inert
        self._env.filters["china_time"] = china_time
        self._env.filters["as_written"] = as_written
        self._env.filters["table_lines"] = table_lines
        self._dir = template_dir
        self._present = {path.relative_to(template_dir).as_posix() for path in template_dir.rglob("*.j2")}
        self._loaded: dict[str, jinja2.Template] = {}
        self._labels = {locale: labels(locale) for locale in LOCALES}
        self._action_labels = {locale: phrases(locale, "actions", template_dir=template_dir) for locale in LOCALES}

    def render(self, name: str, data: Mapping[str, Any], locale: str) -> Rendered:
        """The message template `name` in `locale`; a message without one (a webhook delivery, whose data is the
        message) renders to `NOTHING`."""
        if not name:
            return NOTHING
        locale = locale if locale in LOCALES else LOCALES[0]
        data = {**data, "labels": self._labels[locale]}
        markdown = self._render(f"{locale}/{name}.md.j2", data).strip()
        subject = quoting.convert(self._render_optional(f"{locale}/{name}.subject.j2", data).strip())
        actions = tuple(self._actions(data.get("actions", ()), locale))
        text = quoting.convert(markdown, lambda m: _BOLD.sub(r"\1", m))
        if actions:
            lines = [self._render("_action_line.j2", {"n": i, "action": a, "locale": locale}).strip()
                     for i, a in enumerate(actions, 1)]
            text = text + "\n\n" + "\n".join(lines)
        page = quoting.convert(self._render_optional(f"{locale}/{name}.html.j2", data))
        return Rendered(markdown=markdown, text=text, subject=subject, html=page, actions=actions)

    def _render(self, path: str, data: Mapping[str, Any]) -> str:
        template = self._loaded.get(path)
        if template is None:
            try:
                template = self._loaded[path] = self._env.get_template(path)
            except jinja2.TemplateNotFound as exc:
                raise TemplateNotFound(path) from exc
        return template.render(data)

    def _render_optional(self, path: str, data: Mapping[str, Any]) -> str:
        if path not in self._present:
            return ""
        return self._render(path, data)

    def _actions(self, specs: Any, locale: str) -> list[Action]:
        labels = self._action_labels[locale]
        return [Action(id=s["id"], label=s.get("label") or labels.get(s["id"], s["id"]), command=s["command"],
                       style=s.get("style", "")) for s in specs]

    def names(self) -> list[str]:
        """Every message template (for the test that renders them all)."""
        return sorted({p.name.removesuffix(".md.j2") for p in (self._dir / LOCALES[0]).glob("*.md.j2")
                       if not p.name.startswith("_")})


def table_lines(markdown: str) -> str:
    """Markdown tables as lines a chat shows well: no chat window draws a table (pipes and dashes reach the
    customer), and a phone is too narrow for columns. Each row becomes one line, its first cell bold and the others
    after it ("**E1** 点火失败：确认燃气阀门已打开…"); a header, with the rule under it, is dropped."""
    lines: list[str] = []
    for block in _TABLE.split(markdown):
        if not _TABLE.fullmatch(block):
            lines.append(block)
            continue
        rows = [_cells(line) for line in block.splitlines()]
        if len(rows) > 1 and all(_RULE.fullmatch(cell) for cell in rows[1]):
            rows = rows[2:]
        for cells in rows:
            first, *rest = [cell for cell in cells if cell] or [""]
            colon = "：" if _CJK.search("".join(cells)) else ": "
            lines.append(f"**{first}** {colon.join(rest)}\n" if rest else f"{first}\n")
    return "".join(lines)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


_REGION_BEFORE_LATIN = re.compile(r"^[\u4e00-\u9fff]+ (?=[A-Za-z0-9])")


def as_written(value: str) -> str:
    """A detail read back as the customer wrote it: an address in Latin letters is recorded led by its region in
    Chinese for dispatch ("北京市朝阳区 88 Jianguo Road, …", nlp.understanding.Address.recorded), which the customer
    never wrote."""
    return _REGION_BEFORE_LATIN.sub("", value, count=1)


def china_time(value: str, weekdays: Sequence[str] = ()) -> str:
    """An ISO time as customers in China read it: "12-02 14:00" (Beijing time), a span as "12-05 09:00–12:00" (a
    ticket keeps "明天上午" as an ISO interval, start/end); given the names of the days of the week from Monday, with
    the day's between ("12-05 周六 14:00"), so "周六下午" is seen to be the Saturday meant."""
    start, _, end = value.partition("/")
    moment = datetime.fromisoformat(start).astimezone(CHINA)
    day = f" {weekdays[moment.weekday()]}" if weekdays else ""
    until = f"–{datetime.fromisoformat(end).astimezone(CHINA):%H:%M}" if end else ""
    return f"{moment:%m-%d}{day} {moment:%H:%M}{until}"


def _markdown_to_html(markdown: str) -> str:
    """Paragraphs and bold; everything else, customer text above all, escaped."""
    paragraphs = [html.escape(p).replace("\n", "<br>") for p in markdown.split("\n\n") if p.strip()]
    body = "".join("<p>" + _BOLD.sub(r"<b>\1</b>", p) + "</p>" for p in paragraphs)
    return f'<html><body style="font-family:sans-serif">{body}</body></html>'

"""Knowledge-base articles: Markdown with YAML front matter (`id, title, questions, tags`), the answer below it.

An article file is read whole and checked field by field before anything is stored, so a typo in one file stops an
import with the file and field named instead of leaving half a knowledge base behind.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")
"""Article ids appear in URLs, logs and chat buttons: lower-case ASCII, digits, `-` and `_`, at most 100 chars."""
TITLE_MAX = 200
FIELDS = ("id", "title", "questions", "tags")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""The safe loader, in C when PyYAML was built with libyaml (ten times faster on a large knowledge base)."""
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?(.*)\Z", re.DOTALL | re.MULTILINE)


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    id: str
    title: str
    questions: tuple[str, ...]
    tags: tuple[str, ...]
    body: str


class ArticleError(ValueError):
    """A bad article; the message names the file and, where it is one field's fault, the field."""

    def __init__(self, source: str, problem: str, *, field: str | None = None) -> None:
        self.source, self.field, self.problem = source, field, problem
        super().__init__(f"{source}: {field}: {problem}" if field else f"{source}: {problem}")


def parse_article(text: str, *, source: str) -> Article:
    """One article from its file text; `source` (the file name) is what errors name."""
    found = _FRONT_MATTER.match(text)
    if found is None:
        raise ArticleError(source, "expected YAML front matter between '---' lines at the top of the file")
    header_text, body = found.groups()
    try:
        header = yaml.load(header_text, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (front matter line {mark.line + 1})" if mark is not None else ""
        raise ArticleError(source, f"front matter is not valid YAML{where}: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(header, dict):
        raise ArticleError(source, "front matter must be a mapping of id, title, questions, tags")
    unknown = sorted(str(key) for key in header if key not in FIELDS)
    if unknown:
        raise ArticleError(source, f"unknown field (expected {', '.join(FIELDS)})", field=unknown[0])
    article_id = _text(header, "id", source)
    if not ID_PATTERN.fullmatch(article_id):
        raise ArticleError(source, f"{article_id!r} is not a valid id: use a-z, 0-9, '-' and '_' (at most 100)",
                           field="id")
    title = _text(header, "title", source)
    if len(title) > TITLE_MAX:
        raise ArticleError(source, f"longer than {TITLE_MAX} characters", field="title")
    body = body.strip()
    if not body:
        raise ArticleError(source, "the answer below the front matter is empty", field="body")
    return Article(id=article_id, title=title, questions=_texts(header, "questions", source),
                   tags=_texts(header, "tags", source), body=body)


def read_articles(directory: Path) -> list[Article]:
    """Every `*.md` file under `directory` (sorted, recursive); all or nothing, and an id may appear only once."""
    if not directory.is_dir():
        raise ArticleError(str(directory), "not a directory")
    articles: list[Article] = []
    seen: dict[str, Path] = {}
    for path in sorted(directory.rglob("*.md")):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise ArticleError(str(path), f"not UTF-8 text (byte {exc.start})") from exc
        article = parse_article(text, source=str(path))
        if article.id in seen:
            raise ArticleError(str(path), f"{article.id!r} is already the id of {seen[article.id]}", field="id")
        seen[article.id] = path
        articles.append(article)
    if not articles:
        raise ArticleError(str(directory), "no *.md articles found")
    return articles


def _text(header: dict[Any, Any], field: str, source: str) -> str:
    value = header.get(field)
    if value is None:
        raise ArticleError(source, "missing", field=field)
    if not isinstance(value, str) or not value.strip():
        raise ArticleError(source, f"must be non-empty text, not {value!r}", field=field)
    return value.strip()


def _texts(header: dict[Any, Any], field: str, source: str) -> tuple[str, ...]:
    value = header.get(field, [])
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ArticleError(source, f"must be a list, like [a, b], not {value!r}", field=field)
    for position, item in enumerate(value, 1):
        if not isinstance(item, str) or not item.strip():
            raise ArticleError(source, f"item {position} must be non-empty text, not {item!r}", field=field)
    return tuple(item.strip() for item in value)


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer sent in chat from the knowledge base, waiting for the customer's word on it."""

    id: int
    question: str
    article_id: str

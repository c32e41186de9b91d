"""`aftersales kb import DIR` and `aftersales kb search [--kb DIR] QUERY | --jsonl` (CONTRACT.md).

Exit codes: 0 ok, 2 bad usage or bad input (stderr names the file and field, or the stdin line), 1 anything else.
A bad article stops an import before the database is touched, so nothing is ever half-imported.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bot.config import load_config
from bot.knowledge import import_articles, stored_articles
from bot.startup import prepare_database
from core.clock import SystemClock
from core.domain.knowledge import Article, ArticleError, read_articles
from core.services.knowledge import ImportResult
from core.storage.db import create_engine, session_factory
from nlp.corpus import DataError, json_lines
from nlp.retrieval import KnowledgeBase, Match

EXIT_OK, EXIT_USAGE = 0, 2


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    """Add the `kb` command group; each leaf parser sets `func(args) -> int`."""
    kb = subparsers.add_parser("kb", help="import and search the knowledge base")
    commands = kb.add_subparsers(dest="kb_command", required=True)
    import_cmd = commands.add_parser("import", parents=[common],
                                     help="load Markdown articles from DIR into the database (upsert by id)")
    import_cmd.add_argument("dir", help="folder of *.md articles with YAML front matter")
    import_cmd.set_defaults(func=_import)
    search = commands.add_parser("search", parents=[common], help="best article per query, one JSON object each")
    search.add_argument("query", nargs="?", help="the question; read from stdin when omitted")
    search.add_argument("--kb", metavar="DIR", help="search the articles in DIR instead of the database's")
    search.add_argument("--jsonl", action="store_true", help='read {"query": ...} or {"text": ...} lines from stdin')
    search.set_defaults(func=_search)


def _fail(message: str) -> int:
    print(f"aftersales kb: {message}", file=sys.stderr)
    return EXIT_USAGE


def _import(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    try:
        articles = read_articles(Path(args.dir))
    except ArticleError as exc:
        return _fail(str(exc))
    prepare_database(config.database.url)
    result = asyncio.run(_store(config.database.url, articles))
    print(json.dumps({"imported": len(articles), "added": result.added, "updated": result.updated,
                      "unchanged": result.unchanged}))
    return EXIT_OK


async def _store(url: str, articles: list[Article]) -> ImportResult:
    engine = create_engine(url)
    try:
        return await import_articles(session_factory(engine), SystemClock(), articles)
    finally:
        await engine.dispose()


async def _from_database(url: str) -> list[Article]:
    engine = create_engine(url)
    try:
        return await stored_articles(session_factory(engine), SystemClock())
    finally:
        await engine.dispose()


def _search(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    try:
        if not args.kb:  # a database never migrated: brought to head as `serve` does, or refused with the command
            prepare_database(config.database.url)
        articles = read_articles(Path(args.kb)) if args.kb else asyncio.run(_from_database(config.database.url))
    except ArticleError as exc:
        return _fail(str(exc))
    if not articles:
        return _fail("the knowledge base is empty: load articles with `aftersales kb import DIR` or pass --kb DIR")
    knowledge = KnowledgeBase(articles, threshold=config.kb.threshold)
    try:
        if args.jsonl:
            queries = [text for _, _, text in json_lines(sys.stdin, "stdin", keys=("query", "text"))]
        else:
            queries = [args.query if args.query is not None else sys.stdin.read().strip()]
    except DataError as exc:
        return _fail(str(exc))
    for query, match in zip(queries, knowledge.search_many(queries)):
        print(json.dumps({"query": query, **_result(match)}, ensure_ascii=False))
    return EXIT_OK


def _result(match: Match | None) -> dict[str, object]:
    if match is None:
        return {"article_id": None, "title": None, "score": 0.0, "answered": False}
    return match.to_dict()

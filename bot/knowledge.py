"""The knowledge base as the application sees it: articles stored by core, searched by nlp, joined here.

`load_knowledge_base` is what a running hub calls at start: it imports `[kb] dir` when one is configured, then builds
the search index over every stored article. While it runs, `KnowledgeRefresher` rebuilds the index when an import
(`aftersales kb import`, from any process or host) has added or rewritten articles, so no restart is needed.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from pathlib import Path
from typing import Protocol, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import KbConfig
from bot.loop import WakeableLoop
from core.clock import Clock
from core.domain.knowledge import Article, read_articles
from core.services.knowledge import ImportResult, KnowledgeService
from nlp.retrieval import KnowledgeBase

log = logging.getLogger(__name__)


async def import_articles(sessions: async_sessionmaker[AsyncSession], clock: Clock,
                          articles: Sequence[Article]) -> ImportResult:
    """Upsert `articles` by id in one transaction: all of them or, on any failure, none."""
    async with sessions() as session, session.begin():
        return await KnowledgeService(session=session, clock=clock).upsert(articles)


async def stored_articles(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> list[Article]:
    async with sessions() as session:
        return await KnowledgeService(session=session, clock=clock).all()


async def stored_version(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> tuple[int, datetime | None]:
    async with sessions() as session:
        return await KnowledgeService(session=session, clock=clock).version()


async def load_knowledge_base(config: KbConfig, sessions: async_sessionmaker[AsyncSession],
                              clock: Clock) -> KnowledgeBase:
    """Import `config.dir` (when set; a bad file raises `ArticleError` naming it) and index every stored article."""
    if config.dir:
        await import_articles(sessions, clock, read_articles(Path(config.dir)))
    return KnowledgeBase(await stored_articles(sessions, clock), threshold=config.threshold)


class Searcher(Protocol):
    """Where the running hub keeps the index it searches (the pipeline)."""

    knowledge: KnowledgeBase | None


class KnowledgeRefresher(WakeableLoop):
    """Loads the knowledge base at start, then every `[kb] refresh_seconds` looks whether the stored articles
    changed and, if so, builds a new index off the event loop and swaps it in whole: a message is answered by the
    old index or the new one, never by half of each."""

    name = "kb-refresh"

    def __init__(self, *, searcher: Searcher, config: KbConfig, sessions: async_sessionmaker[AsyncSession],
                 clock: Clock) -> None:
        super().__init__()
        self._searcher, self._config, self._sessions, self._clock = searcher, config, sessions, clock
        self._version: tuple[int, datetime | None] | None = None

    async def start(self) -> None:
        """The first index is built before anything is handled; a bad `[kb] dir` file stops the start naming it.
        The version is read first, so an import meanwhile (or of `[kb] dir` itself) is indexed at the next look."""
        self._version = await stored_version(self._sessions, self._clock)
        self._searcher.knowledge = await load_knowledge_base(self._config, self._sessions, self._clock)
        await super().start()

    async def refresh(self) -> bool:
        """Rebuild the index if the stored articles changed since it was built; whether it was."""
        version = await stored_version(self._sessions, self._clock)
        if version == self._version:
            return False
        articles = await stored_articles(self._sessions, self._clock)
        self._searcher.knowledge = await asyncio.to_thread(KnowledgeBase, articles, threshold=self._config.threshold)
        self._version = version
        log.info("knowledge base changed: %d articles indexed", len(articles))
        return True

    async def _run(self) -> None:
        while True:
            await self._sleep(self._config.refresh_seconds)
            try:
                await self.refresh()
            except Exception:  # noqa: BLE001 - the old index keeps answering; the next round tries again
                log.exception("knowledge base refresh failed; the index in use is kept")

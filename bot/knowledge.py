"""The knowledge base as the application sees it: articles stored by core, searched by nlp, joined here.

`load_knowledge_base` is what a running hub calls once at start: it imports `[kb] dir` when one is configured (so
editing the files and restarting is enough), then builds the search index over every stored article.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import KbConfig
from core.clock import Clock
from core.domain.knowledge import Article, read_articles
from core.services.knowledge import ImportResult, KnowledgeService
from nlp.retrieval import KnowledgeBase


async def import_articles(sessions: async_sessionmaker[AsyncSession], clock: Clock,
                          articles: Sequence[Article]) -> ImportResult:
    """Upsert `articles` by id in one transaction: all of them or, on any failure, none."""
    async with sessions() as session, session.begin():
        return await KnowledgeService(session=session, clock=clock).upsert(articles)


async def stored_articles(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> list[Article]:
    async with sessions() as session:
        return await KnowledgeService(session=session, clock=clock).all()


async def load_knowledge_base(config: KbConfig, sessions: async_sessionmaker[AsyncSession],
                              clock: Clock) -> KnowledgeBase:
    """Import `config.dir` (when set; a bad file raises `ArticleError` naming it) and index every stored article."""
    if config.dir:
        await import_articles(sessions, clock, read_articles(Path(config.dir)))
    return KnowledgeBase(await stored_articles(sessions, clock), threshold=config.threshold)

"""The knowledge base's store: articles upserted by id within the caller's transaction, and read back whole.

Retrieval lives in `nlp.retrieval`; the application builds its index from `all()` once at start, so this service
only has to keep the rows right.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.domain.knowledge import Article
from core.storage.models import KbArticle


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int


class KnowledgeService:
    def __init__(self, *, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def upsert(self, articles: Sequence[Article]) -> ImportResult:
        """Add new ids, rewrite changed ones (`updated_at` moves only then); articles not named are kept."""
        rows = {row.id: row for row in await self._session.scalars(select(KbArticle))}
        """Every row, not an `IN` of the ids: a whole knowledge base fits in memory (its index does), and a long
        `IN` list would run into SQLite's limit on bound parameters."""
        now = self._clock.now()
        added = updated = 0
        for article in articles:
            fields = _fields(article)
            row = rows.get(article.id)
            if row is None:
                self._session.add(KbArticle(id=article.id, **fields, created_at=now, updated_at=now))
                added += 1
            elif any(getattr(row, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(row, name, value)
                row.updated_at = now
                updated += 1
        await self._session.flush()
        return ImportResult(added=added, updated=updated, unchanged=len(articles) - added - updated)

    async def all(self) -> list[Article]:
        rows = await self._session.scalars(select(KbArticle).order_by(KbArticle.id))
        return [Article(id=row.id, title=row.title, questions=tuple(row.questions), tags=tuple(row.tags),
                        body=row.body) for row in rows]


def _fields(article: Article) -> dict[str, object]:
    return {"title": article.title, "questions": list(article.questions), "tags": list(article.tags),
            "body": article.body}

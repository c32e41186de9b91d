"""The knowledge base's store: articles upserted by id within the caller's transaction, and read back whole; and
the answers sent from it in chat with what customers said of them (`helpful`), which is how deflections are counted.

Retrieval lives in `nlp.retrieval`; the application builds its index from `all()` once at start, so this service
only has to keep the rows right.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.domain.knowledge import Answer, Article
from core.storage.models import KbAnswer, KbArticle


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

    async def answered(self, *, customer_id: int, channel: str, conversation: str, question: str, article_id: str,
                       score: float) -> Answer:
        """An answer was sent for `question`; the customer's word on it comes later (`feedback`)."""
        row = KbAnswer(customer_id=customer_id, channel=channel, conversation=conversation, question=question,
                       article_id=article_id, score=score, helpful=None, answered_at=self._clock.now())
        self._session.add(row)
        await self._session.flush()
        return Answer(id=row.id, question=question, article_id=article_id)

    async def awaiting_feedback(self, *, customer_id: int, channel: str, conversation: str,
                                answer_id: int | None) -> Answer | None:
        """The answer a 有帮助 / 没帮助 is about: the one the conversation names, else the newest in the thread
        without a word yet."""
        query = select(KbAnswer).where(KbAnswer.customer_id == customer_id, KbAnswer.helpful.is_(None))
        if answer_id is not None:
            query = query.where(KbAnswer.id == answer_id)
        else:
            query = query.where(KbAnswer.channel == channel, KbAnswer.conversation == conversation)
        row = await self._session.scalar(query.order_by(KbAnswer.id.desc()).limit(1))
        return None if row is None else Answer(id=row.id, question=row.question, article_id=row.article_id)

    async def feedback(self, answer: Answer, *, helpful: bool, ticket_id: int | None = None) -> None:
        """The customer's word on `answer`; `ticket_id` when the question was filed as a ticket after all."""
        await self._session.execute(update(KbAnswer).where(KbAnswer.id == answer.id).values(
            helpful=helpful, ticket_id=ticket_id, feedback_at=self._clock.now()))

    async def version(self) -> tuple[int, datetime | None]:
        """What any import that adds or rewrites an article changes (articles are never deleted): a running hub
        compares it to know when to rebuild its index."""
        count, newest = (await self._session.execute(select(func.count(), func.max(KbArticle.updated_at)))).one()
        return int(count), newest

    async def all(self) -> list[Article]:
        rows = await self._session.scalars(select(KbArticle).order_by(KbArticle.id))
        return [Article(id=row.id, title=row.title, questions=tuple(row.questions), tags=tuple(row.tags),
                        body=row.body) for row in rows]


def _fields(article: Article) -> dict[str, object]:
    return {"title": article.title, "questions": list(article.questions), "tags": list(article.tags),
            "body": article.body}

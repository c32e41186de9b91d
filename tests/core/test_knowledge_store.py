"""Knowledge-base articles upserted by id on SQLite and PostgreSQL."""
from __future__ import annotations

from sqlalchemy import select

from core.clock import FakeClock
from core.domain.knowledge import Article
from core.services.knowledge import ImportResult, KnowledgeService
from core.storage.db import session_factory
from core.storage.models import KbArticle


def _article(article_id: str, body: str = "签收后 7 天内可以退货。") -> Article:
    return Article(id=article_id, title="退换货规则", questions=("怎么退货", "可以换吗"), tags=("return",), body=body)


async def _upsert(sessions, clock, articles) -> ImportResult:  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        return await KnowledgeService(session=session, clock=clock).upsert(articles)


async def test_import_adds_then_updates_only_what_changed(engine, clock: FakeClock) -> None:
    sessions = session_factory(engine)
    assert await _upsert(sessions, clock, [_article("return"), _article("invoice")]) == ImportResult(2, 0, 0)
    first = clock.now()
    clock.advance(3600)
    assert await _upsert(sessions, clock, [_article("return", body="新的规则"), _article("invoice")]
                         ) == ImportResult(0, 1, 1)
    async with sessions() as session:
        rows = {row.id: row for row in await session.scalars(select(KbArticle))}
        assert rows["return"].body == "新的规则" and rows["return"].updated_at == clock.now()
        assert rows["return"].created_at == first and rows["invoice"].updated_at == first
        stored = await KnowledgeService(session=session, clock=clock).all()
    assert stored == [_article("invoice"), _article("return", body="新的规则")]


async def test_articles_not_named_in_an_import_are_kept(engine, clock: FakeClock) -> None:
    sessions = session_factory(engine)
    await _upsert(sessions, clock, [_article("return")])
    await _upsert(sessions, clock, [_article("invoice")])
    async with sessions() as session:
        assert [a.id for a in await KnowledgeService(session=session, clock=clock).all()] == ["invoice", "return"]

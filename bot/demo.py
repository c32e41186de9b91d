"""Demo staff and a starter knowledge base, so a fresh hub has technicians, supervisors and answers to show
(`aftersales demo`). The articles in `demo_kb/` describe a demo brand: their terms and fault codes are examples."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bot.staff_file import read_staff_file
from core.clock import SystemClock
from core.domain.knowledge import read_articles
from core.services.knowledge import KnowledgeService
from core.services.unit import Services
from core.storage.db import create_engine, session_factory
from core.storage.models import Staff

DEMO_FILE = Path(__file__).with_name("demo.toml")
DEMO_KB = Path(__file__).with_name("demo_kb")


async def load_demo(url: str, *, only_if_empty: bool) -> bool:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session, session.begin():
            if only_if_empty and await session.scalar(select(func.count()).select_from(Staff)):
                return False
            clock = SystemClock()
            await Services.in_transaction(session, clock).staff.import_specs(read_staff_file(DEMO_FILE))
            await KnowledgeService(session=session, clock=clock).upsert(read_articles(DEMO_KB))
        return True
    finally:
        await engine.dispose()

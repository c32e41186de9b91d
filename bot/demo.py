"""Demo staff and a starter knowledge base, so a fresh hub has technicians, supervisors and answers to show
(`aftersales demo`). The articles in `demo_kb/` describe a demo brand: their terms and fault codes are examples."""
from __future__ import annotations

import tomllib
from pathlib import Path

from sqlalchemy import func, select

from core.clock import SystemClock
from core.domain.knowledge import read_articles
from core.domain.people import PersonKind
from core.services.knowledge import KnowledgeService
from core.services.people import PeopleService
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
            people = PeopleService(session=session, clock=clock)
            for member in tomllib.loads(DEMO_FILE.read_text("utf-8"))["staff"]:
                await people.add_staff(name=member["name"], role=PersonKind(member["role"]),
                                       skills=member.get("skills", []), regions=member.get("regions", []),
                                       capacity=member.get("capacity", 5), identities=member.get("identities", {}))
            await KnowledgeService(session=session, clock=clock).upsert(read_articles(DEMO_KB))
        return True
    finally:
        await engine.dispose()

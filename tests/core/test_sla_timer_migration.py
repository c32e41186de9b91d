"""Migration 0018 on SQLite: a ticket's SLA timers, one per alert level, become one per target at the level each
had reached, and going back gives each level its row again, those sent marked fired."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from alembic import command
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from core.storage.db import create_engine
from core.storage.migrate import alembic_config
from core.storage.models import Timer

OPENED = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)


def _levels(code: str, target: str, statuses: list[str]) -> list[dict[str, object]]:
    return [{"kind": "sla", "key": f"sla:{code}:{target}:{level}", "due_at": OPENED + timedelta(hours=level),
             "payload": {"ticket": code, "target": target, "level": level}, "status": status, "attempts": 0,
             "last_error": "", "created_at": OPENED} for level, status in enumerate(statuses)]


async def _migrate(url: str, revision: str, *, down: bool = False) -> None:
    config = alembic_config(url)
    engine = create_engine(url)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)
    await engine.dispose()


async def _timers(url: str) -> dict[str, tuple[str, int]]:
    engine = create_engine(url)
    async with engine.connect() as connection:
        rows = await connection.execute(select(Timer.key, Timer.status, Timer.payload).where(Timer.kind == "sla"))
        found = {key: (status, payload["level"]) for key, status, payload in rows}
    await engine.dispose()
    return found


async def test_each_target_keeps_the_level_it_had_reached(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    await _migrate(url, "0017")
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(insert(Timer), [
            *_levels("SR-1", "first_response", ["fired", "pending", "pending"]),
            *_levels("SR-1", "resolution", ["held", "held", "held"]),
            *_levels("SR-2", "first_response", ["fired", "fired", "cancelled"]),
            {"kind": "survey", "key": "survey:SR-2", "due_at": OPENED, "payload": {}, "status": "pending",
             "attempts": 0, "last_error": "", "created_at": OPENED}])
    await engine.dispose()

    await _migrate(url, "0018")
    assert await _timers(url) == {"sla:SR-1:first_response": ("pending", 1), "sla:SR-1:resolution": ("held", 0),
                                  "sla:SR-2:first_response": ("cancelled", 2)}

    await _migrate(url, "0017", down=True)
    assert await _timers(url) == {"sla:SR-1:first_response:0": ("fired", 0),
                                  "sla:SR-1:first_response:1": ("pending", 1),
                                  "sla:SR-1:resolution:0": ("held", 0),
                                  "sla:SR-2:first_response:0": ("fired", 0),
                                  "sla:SR-2:first_response:1": ("fired", 1),
                                  "sla:SR-2:first_response:2": ("cancelled", 2)}

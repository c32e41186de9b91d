"""Shared fixtures: a migrated database on SQLite (always) and PostgreSQL (when AFTERSALES_TEST_POSTGRES_URL is set),
the test dovecot with a folder per test, and an SMTP server that records what it is sent."""
from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path
from typing import AsyncIterator, Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from core.clock import FakeClock
from core.storage.db import create_engine
from core.storage.migrate import upgrade
from testkit.database import copy_sqlite, empty_tables, sqlite_url
from testkit.email_peers import DOVECOT, Dovecot, Mailbox, SmtpPeer, smtp_server, start_dovecot

POSTGRES_URL = os.environ.get("AFTERSALES_TEST_POSTGRES_URL", "")


def _asyncpg(url: str) -> str:
    return str(make_url(url).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False))


async def _admin(url: str, statement: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(statement))
    await engine.dispose()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throwaway PostgreSQL database for this test run, migrated once."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need AFTERSALES_TEST_POSTGRES_URL (CI sets it)")
    base = _asyncpg(POSTGRES_URL)
    name = f"aftersales_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(base, f'CREATE DATABASE "{name}"'))
    url = str(make_url(base).set(database=name).render_as_string(hide_password=False))

    async def migrate() -> None:
        engine = create_engine(url)
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(migrate())
    yield url
    asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to head once per run: a test's SQLite database starts as a copy of it
    (`copy_sqlite`), the schema a fresh upgrade writes, without running every migration again for each test."""
    path = tmp_path_factory.mktemp("migrated") / "hub.db"

    async def migrate() -> None:
        engine = create_engine(sqlite_url(path))
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(migrate())
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """Each storage test runs on both stores."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    return request.getfixturevalue("postgres_database")


@pytest.fixture
async def engine(database_url: str, migrated_sqlite: Path) -> AsyncIterator[AsyncEngine]:
    """The migrated, empty database of `database_url`."""
    engine = create_engine(database_url)
    if engine.dialect.name == "sqlite":
        copy_sqlite(migrated_sqlite, Path(str(engine.url.database)))
    else:
        await empty_tables(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


REDIS_URL = os.environ.get("AFTERSALES_TEST_REDIS_URL", "")


@pytest.fixture
def redis_url() -> str:
    """The test Redis database; tests keep to their own key prefix or empty it first (it is for tests only)."""
    if not REDIS_URL:
        pytest.skip("Redis tests need AFTERSALES_TEST_REDIS_URL (CI sets it)")
    return REDIS_URL


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    if not DOVECOT.exists():
        pytest.skip("dovecot is not installed at /usr/sbin/dovecot (.ci/run installs dovecot-imapd)")
    server = start_dovecot()
    yield server
    server.stop()


@pytest.fixture
def mailbox(dovecot: Dovecot) -> Mailbox:
    """A fresh folder of its own on the test dovecot."""
    box = Mailbox(dovecot.port, "t" + uuid.uuid4().hex[:12])
    with box.client() as client:
        client.create_folder(box.folder)
    return box


@pytest.fixture
def smtp_peer() -> Iterator[SmtpPeer]:
    yield from smtp_server()

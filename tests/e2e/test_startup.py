"""`aftersales serve` as an operator starts it: a new SQLite file is migrated and served; a PostgreSQL database that
is not at head, a port already taken and an escalation level nobody on staff would receive are refused with one line
on stderr and exit 2, before anything starts; the staff members no configured channel reaches are named in one line."""
from __future__ import annotations

import signal
import socket
import uuid
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy.engine import make_url

from bot.demo import load_demo
from tests.conftest import POSTGRES_URL, _admin, _asyncpg
from testkit.database import copy_sqlite
from testkit.hub_process import HubProcess


def assert_one_line_refusal(result, *words: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert all(word in lines[0] for word in words), lines[0]


async def test_serve_migrates_a_new_sqlite_file_and_serves(tmp_path: Path) -> None:
    hub = HubProcess(tmp_path)
    assert not hub.db.exists()
    try:
        await hub.start(migrate=False)
        async with aiohttp.ClientSession() as http, http.get(f"{hub.url}/healthz") as response:
            assert (response.status, await response.json()) == (200, {"status": "ok"})
        assert hub.signal(signal.SIGTERM) == 0
    finally:
        hub.kill()
    log = hub.log.read_text("utf-8")
    assert "migrating to" in log and "migrated to" in log and "Traceback" not in log


@pytest.fixture
async def throwaway_postgres() -> str:
    """An empty PostgreSQL database nobody migrated, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need AFTERSALES_TEST_POSTGRES_URL (CI sets it)")
    base = _asyncpg(POSTGRES_URL)
    name = f"aftersales_unmigrated_{uuid.uuid4().hex[:10]}"
    await _admin(base, f'CREATE DATABASE "{name}"')
    yield str(make_url(base).set(database=name).render_as_string(hide_password=False))
    await _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_serve_refuses_an_unmigrated_postgresql_database(tmp_path: Path, throwaway_postgres: str) -> None:
    result = HubProcess(tmp_path, database_url=throwaway_postgres).serve_until_exit()
    assert_one_line_refusal(result, "aftersales db upgrade", "never migrated")


async def test_serve_refuses_a_postgresql_database_at_a_revision_it_does_not_know(
        tmp_path: Path, throwaway_postgres: str) -> None:
    await _admin(throwaway_postgres, "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
    await _admin(throwaway_postgres, "INSERT INTO alembic_version VALUES ('9999')")
    result = HubProcess(tmp_path, database_url=throwaway_postgres).serve_until_exit()
    assert_one_line_refusal(result, "9999", "does not know")


async def test_serve_on_a_taken_port_exits_before_touching_the_database(tmp_path: Path) -> None:
    hub = HubProcess(tmp_path)
    with socket.create_server(("127.0.0.1", hub.port)):
        result = hub.serve_until_exit()
    assert_one_line_refusal(result, f"127.0.0.1:{hub.port}", "already in use")
    assert not hub.db.exists()


def test_demo_on_a_new_sqlite_file_migrates_it_first(tmp_path: Path) -> None:
    hub = HubProcess(tmp_path)
    assert hub.cli("demo").wait(60) == 0
    assert "migrated to" in hub.log.read_text("utf-8") and "Traceback" not in hub.log.read_text("utf-8")


async def with_demo(hub: HubProcess, migrated_sqlite: Path) -> HubProcess:
    """`hub` with its database migrated and the demo staff loaded, as `aftersales demo` leaves it (tested above),
    without starting a process for it."""
    copy_sqlite(migrated_sqlite, hub.db)
    await load_demo(hub.database_url, only_if_empty=False)
    return hub


async def test_serve_refuses_an_escalation_level_nobody_would_receive(tmp_path: Path, migrated_sqlite: Path) -> None:
    chain = '[[sla.escalation]]\nafter = "0s"\nnotify = "supervisor"\n[[sla.escalation]]\nafter = "2h"\nnotify = "manager"\n'
    hub = await with_demo(HubProcess(tmp_path, extra_config="[sla]\n" + chain), migrated_sqlite)
    result = hub.serve_until_exit()
    assert_one_line_refusal(result, "sla.escalation[2].notify", "'manager'")


SLACK = '[slack]\nbot_token = "xoxb-test"\nsigning_secret = "secret"\napi_base_url = "http://127.0.0.1:9/api/"\n'


@pytest.mark.parametrize(("config", "count", "names", "hint"), [
    ("", "5 staff members", ["王师傅", "李师傅", "赵师傅", "陈主管", "周客服"], "configure [email]/[slack]/[wecom]"),
    (SLACK, "1 staff member ", ["赵师傅"], "configure [wecom] to reach them"),
], ids=["no channel", "slack only"])
async def test_serve_names_in_one_line_the_staff_no_configured_channel_reaches(
        tmp_path: Path, migrated_sqlite: Path, config: str, count: str, names: list[str], hint: str) -> None:
    hub = await with_demo(HubProcess(tmp_path, extra_config=config), migrated_sqlite)
    try:
        await hub.start(migrate=False)
        assert hub.signal(signal.SIGTERM) == 0
    finally:
        hub.kill()
    lines = [line for line in hub.log.read_text("utf-8").splitlines() if "cannot be reached" in line]
    assert len(lines) == 1, lines
    assert count in lines[0] and hint in lines[0] and all(name in lines[0] for name in names), lines[0]

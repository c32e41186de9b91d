"""`aftersales staff import FILE.toml`: staff added or updated by name through the same service as the API; a bad
file exits 2 naming the table and key, and a conflict imports nothing."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import EXIT_OK, EXIT_USAGE, main
from bot.demo import DEMO_FILE
from core.clock import SystemClock
from core.services.unit import Services
from core.storage.db import create_engine, session_factory


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "aftersales.toml"
    path.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "hub.db"}"\n', "utf-8")
    return path


def _staff(tmp_path: Path) -> dict[str, tuple]:
    async def read() -> dict[str, tuple]:
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
        async with session_factory(engine)() as session:
            found = await Services.in_transaction(session, SystemClock()).staff.list(limit=100)
        await engine.dispose()
        return {m.name: (m.role, m.capacity, m.on_duty, dict(m.identities), m.daily_capacity, m.leave)
                for m in found}
    return asyncio.run(read())


def test_the_demo_file_imports_and_a_second_file_updates_by_name(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path)
    assert main(["staff", "import", str(DEMO_FILE), "--config", str(config)]) == EXIT_OK
    assert "5 added, 0 updated" in capsys.readouterr().out
    update = tmp_path / "staff.toml"
    update.write_text('[[staff]]\nname = "王师傅"\nrole = "technician"\ncapacity = 2\non_duty = false\n'
                      'daily_capacity = 4\nleave = ["2027-02-01/2027-02-07", "2027-03-08"]\n'
                      'identities = { wecom = "wangshifu", email = "wang@example.com" }\n'
                      '[[staff]]\nname = "钱客服"\nrole = "agent"\n', "utf-8")
    assert main(["staff", "import", str(update), "--config", str(config)]) == EXIT_OK
    assert "1 added, 1 updated" in capsys.readouterr().out
    staff = _staff(tmp_path)
    assert staff["王师傅"] == ("technician", 2, False, {"wecom": "wangshifu", "email": "wang@example.com"}, 4,
                              ("2027-02-01/2027-02-07", "2027-03-08"))
    assert staff["钱客服"] == ("agent", 5, True, {}, 0, ())


@pytest.mark.parametrize(("text", "message"), [
    ('[[staff]]\nname = "甲"\nrole = "wizard"\n', "staff[1]: role: 'wizard' is not one of"),
    ('[[staff]]\nname = "甲"\nrole = "agent"\n[[staff]]\nrole = "agent"\n', "staff[2].name: required text"),
    ('[[staff]]\nname = "甲"\nrole = "agent"\ncolour = "red"\n', "staff[1]: unknown key 'colour'"),
    ('[[staff]]\nname = "甲"\nrole = "technician"\nskills = ["teleport"]\n', "skills: unknown ticket types teleport"),
    ('[[staff]]\nname = "甲"\nrole = "agent"\nidentities = { fax = "1" }\n', "unknown channel 'fax'"),
    ('[[staff]]\nname = "甲"\nrole = "agent"\n[[staff]]\nname = "甲"\nrole = "agent"\n', "'甲' is listed twice"),
    ('[[staff]]\nname = "甲"\nrole = "technician"\nleave = ["2027-02-07/2027-02-01"]\n',
     "leave: '2027-02-07/2027-02-01' is not YYYY-MM-DD or YYYY-MM-DD/YYYY-MM-DD"),
    ('[[staff]]\nname = "甲"\nrole = "technician"\nworking_hours = ["18:00-09:00"]\n',
     "staff[1]: working_hours: a shift must start before it ends"),
    ('[[staff]]\nname = "甲"\nrole = "technician"\nworking_hours = ["9-17"]\n',
     "staff[1]: working_hours: '9-17' is not HH:MM-HH:MM"),
    ("[[staff]\n", "staff.toml"),
])
def test_a_bad_file_exits_2_naming_where(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str,
                                         message: str) -> None:
    path = tmp_path / "staff.toml"
    path.write_text(text, "utf-8")
    assert main(["staff", "import", str(path), "--config", str(_config(tmp_path))]) == EXIT_USAGE
    assert message in capsys.readouterr().err


def test_a_conflict_imports_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path)
    path = tmp_path / "staff.toml"
    path.write_text('[[staff]]\nname = "甲"\nrole = "agent"\nidentities = { wecom = "same" }\n'
                    '[[staff]]\nname = "乙"\nrole = "agent"\nidentities = { wecom = "same" }\n', "utf-8")
    assert main(["staff", "import", str(path), "--config", str(config)]) == EXIT_USAGE
    assert "identities.wecom: 'same' already belongs to staff member" in capsys.readouterr().err
    assert _staff(tmp_path) == {}

"""`aftersales kb import | search` end to end on a real SQLite database, and the knowledge base a hub loads at start."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli import EXIT_OK, EXIT_USAGE, main
from bot.config import KbConfig
from bot.demo import DEMO_KB
from bot.knowledge import load_knowledge_base
from core.storage.db import session_factory

ARTICLE = """---
id: {id}
title: {title}
questions: [{question}]
---
{body}
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "aftersales.toml"
    path.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "hub.db"}"\n[kb]\nthreshold = 0.3\n',
                    encoding="utf-8")
    assert main(["db", "upgrade", "--config", str(path)]) == EXIT_OK
    return path


def _kb(folder: Path, *articles: tuple[str, str, str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    for article_id, title, question, body in articles:
        (folder / f"{article_id}.md").write_text(
            ARTICLE.format(id=article_id, title=title, question=question, body=body), encoding="utf-8")
    return folder


def run(argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, stdin: str = ""
        ) -> tuple[int, list[dict[str, object]], str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_import_then_search_the_database(config: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    code, [summary], _ = run(["kb", "import", str(DEMO_KB), "--config", str(config)], capsys, monkeypatch)
    assert code == EXIT_OK and summary["added"] == summary["imported"] == len(list(DEMO_KB.glob("*.md")))
    code, [result], _ = run(["kb", "search", "路由器密码忘了怎么重置", "--config", str(config)], capsys, monkeypatch)
    assert code == EXIT_OK
    assert result["query"] == "路由器密码忘了怎么重置" and result["article_id"] == "router-reset"
    assert result["title"] == "路由器重置（恢复出厂设置）" and result["answered"] is True
    assert isinstance(result["score"], float)


def test_a_database_never_migrated_is_migrated_first(tmp_path: Path, capsys, monkeypatch) -> None:
    """`kb search` on a new embedded database answered with a traceback ("no such table: kb_articles")."""
    path = tmp_path / "fresh.toml"
    path.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "fresh.db"}"\n', encoding="utf-8")
    code, results, err = run(["kb", "search", "路由器密码忘了", "--config", str(path)], capsys, monkeypatch)
    assert (code, results) == (EXIT_USAGE, []) and "the knowledge base is empty" in err
    code, [summary], _ = run(["kb", "import", str(DEMO_KB), "--config", str(path)], capsys, monkeypatch)
    assert code == EXIT_OK and summary["added"] == len(list(DEMO_KB.glob("*.md")))


def test_reimport_updates_by_id(config: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    folder = _kb(tmp_path / "kb", ("invoice", "发票", "怎么开发票", "在订单页申请。"),
                 ("delivery", "快递", "快递到哪了", "在订单页查看。"))
    assert run(["kb", "import", str(folder), "--config", str(config)], capsys, monkeypatch)[1][0]["added"] == 2
    _kb(folder, ("invoice", "发票", "怎么开发票", "联系客服申请。"))
    code, [summary], _ = run(["kb", "import", str(folder), "--config", str(config)], capsys, monkeypatch)
    assert code == EXIT_OK and summary == {"imported": 2, "added": 0, "updated": 1, "unchanged": 1}


def test_a_bad_file_imports_nothing_and_names_file_and_field(config: Path, tmp_path: Path, capsys,
                                                             monkeypatch) -> None:
    folder = _kb(tmp_path / "kb", ("invoice", "发票", "怎么开发票", "在订单页申请。"))
    (folder / "broken.md").write_text("---\nid: broken\ntitle: 坏的\nquestions: 不是列表\n---\n正文\n", "utf-8")
    code, out, err = run(["kb", "import", str(folder), "--config", str(config)], capsys, monkeypatch)
    assert code == EXIT_USAGE and out == []
    assert f"{folder / 'broken.md'}: questions: must be a list" in err
    code, _, err = run(["kb", "search", "发票", "--config", str(config)], capsys, monkeypatch)
    assert code == EXIT_USAGE and "knowledge base is empty" in err


def test_search_a_folder_with_jsonl(tmp_path: Path, capsys, monkeypatch) -> None:
    stdin = '{"query": "路由器怎么恢复出厂设置"}\n\n{"text": "厨房里有煤气味"}\n{"query": "~~~"}\n'
    code, results, _ = run(["kb", "search", "--kb", str(DEMO_KB), "--jsonl"], capsys, monkeypatch, stdin)
    assert code == EXIT_OK
    assert [r["article_id"] for r in results] == ["router-reset", "gas-leak-safety", None]
    assert [r["query"] for r in results] == ["路由器怎么恢复出厂设置", "厨房里有煤气味", "~~~"]
    assert results[2] == {"query": "~~~", "article_id": None, "title": None, "score": 0.0, "answered": False}


@pytest.mark.parametrize(("stdin", "message"), [
    ('{"query": "发票"}\nnot json\n', "stdin:2: not valid JSON"),
    ('{"question": "发票"}\n', 'stdin:1: expected an object with a string "query"'),
])
def test_a_bad_jsonl_line_is_exit_2_and_answers_nothing(stdin: str, message: str, capsys, monkeypatch) -> None:
    code, results, err = run(["kb", "search", "--kb", str(DEMO_KB), "--jsonl"], capsys, monkeypatch, stdin)
    assert code == EXIT_USAGE and results == [] and message in err


def test_a_bad_kb_folder_or_threshold_is_exit_2(tmp_path: Path, capsys, monkeypatch) -> None:
    code, _, err = run(["kb", "search", "--kb", str(tmp_path / "nowhere"), "发票"], capsys, monkeypatch)
    assert code == EXIT_USAGE and "not a directory" in err
    config = tmp_path / "bad.toml"
    config.write_text("[kb]\nthreshold = 2\n", encoding="utf-8")
    code, _, err = run(["kb", "search", "--kb", str(DEMO_KB), "发票", "--config", str(config)], capsys, monkeypatch)
    assert code == EXIT_USAGE and "kb.threshold" in err


async def test_a_hub_imports_its_kb_dir_at_start_then_indexes_everything(engine, clock, tmp_path: Path) -> None:
    sessions = session_factory(engine)
    folder = _kb(tmp_path / "kb", ("delivery", "快递查询", "快递到哪了", "在订单页查看物流。"))
    knowledge = await load_knowledge_base(KbConfig(dir=str(folder), threshold=0.3), sessions, clock)
    match = knowledge.search("我的快递到哪里了")
    assert len(knowledge) == 1 and match is not None and match.article_id == "delivery" and match.answered
    assert len(await load_knowledge_base(KbConfig(threshold=0.3), sessions, clock)) == 1

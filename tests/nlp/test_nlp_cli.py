import argparse
import io
import json
from pathlib import Path

import pytest

from nlp.cli import register


def run(argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stdin: str = ""
        ) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="aftersales")
    register(parser.add_subparsers(dest="command", required=True))
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    args = parser.parse_args(argv)
    code = args.func(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_classify_prints_the_contract_json(monkeypatch, capsys) -> None:
    code, out, _ = run(["nlp", "classify", "热水器漏水了，电话13812345678"], monkeypatch, capsys)
    assert code == 0
    result = json.loads(out)
    assert result["type"] == "repair"
    assert result["entities"]["phones"] == ["13812345678"]


def test_classify_jsonl_answers_line_by_line(monkeypatch, capsys) -> None:
    stdin = '{"text": "你好"}\n\n{"text": "发票开了没"}\n'
    code, out, _ = run(["nlp", "classify", "--jsonl"], monkeypatch, capsys, stdin)
    assert code == 0
    assert [json.loads(line)["type"] for line in out.splitlines()] == ["other", "invoice"]


def test_classify_jsonl_bad_line_is_exit_2_naming_the_line(monkeypatch, capsys) -> None:
    code, _, err = run(["nlp", "classify", "--jsonl"], monkeypatch, capsys, '{"text": "你好"}\nnot json\n')
    assert code == 2
    assert "stdin:2" in err


def test_train_then_eval_with_the_written_model(tmp_path: Path, monkeypatch, capsys) -> None:
    data = tmp_path / "history.jsonl"
    rows = [{"text": "打印机卡纸了", "type": "repair"}, {"text": "发票抬头写错了", "type": "invoice"},
            {"text": "快递到哪了", "type": "logistics"}, {"text": "你好", "type": "other"}]
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    out_path = tmp_path / "model.npz"
    code, out, _ = run(["nlp", "train", "--data", str(data), "--out", str(out_path)], monkeypatch, capsys)
    assert code == 0 and out_path.exists()
    assert json.loads(out)["examples_added"] == 4
    code, out, _ = run(["nlp", "eval", "--data", str(data), "--model", str(out_path)], monkeypatch, capsys)
    assert code == 0
    assert "macro-F1" in out and "confusion" in out and "invoice" in out


@pytest.mark.parametrize(("content", "where"), [
    ('{"text": "好", "type": "refund"}\n', ":1:"),
    ('{"text": "好", "type": "other"}\n{"type": "other"}\n', ":2:"),
    ("", "no labelled rows"),
])
def test_bad_training_data_is_exit_2_naming_file_and_line(tmp_path: Path, monkeypatch, capsys, content: str,
                                                          where: str) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text(content, encoding="utf-8")
    code, _, err = run(["nlp", "train", "--data", str(data), "--out", str(tmp_path / "m.npz")], monkeypatch, capsys)
    assert code == 2
    assert str(data) in err and where in err


def test_eval_with_a_broken_model_is_exit_2(tmp_path: Path, monkeypatch, capsys) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text('{"text": "你好", "type": "other"}\n', encoding="utf-8")
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"junk")
    code, _, err = run(["nlp", "eval", "--data", str(data), "--model", str(broken)], monkeypatch, capsys)
    assert code == 2
    assert str(broken) in err


def _hub(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from bot.cli import main

    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_classify_uses_the_model_the_server_is_configured_with(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("AFTERSALES_NLP__MODEL_PATH", str(tmp_path / "configured.npz"))
    code, _, err = _hub(["nlp", "classify", "你好"], capsys)
    assert code == 2 and "configured.npz" in err
    monkeypatch.delenv("AFTERSALES_NLP__MODEL_PATH")
    config = tmp_path / "aftersales.toml"
    config.write_text(f'[nlp]\nmodel_path = "{tmp_path / "from-file.npz"}"\n', encoding="utf-8")
    code, _, err = _hub(["nlp", "classify", "--config", str(config), "你好"], capsys)
    assert code == 2 and "from-file.npz" in err


def test_model_option_overrides_the_configured_model(tmp_path: Path, monkeypatch, capsys) -> None:
    data = tmp_path / "history.jsonl"
    data.write_text('{"text": "打印机卡纸了", "type": "repair"}\n', encoding="utf-8")
    model = tmp_path / "model.npz"
    assert _hub(["nlp", "train", "--data", str(data), "--out", str(model)], capsys)[0] == 0
    monkeypatch.setenv("AFTERSALES_NLP__MODEL_PATH", str(tmp_path / "missing.npz"))
    code, out, _ = _hub(["nlp", "classify", "--model", str(model), "打印机卡纸了"], capsys)
    assert code == 0 and json.loads(out)["type"] == "repair"

"""`aftersales nlp classify | train | eval` (CONTRACT.md), registered into the hub's CLI by `register`.

Exit codes: 0 ok, 2 bad usage or bad input (stderr says what and where), 1 anything else. `classify` and `eval`
use the model the server would use (`[nlp] model_path`, found by the `configured_model` the hub passes in) unless
`--model` names another; `nlp` itself knows nothing of the hub's configuration.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from .corpus import DataError, json_lines, read_examples
from .evaluate import evaluate, format_report
from .model import ModelError
from .placeholders import masked
from .store import load_model, model_dir, train
from .understander import Understander


def _fail(message: str) -> int:
    print(f"aftersales nlp: {message}", file=sys.stderr)
    return 2


ConfiguredModel = Callable[[str | None], str | None]
"""Given `--config` (None = the default lookup), the model path the server is configured with, or None."""


def _model_path(args: argparse.Namespace) -> str | None:
    if args.model:
        return str(args.model)
    configured: ConfiguredModel | None = args.configured_model
    return configured(args.config) if configured is not None else None


def _classify(args: argparse.Namespace) -> int:
    try:
        understander = Understander(model=load_model(_model_path(args)))
    except ModelError as exc:
        return _fail(str(exc))
    now = datetime.now(timezone.utc)
    if args.jsonl:
        try:
            for _, _, text in json_lines(sys.stdin, "stdin"):
                print(json.dumps(understander.understand(text, now=now).to_dict(), ensure_ascii=False), flush=True)
        except DataError as exc:
            return _fail(str(exc))
        return 0
    text = args.text if args.text is not None else sys.stdin.read()
    print(json.dumps(understander.understand(text, now=now).to_dict(), ensure_ascii=False))
    return 0


def _train(args: argparse.Namespace) -> int:
    try:
        extra = read_examples(Path(args.data))
    except DataError as exc:
        return _fail(str(exc))
    out = Path(args.out) if args.out else model_dir() / "trained.npz"
    model = train(extra)
    try:
        model.save(out)
    except OSError as exc:
        return _fail(f"{out}: cannot write model ({exc.strerror or exc.__class__.__name__})")
    print(json.dumps({"model": str(out), "examples_added": len(extra),
                      "examples_relabelled": model.meta["relabelled_examples"], "types": list(model.classes)},
                     ensure_ascii=False))
    return 0


def _eval(args: argparse.Namespace) -> int:
    try:
        examples = read_examples(Path(args.data))
        model = load_model(_model_path(args))
    except (DataError, ModelError) as exc:
        return _fail(str(exc))
    predicted = model.predict_many(masked(e.text) for e in examples)
    print(format_report(evaluate([e.type for e in examples], predicted)))
    return 0


def register(subparsers: argparse._SubParsersAction,  # type: ignore[type-arg]
             configured_model: ConfiguredModel | None = None) -> None:
    """Add the `nlp` command group; each leaf parser sets `func(args) -> int`.

    With `configured_model`, `classify` and `eval` take `--config` and default to the configured model.
    """
    nlp = subparsers.add_parser("nlp", help="classify messages, train and evaluate the ticket-type model")
    commands = nlp.add_subparsers(dest="nlp_command", required=True)

    classify = commands.add_parser("classify", help="understand TEXT (or stdin) and print one JSON object")
    classify.add_argument("text", nargs="?", help="message text; read from stdin when omitted")
    classify.add_argument("--jsonl", action="store_true", help='read {"text": ...} lines from stdin')
    classify.add_argument("--model", help="model file written by `nlp train` (default: the configured "
                                           "[nlp] model_path, else the shipped model)")
    classify.set_defaults(func=_classify)

    train_cmd = commands.add_parser("train", help='train on the shipped data plus FILE ({"text","type"} lines)')
    train_cmd.add_argument("--data", required=True, help="labelled JSON lines")
    train_cmd.add_argument("--out", help="where to write the model (default: <model dir>/trained.npz)")
    train_cmd.set_defaults(func=_train)

    eval_cmd = commands.add_parser("eval", help="per-type P/R/F1, macro-F1 and confusion matrix on FILE")
    eval_cmd.add_argument("--data", required=True, help="labelled JSON lines")
    eval_cmd.add_argument("--model", help="model file (default: the configured [nlp] model_path, else the shipped "
                                           "model)")
    eval_cmd.set_defaults(func=_eval)
    for command in (classify, eval_cmd):
        command.set_defaults(configured_model=configured_model, config=None)
        if configured_model is not None:
            command.add_argument("--config", help="TOML config file whose [nlp] model_path to use")


def main(argv: list[str] | None = None) -> int:
    """`python -m nlp.cli ...`: the same commands without the rest of the hub's CLI."""
    parser = argparse.ArgumentParser(prog="aftersales")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["nlp", *(argv if argv is not None else sys.argv[1:])])
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

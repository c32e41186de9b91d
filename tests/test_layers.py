"""The layer table of the design, enforced: every import edge between the project's packages is read with `ast`, and
an edge the table does not allow fails with the file and line that makes it."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "nlp", "channels", "handlers", "bot", "templates")

ALLOWED: dict[str, tuple[str, ...]] = {
    "core": ("core",),
    "nlp": ("nlp", "core.envelopes", "core.domain"),
    "templates": ("templates",),
    "channels": ("channels", "core", "templates"),
    "handlers": ("handlers", "core", "nlp", "templates"),
    "bot": PACKAGES,
}
"""What each layer may import (a module or any module under it)."""
FORBIDDEN_WITHIN: dict[str, tuple[str, ...]] = {
    "handlers": ("core.storage",),
    "core.domain": ("sqlalchemy", "aiohttp"),
}
"""Narrower rules: handlers work through services, never on tables; the domain stays framework-free."""


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _violations() -> list[str]:
    problems = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = _module(path)
            for line, name in _imports(path):
                where = f"{path.relative_to(ROOT)}:{line} imports {name}"
                if name.split(".")[0] in PACKAGES and not _under(name, ALLOWED[package]):
                    problems.append(where)
                for scope, banned in FORBIDDEN_WITHIN.items():
                    if _under(module, (scope,)) and _under(name, banned):
                        problems.append(where)
    return problems


def test_every_import_follows_the_layer_table() -> None:
    assert _violations() == []


def test_benchmarks_do_not_reach_into_the_tests() -> None:
    offenders = [f"{path.name}:{line} imports {name}" for path in sorted((ROOT / "bench").glob("*.py"))
                 for line, name in _imports(path) if _under(name, ("tests",))]
    assert offenders == []

from datetime import date

import pytest

from core.domain.tickets import (OPEN_STATUSES, IllegalTransition, Status, check_transition, find_ticket_ids,
                                 format_ticket_id, opens_ticket)


def test_ticket_id_format_and_parse() -> None:
    code = format_ticket_id(date(2026, 11, 23), 7)
    assert code == "SR-20261123-0007"
    assert find_ticket_ids(f"请问 {code.lower()} 到哪了，还有 SR-20261122-12345") == [code, "SR-20261122-12345"]


def test_state_machine_refuses_illegal_moves() -> None:
    assert check_transition("new", "assigned") is Status.ASSIGNED
    with pytest.raises(IllegalTransition):
        check_transition(Status.NEW, Status.ON_SITE)
    with pytest.raises(IllegalTransition):
        check_transition(Status.CLOSED, Status.NEW)
    with pytest.raises(ValueError):
        check_transition("new", "teleported")


def test_every_status_reachable_from_new() -> None:
    from core.domain.tickets import TRANSITIONS

    seen, frontier = {Status.NEW}, [Status.NEW]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert seen == set(Status)
    assert Status.RESOLVED not in OPEN_STATUSES and Status.PENDING_PARTS in OPEN_STATUSES


def test_other_never_opens_a_ticket() -> None:
    assert not opens_ticket("other")
    assert opens_ticket("repair")


def test_domain_is_framework_free() -> None:
    import ast
    import pathlib

    import core.domain

    for path in pathlib.Path(core.domain.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert not name.startswith(("sqlalchemy", "aiohttp")), f"{path.name} imports {name}"

"""Two problems in one message: "空调不制冷，另外洗衣机也漏水" is two jobs for two technicians, not one.

The message is cut into clauses (punctuation and the words that start another topic: 另外, 还有, 顺便…), and the
clauses are grouped by the device they name: a clause that names a device not named before starts a new problem, a
clause naming none (a symptom, a detail) stays with the one before. Only messages naming at least two devices are
cut, so everything else costs one regular expression.
"""
from __future__ import annotations

import re

from .entities import products_named

_CLAUSE = re.compile(r"[，,。;；!！?？\n]+|\s*(?:另外|还有|而且|同时|以及|顺便|对了|然后|\band also\b|\balso\b)\s*",
                     re.IGNORECASE)


def problem_texts(text: str, products: tuple[str, ...]) -> list[str]:
    """The parts of `text` that each tell of another device (in the order told), or [] when it tells of one."""
    if len(products) < 2:
        return []
    groups: list[tuple[set[str], list[str]]] = []
    pending: list[str] = []
    for clause in (c.strip() for c in _CLAUSE.split(text)):
        if not clause:
            continue
        named = set(products_named(clause))
        if named and (not groups or not named & set().union(*(g[0] for g in groups))):
            groups.append((named, [*pending, clause]))
            pending = []
        elif groups:
            groups[-1][0].update(named)
            groups[-1][1].append(clause)
        else:
            pending.append(clause)
    return ["，".join(clauses) for _, clauses in groups] if len(groups) >= 2 else []

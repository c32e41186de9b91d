"""Two problems in one message: "空调不制冷，另外洗衣机也漏水" is two jobs for two technicians, not one.

The message is cut into clauses (punctuation and the words that start another topic: 另外, 还有, 顺便…), and the
clauses are grouped by the device they name: a clause that names a device not named before starts a new problem, one
naming a device told of before goes back to that device's problem ("冰箱和洗衣机都坏了，冰箱不制冷，洗衣机不排水"), a
clause naming none (a symptom, a detail) stays with the one before. A clause that tells one thing of devices named
together ("冰箱和洗衣机都坏了") tells it of each: it is read as one clause per device ("冰箱坏了", "洗衣机坏了"); named
together with nothing told ("我买的空调和冰箱") they stay one clause. Only messages naming at least two devices are
cut, so everything else costs one regular expression.
"""
from __future__ import annotations

import re

from .entities import product_mentions, products_named
from .normalize import HAN

_CLAUSE = re.compile(r"[，,。;；!！?？\n]+|\s*(?:另外|还有|而且|同时|以及|顺便|对了|然后|\band also\b|\balso\b)\s*",
                     re.IGNORECASE)
_ANOTHER_MATTER = re.compile(r"^\s*(?:另外|还有|顺便|对了|再就是|by the way|also|another thing)", re.IGNORECASE)


def another_matter(text: str) -> bool:
    """Whether `text` opens with the words that start another topic ("另外我上周买的烤箱还没发货"): said while a
    request waits for its description, it is not that description."""
    return bool(_ANOTHER_MATTER.match(text))


_QUESTION_BESIDE = re.compile(r"(?:[，,。;；!！\s]+|(?<![要需得用再还可]))"
                              r"(?:另外|还有|顺便问一?下|顺便|对了|想问一?下|请问|by the way|also)[，,:：\s]*"
                              r"(?P<question>[^，,。;；!！]+(?:[?？]|吗|么|多久|多少钱?|怎么\S*|几年|哪里|什么))[\s?？。.]*$",
                              re.IGNORECASE)


_WHAT_TO_DO = re.compile(r"[，,。;；!！?？\s]+(?:那|我)?(?:该|要|应该|现在)?(?:怎么办|怎么处理|怎么弄|如何处理|what (?:should|do) i do)"
                         r"(?:啊|呀|呢|吗)?[\s?？。.!！]*$", re.IGNORECASE)


_WARRANTY_ASKED = re.compile(r"[^，,。;；!！?？]*(?:保修|质保|保固|warranty)[^，,。;；!！?？]*(?:[?？]|吗|么|多久)",
                             re.IGNORECASE)
"""A clause asking about the warranty anywhere in a report ("…用了才一年半，还在保修期吗？电话…"): customers ask it
beside the fault and the contact details, with no word that starts another topic."""


def question_beside(text: str) -> str | None:
    """The question a report ends with, after the words that start another topic ("空调不制冷，另外保修期多久？" →
    "保修期多久？"): the knowledge base may answer it while the report is filed. A report ending "怎么办" asks what to
    do about all it told: the whole message is the question ("热水器漏水，地上全是水，怎么办啊"). A clause asking
    about the warranty is one wherever it stands. None when the message is only a question or asks nothing else."""
    if _WHAT_TO_DO.search(text):
        return text
    found = _after_a_report(text)
    if found is not None:
        return found.group("question")
    asked = _WARRANTY_ASKED.search(text)
    return asked.group(0).strip() if asked is not None and asked.group(0).strip() != text.strip() else None


def report_before_question(text: str) -> str | None:
    """What a message told before the question it ends with ("my fridge stopped cooling, also how long is the
    warranty?" → "my fridge stopped cooling"), or None when it ends with none after another topic's words. 另外 after
    要 or 需 means "separately" ("电视挂架要另外买吗"), not "besides"."""
    found = _after_a_report(text)
    return text[:found.start()].strip(" ，,。.") or None if found is not None else None


def _after_a_report(text: str) -> re.Match[str] | None:
    """The question `text` ends with after another topic's words, when something was told before them."""
    found = _QUESTION_BESIDE.search(text)
    return found if found is not None and found.start() > 0 else None


_JOINED = re.compile(r"\s*(?:和|跟|与|及|、|/|&|\band\b)\s*", re.IGNORECASE)
_EACH = re.compile(r"^\s*(?:两个|两台|俩|全|也)?(?:都|全|也)?")
"""The word that says a symptom holds for each device named before it ("都坏了"); dropped when told of one."""


def _each_device(clause: str) -> list[str]:
    """`clause` as one clause per device when it tells one thing of devices named together, else `[clause]`."""
    spans = product_mentions(clause)
    for first in range(len(spans) - 1):
        last = first
        while last + 1 < len(spans) and _JOINED.fullmatch(clause[spans[last][1]:spans[last + 1][0]]):
            last += 1
        if last == first:
            continue
        told = _EACH.sub("", clause[spans[last][1]:])
        if not told.strip() or told.startswith("的"):  # "空调和冰箱的发票": one thing about both
            return [clause]
        head = clause[:spans[first][0]]
        return [head + clause[start:end] + told for start, end in spans[first:last + 1]]
    return [clause]


def problem_texts(text: str, products: tuple[str, ...]) -> list[str]:
    """The parts of `text` that each tell of another device (in the order told), or [] when it tells of one."""
    if len(products) < 2:
        return []
    groups: list[tuple[set[str], list[str]]] = []
    pending: list[str] = []
    for clause in (part for c in _CLAUSE.split(text) if c.strip() for part in _each_device(c.strip())):
        named = set(products_named(clause))
        told_of = [g for g in groups if named & g[0]]
        if named and not told_of:
            groups.append((named, [*pending, clause]))
            pending = []
        elif groups:
            group = told_of[0] if len(told_of) == 1 else groups[-1]
            group[0].update(named)
            group[1].append(clause)
        else:
            pending.append(clause)
    joint = "，" if HAN.search(text) else ", "
    return [joint.join(clauses) for _, clauses in groups] if len(groups) >= 2 else []

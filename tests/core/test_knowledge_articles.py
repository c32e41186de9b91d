"""The article format: Markdown with YAML front matter, every mistake named by file and field."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.demo import DEMO_KB
from core.domain.knowledge import ArticleError, parse_article, read_articles

GOOD = """---
id: return-policy
title: 退换货规则
questions: [怎么退货, 收到的东西可以换吗]
tags: [return]
---
签收后 **7 天内**可以退货。
"""


def test_a_good_article_is_read_whole() -> None:
    article = parse_article(GOOD, source="return.md")
    assert article.id == "return-policy" and article.title == "退换货规则"
    assert article.questions == ("怎么退货", "收到的东西可以换吗") and article.tags == ("return",)
    assert article.body == "签收后 **7 天内**可以退货。"


def test_questions_and_tags_may_be_left_out() -> None:
    article = parse_article("---\nid: a\ntitle: 标题\n---\n正文\n", source="a.md")
    assert article.questions == () and article.tags == ()


@pytest.mark.parametrize(("text", "field", "fragment"), [
    ("---\ntitle: 标题\n---\n正文", "id", "missing"),
    ("---\nid: Return Policy\ntitle: 标题\n---\n正文", "id", "not a valid id"),
    ("---\nid: a\ntitle: 标题\nquestion: [怎么退货]\n---\n正文", "question", "unknown field"),
    ("---\nid: a\ntitle: 标题\nquestions: 怎么退货\n---\n正文", "questions", "must be a list"),
    ("---\nid: a\ntitle: 标题\nquestions: [怎么退货, 42]\n---\n正文", "questions", "item 2"),
    ("---\nid: a\ntitle: ''\n---\n正文", "title", "non-empty text"),
    ("---\nid: a\ntitle: 标题\n---\n\n", "body", "empty"),
])
def test_a_bad_field_is_named(text: str, field: str, fragment: str) -> None:
    with pytest.raises(ArticleError) as caught:
        parse_article(text, source="kb/a.md")
    assert caught.value.field == field
    assert str(caught.value).startswith(f"kb/a.md: {field}: ") and fragment in str(caught.value)


@pytest.mark.parametrize(("text", "fragment"), [
    ("没有 front matter 的正文", "front matter"),
    ("---\nid: [a\ntitle: x\n---\n正文", "not valid YAML (front matter line"),
    ("---\n- a\n- b\n---\n正文", "must be a mapping"),
])
def test_a_bad_file_is_named(text: str, fragment: str) -> None:
    with pytest.raises(ArticleError, match="^kb/a.md: ") as caught:
        parse_article(text, source="kb/a.md")
    assert fragment in str(caught.value)


def test_a_folder_is_read_all_or_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text(GOOD, encoding="utf-8")
    with pytest.raises(ArticleError, match=r"sub/b\.md: id: 'return-policy' is already the id of .*a\.md"):
        read_articles(tmp_path)
    (tmp_path / "sub" / "b.md").write_bytes("---\nid: b\ntitle: 标题\n---\n正文".encode("gbk"))
    with pytest.raises(ArticleError, match=r"b\.md: not UTF-8"):
        read_articles(tmp_path)


def test_an_empty_or_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="no \\*.md articles"):
        read_articles(tmp_path)
    with pytest.raises(ArticleError, match="not a directory"):
        read_articles(tmp_path / "missing")


def test_the_starter_knowledge_base_reads_cleanly() -> None:
    articles = read_articles(DEMO_KB)
    assert 40 <= len(articles) <= 60
    assert all(len(a.questions) >= 3 for a in articles)
    assert {"warranty-terms", "return-policy", "installation-booking", "ac-fault-codes", "washer-fault-codes",
            "invoice-electronic", "invoice-special", "gas-leak-safety", "water-leak-safety",
            "electrical-burning-smell", "router-reset"} <= {a.id for a in articles}
    english = {a.id for a in articles if a.id.endswith("-en")}
    assert {"warranty-terms-en", "return-policy-en", "gas-leak-safety-en"} <= english
    assert english == {f"{a.id}-en" for a in articles if a.id not in english}, "each article in both languages"

"""`aftersales kb import` while the hub serves: the running hub rebuilds its index when the stored articles change,
and the next customer's question is answered from the new article without a restart."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.cli import EXIT_OK, main

ARTICLE = """---
id: dishwasher-filter
title: 洗碗机滤网清洗
questions: [洗碗机滤网多久洗一次]
tags: [maintenance]
---
滤网每周取出冲洗一次：逆时针拧下，用软毛刷刷净残渣后装回。
"""
QUESTION = "洗碗机的滤网多久清洗一次？"


@pytest.fixture
def hub_sections() -> dict[str, Any]:
    return {"kb": {"refresh_seconds": 0.05}}


async def test_an_import_while_serving_is_answered_without_a_restart(hub_server, chat, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    hub, _ = hub_server
    assert hub.pipeline is not None and hub.pipeline.knowledge is not None and len(hub.pipeline.knowledge) == 0
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "dishwasher-filter.md").write_text(ARTICLE, encoding="utf-8")
    settings = tmp_path / "aftersales.toml"
    settings.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "hub.db"}"\n', encoding="utf-8")
    assert await asyncio.to_thread(main, ["kb", "import", str(folder), "--config", str(settings)]) == EXIT_OK
    for _ in range(500):
        if len(hub.pipeline.knowledge):
            break
        await asyncio.sleep(0.02)
    assert len(hub.pipeline.knowledge) == 1, "the running hub never indexed the imported article"
    customer = await chat()
    await customer.say(QUESTION)
    reply = await customer.next()
    assert "洗碗机滤网清洗" in reply["text"] and "逆时针拧下" in reply["text"]

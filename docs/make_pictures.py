"""The README's pictures and transcripts, made from the running hub and nothing else.

Starts `aftersales serve` with the demo data on a temporary SQLite database and a free port, drives each page in
headless Chromium (Debian's `/usr/bin/chromium` through Playwright; no browser is downloaded) and writes what it saw
into `docs/`. A transcript is written verbatim — what the customer typed and what the hub answered — and copied into
the README between its markers, so the README cannot drift from the hub's own words.

    .venv/bin/python docs/make_pictures.py            # every page
    .venv/bin/python docs/make_pictures.py webchat    # only these
    .venv/bin/python docs/make_pictures.py console dashboard

A new page is one async function `(page, hub) -> None` added to `PAGES`.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import re
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Awaitable, Callable

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from playwright.async_api import Page, async_playwright  # noqa: E402

from testkit.hub_process import HubProcess  # noqa: E402

README = ROOT / "README.md"
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]
VIEWPORT = {"width": 760, "height": 1280}
"""Tall enough for the whole conversation: the chat scrolls inside the page, so a full-page shot would not help."""
SCALE = 2
"""Pixels per CSS pixel: sharp on high-density screens, where the README is mostly read."""
REPLY_TIMEOUT = 30.0
QUIET = 2.0
"""A turn is over once the hub has answered and then said nothing more for this long (a reply may come in parts)."""

WEBCHAT_CONVERSATION = (
    "家里的滚筒洗衣机不脱水了，一转起来就咣咣响，麻烦派个师傅来看看",
    "电话13812345678，地址上海市浦东新区张江路100号3栋502",
)
CUSTOMER, HUB = "你", "客服"
INDENT = {speaker: " " * (2 * len(speaker) + 2) for speaker in (CUSTOMER, HUB)}
"""Continuation lines start under the text: Chinese characters and the full-width colon are two columns wide."""

PageMaker = Callable[[Page, HubProcess], Awaitable[None]]


async def webchat(page: Page, hub: HubProcess) -> None:
    """`docs/webchat.png` and `docs/webchat-transcript.txt`: a customer reports a repair, then gives phone and
    address; each answer is taken from the websocket frames the hub sent."""
    replies: list[str] = []

    def on_frame(payload: str | bytes) -> None:
        frame: dict[str, Any] = json.loads(payload)
        if frame.get("type") == "message":
            replies.append(frame["text"])

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
    await page.goto(f"{hub.url}/chat?lang=zh")
    await page.get_by_test_id("connection-status").get_by_text("在线").wait_for()
    turns: list[tuple[str, str]] = []
    for text in WEBCHAT_CONVERSATION:
        turns.append((CUSTOMER, text))
        before = len(replies)
        await page.get_by_test_id("message-input").fill(text)
        await page.keyboard.press("Enter")
        await _until_quiet(replies, before)
        turns.extend((HUB, reply) for reply in replies[before:])
    await page.get_by_test_id("typing").wait_for(state="hidden")
    await page.screenshot(path=DOCS / "webchat.png")
    _write_transcript("webchat", turns)


PICTURE_TOKEN = "pictures-admin-token"
"""The API token the pictures' hub is configured with; the console and the dashboard are signed in with it."""
PHONED_IN = (
    ("燃气灶打火后有很浓的燃气味，请尽快派人", "13800000001", "P1"),
    ("空调不制冷了，型号KFR-35GW，地址上海市浦东新区张江路100号3栋502", "13800000002", "P2"),
    ("洗衣机XQG80-B1不脱水，一直响，序列号SN20240001", "13800000003", "P2"),
    ("发票抬头开错了，需要重开一张增值税专用发票", "13800000004", "P3"),
    ("冰箱冷藏室结冰，型号BCD-520", "13800000005", "P3"),
    ("想预约明天下午安装热水器，地址上海市徐汇区漕溪北路88号", "13800000006", "P4"),
)


async def _phone_in(hub: HubProcess) -> None:
    """A morning's tickets, phoned in through the API as an agent would enter them."""
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {PICTURE_TOKEN}"}) as http:
        for text, phone, priority in PHONED_IN:
            async with http.post(f"{hub.url}/api/v1/tickets", json={"text": text, "priority": priority,
                                                                    "customer": {"phone": phone}}) as response:
                response.raise_for_status()


async def _sign_in(page: Page, hub: HubProcess, path: str) -> None:
    await page.goto(f"{hub.url}{path}?lang=zh")
    await page.get_by_test_id("token-input").fill(PICTURE_TOKEN)
    await page.get_by_test_id("sign-in").click()
    await page.get_by_test_id("signin").wait_for(state="hidden")


async def console(page: Page, hub: HubProcess) -> None:
    """`docs/console.png`: the queue of the tickets the web chat and the phone brought in, one of them open."""
    await _phone_in(hub)
    await page.set_viewport_size({"width": 1440, "height": 900})
    await _sign_in(page, hub, "/console")
    await page.get_by_test_id("ticket-row").nth(len(PHONED_IN) - 1).wait_for()
    await page.get_by_test_id("ticket-row").nth(len(PHONED_IN) - 3).click()
    await page.get_by_test_id("ticket-code").wait_for()
    await page.get_by_test_id("note-input").fill("客户下午两点后在家，师傅出发前先电话联系。")
    await page.get_by_test_id("note-send").click()
    await page.locator("[data-testid=said][data-kind=note]").wait_for()
    await page.screenshot(path=DOCS / "console.png")


async def dashboard(page: Page, hub: HubProcess) -> None:
    """`docs/dashboard.png`: the figures of the last 30 days."""
    await page.set_viewport_size({"width": 1440, "height": 900})
    await _sign_in(page, hub, "/dashboard")
    await page.get_by_test_id("chart-knowledge").locator(".main-svg").first.wait_for(state="attached")
    await page.screenshot(path=DOCS / "dashboard.png", full_page=True)


PAGES: dict[str, PageMaker] = {"webchat": webchat, "console": console, "dashboard": dashboard}


async def _until_quiet(replies: list[str], before: int) -> None:
    """Wait for the first answer after `before`, then until none has come for `QUIET` seconds."""
    deadline = time.monotonic() + REPLY_TIMEOUT
    seen, last_change = len(replies), time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        if len(replies) != seen:
            seen, last_change = len(replies), time.monotonic()
        if seen > before and time.monotonic() - last_change >= QUIET:
            return
    raise TimeoutError(f"the hub did not answer within {REPLY_TIMEOUT:.0f} s")


def format_transcript(turns: list[tuple[str, str]]) -> str:
    """One `speaker：text` line per turn; a reply's further lines are indented under its text."""
    lines = []
    for speaker, text in turns:
        first, *rest = text.splitlines() or [""]
        lines.append(f"{speaker}：{first}")
        lines.extend(INDENT[speaker] + line if line else "" for line in rest)
    return "\n".join(lines) + "\n"


def parse_transcript(transcript: str) -> list[tuple[str, str]]:
    """The turns `format_transcript` wrote."""
    turns: list[tuple[str, str]] = []
    for line in transcript.splitlines():
        speaker, colon, text = line.partition("：")
        if colon and speaker in INDENT:
            turns.append((speaker, text))
        else:
            speaker, text = turns[-1]
            turns[-1] = (speaker, f"{text}\n{line.removeprefix(INDENT[speaker])}")
    return turns


def _write_transcript(name: str, turns: list[tuple[str, str]]) -> None:
    """`docs/<name>-transcript.txt`, and the same text in the README's ```text block between
    `<!-- <name>-transcript -->` and `<!-- /<name>-transcript -->`."""
    transcript = format_transcript(turns)
    (DOCS / f"{name}-transcript.txt").write_text(transcript, "utf-8")
    start, end = f"<!-- {name}-transcript -->", f"<!-- /{name}-transcript -->"
    readme = README.read_text("utf-8")
    block = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if not block.search(readme):
        raise SystemExit(f"README.md has no {start} … {end} block for the transcript")
    README.write_text(block.sub(lambda _: f"{start}\n```text\n{transcript}```\n{end}", readme), "utf-8")


async def make(names: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="aftersales-pictures-") as tmp:
        hub = HubProcess(Path(tmp), extra_config=f'[api]\ntokens = ["{PICTURE_TOKEN}"]\n')
        for step in (("db", "upgrade"), ("demo",)):
            if hub.cli(*step).wait(120) != 0:
                raise SystemExit(f"`aftersales {' '.join(step)}` failed; see {hub.log}")
        try:
            await hub.start(migrate=False)
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
                try:
                    for name in names:
                        context = await browser.new_context(viewport=VIEWPORT, device_scale_factor=SCALE,
                                                            locale="zh-CN", timezone_id="Asia/Shanghai")
                        await PAGES[name](await context.new_page(), hub)
                        await context.close()
                        print(f"{name}: written to {DOCS}")
                finally:
                    await browser.close()
        except BaseException:
            print(hub.log.read_text("utf-8", errors="replace")[-4000:], file=sys.stderr)
            raise
        finally:
            if hub.process is not None and hub.process.poll() is None:
                hub.signal(signal.SIGTERM)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", metavar="PAGE", help=f"pages to make (default: all of {', '.join(PAGES)})")
    names = parser.parse_args().pages or list(PAGES)
    unknown = sorted(set(names) - set(PAGES))
    if unknown:
        parser.error(f"unknown page(s) {', '.join(unknown)}; known: {', '.join(PAGES)}")
    asyncio.run(make(names))


if __name__ == "__main__":
    main()

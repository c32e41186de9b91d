"""Customer text reaches staff inert, through the real send paths: a customer's links, scripts, mentions and Slack
link forms are shown to technicians as text on WeCom (Markdown, cards and text), Slack (mrkdwn blocks) and email
(HTML and plain text) — never a link, a mention, markup or a script."""
from __future__ import annotations

import json
import re

from core.domain.people import PersonKind

HOSTILE = {
    "link": "[点此领取补贴](http://evil.example/claim)",
    "script": "<script>alert(1)</script>",
    "mentions": "@all <!channel> <!here> <@U0SUPCHEN>",
    "slack_link": "<http://evil.example/x|点我领补贴>",
    "formatting": "*粗* _斜_ ~删~ `码` **重**",
    "bare": "www.evil.example &amp; evil.example/a",
}
REST = "洗衣机坏了 电话13812345678 地址浙江省杭州市西湖区文三路1号"
ADDRESSES = [r"http://", r"@all", r"evil\.example", r"www\."]
"""What clients turn into links or mentions even in plain text (WeCom cards and text messages, mail text)."""
LIVE = {
    "wecom markdown": [*ADDRESSES, r"(?<!\\)\]\(", r"(?<!\\)<", r"(?<!\\)\*\*重"],
    "slack mrkdwn": [*ADDRESSES, r"<", r"\*粗\*", r"_斜_", r"~删~", r"`码`"],
    "html": [*ADDRESSES, r"<script", r"<a\b", r"href", r"<!"],
    "plain text": ADDRESSES,
}
"""Per form: what would be live in a staff member's client if customer text came through as written (a backslash
before `[`, `]`, `<` or `*` is WeCom Markdown's escape; mrkdwn has none, so look-alikes stand in)."""


def _live(text: str, form: str) -> list[str]:
    return [pattern for pattern in LIVE[form] if re.search(pattern, text)]


async def test_customer_text_reaches_technicians_as_text_on_every_channel(staffed_hub) -> None:  # type: ignore[no-untyped-def]
    await staffed_hub.add_staff("钱师傅", PersonKind.TECHNICIAN, {"slack": "U0TECHQIAN"})
    await staffed_hub.add_staff("孙师傅", PersonKind.TECHNICIAN, {"email": "sun@service.test"})
    codes, customers = [], []
    for n, hostile in enumerate(HOSTILE.values()):
        customers.append(await staffed_hub.chat(f"hostilecustomer{n:06d}"))
        await customers[-1].say(f"{hostile} {REST}")
        codes.append((await customers[-1].next())["ticket"]["id"])  # nobody serves 杭州: offered to every technician
    await staffed_hub.settled()
    assert await staffed_hub.wecom("wangshifu", f"查询进度 {codes[0]}") == 200
    assert await staffed_hub.wecom("wangshifu", f"查询进度 {codes[2]}") == 200
    assert await staffed_hub.wecom("lishifu", f"接单 {codes[1]}") == 200
    assert await staffed_hub.wecom("lishifu", "我的工单") == 200
    await staffed_hub.settled()

    wecom = staffed_hub.wecom_sent("wangshifu") + staffed_hub.wecom_sent("lishifu")
    markdown = [b["markdown"]["content"] for b in wecom if b["msgtype"] == "markdown"]
    plain = [json.dumps(b[b["msgtype"]], ensure_ascii=False) for b in wecom if b["msgtype"] != "markdown"]
    cards = [b for b in wecom if b["msgtype"] == "template_card"]
    assert len(markdown) == 3 and len(cards) == 2 * len(HOSTILE) + 1, "the accepted job is a card with its 出发 button"
    assert all(_live(text, "wecom markdown") == [] for text in markdown), markdown
    assert all(_live(text, "plain text") == [] for text in plain), plain
    shown = "\n".join(markdown)
    assert r"\[点此领取补贴\](http\[:\]//evil\[.\]example/claim)" in shown
    assert r"\<script\>alert(1)\</script\>" in shown and r"＠all \<!channel\>" in shown

    slack = [json.dumps(m["blocks"], ensure_ascii=False) for m in staffed_hub.slack_sent("U0TECHQIAN")]
    assert len(slack) == len(HOSTILE)
    assert all(_live(blocks, "slack mrkdwn") == [] for blocks in slack), slack
    joined = "\n".join(slack)
    assert "&lt;script&gt;" in joined and "＠all &lt;!channel&gt; &lt;!here&gt; &lt;＠U0SUPCHEN&gt;" in joined
    assert "&lt;http[:]//evil[.]example/x|点我领补贴&gt;" in joined
    assert "∗粗∗ ＿斜＿ ～删～ ˋ码ˋ ∗∗重∗∗" in joined and "&amp;amp;" in joined

    mails = staffed_hub.mails_to("sun@service.test")
    assert len(mails) == len(HOSTILE) + 1, "each offer, and a note that 李师傅 took the second (mail cannot be edited)"
    pages = [mail.get_body(("html",)).get_content() for mail in mails]
    texts = [mail.get_body(("plain",)).get_content() for mail in mails]
    assert all(_live(page, "html") == [] for page in pages), pages
    assert all(_live(text, "plain text") == [] for text in texts), texts
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in "\n".join(pages)

"""Slack markup both ways: what the NLP reads from a message, and what Slack shows for our Markdown."""
from __future__ import annotations

import pytest

from channels.slack.text import to_mrkdwn, to_plain


@pytest.mark.parametrize(("slack", "plain"), [
    ("<@U0BOT> 查询进度", "查询进度"),
    ("<@U0OTHER> 帮忙看下", "<@U0OTHER> 帮忙看下"),
    ("邮箱 <mailto:li@acme.test|li@acme.test>，电话 <tel:13800138000|13800138000>",
     "邮箱 li@acme.test，电话 13800138000"),
    ("见 <https://acme.test/o/1> 和 <https://acme.test/o/2|订单 2>", "见 https://acme.test/o/1 和 订单 2"),
    ("<!here> 在 <#C0SHARED|acme-support> 里", "@here 在 #acme-support 里"),
    ("a &lt; b &amp;&amp; c &gt; d", "a < b && c > d"),
])
def test_incoming_markup_to_plain_text(slack, plain):
    assert to_plain(slack, bot_user_id="U0BOT") == plain


def test_markdown_to_mrkdwn_escapes_and_keeps_links():
    assert to_mrkdwn("**SR-1** <P1> & [详情](https://hub.test/t?a=1&b=2)") == \
        "*SR-1* &lt;P1&gt; &amp; <https://hub.test/t?a=1&b=2|详情>"

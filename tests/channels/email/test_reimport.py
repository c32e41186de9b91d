"""Staff re-run a quarantined mail (after a parser fix) through the same intake, deduplicated."""
from __future__ import annotations

import pytest

from channels.email.parse import UnparseableMail
from testkit.email_samples import broken_mime, mail


async def test_quarantined_mail_can_be_rerun_through_intake(build_channel, sink):
    channel = build_channel()
    with pytest.raises(UnparseableMail):
        await channel.reimport(broken_mime())
    raw = mail(body="修好后重新导入")
    assert await channel.reimport(raw) is True
    assert await channel.reimport(raw) is False
    assert sink.messages[0].text == "打印机卡纸\n\n修好后重新导入"

"""Events API over HTTP: URL verification, messages in DMs, channels and threads, what is ignored, and retries."""
from __future__ import annotations

import json

from testkit.fakes.slack_api import BOT_ID, BOT_USER_ID, TEAM_ID


async def test_url_verification_echoes_the_challenge(slack, intake):
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    body = json.dumps({"token": "legacy", "challenge": challenge, "type": "url_verification"}).encode()
    resp = await slack.post(body, content_type="application/json")
    assert resp.status == 200
    assert challenge in await resp.text()
    assert intake.offered == 0


async def test_channel_message_becomes_inbound(slack, intake):
    event = slack.message(f"<@{BOT_USER_ID}> 打印机卡纸了，电话 <tel:13800138000|13800138000>", ts="1763859600.000200",
                          user_profile={"display_name": "Li Lei"})
    resp = await slack.event(event, event_id="Ev0001", is_ext_shared_channel=True)
    assert resp.status == 200
    [inbound] = intake.committed
    assert inbound.channel == "slack"
    assert inbound.account == TEAM_ID
    assert inbound.external_id == "C0SHARED:1763859600.000200"
    assert inbound.sender == "U0CUST"
    assert inbound.conversation == "C0SHARED:1763859600.000200"
    assert inbound.text == "打印机卡纸了，电话 13800138000"
    assert inbound.reply_to == "1763859600.000200"
    assert inbound.sent_at.timestamp() == 1763859600.0002
    assert inbound.raw["kind"] == "message"
    assert inbound.raw["channel_id"] == "C0SHARED"
    assert inbound.raw["channel_type"] == "channel"
    assert inbound.raw["thread_ts"] is None
    assert inbound.display_name == "Li Lei"
    assert inbound.raw["event_id"] == "Ev0001"
    assert inbound.raw["is_ext_shared_channel"] is True


async def test_direct_message(slack, intake):
    event = slack.message("status SR-20261123-0001", channel="D0DM", channel_type="im", ts="1763859601.000100")
    assert (await slack.event(event)).status == 200
    [inbound] = intake.committed
    assert inbound.conversation == "D0DM:1763859601.000100"
    assert inbound.raw["channel_type"] == "im"
    assert inbound.text == "status SR-20261123-0001"


async def test_thread_reply_joins_the_thread(slack, intake):
    event = slack.message("地址是 朝阳区 1 号", ts="1763859700.000100", thread_ts="1763859600.000200")
    assert (await slack.event(event)).status == 200
    [inbound] = intake.committed
    assert inbound.conversation == "C0SHARED:1763859600.000200"
    assert inbound.reply_to == "1763859700.000100"
    assert inbound.raw["thread_ts"] == "1763859600.000200"


async def test_file_share_keeps_the_attachment(slack, intake):
    files = [{"id": "F1", "name": "fault.jpg", "mimetype": "image/jpeg", "size": 2048,
              "url_private": "https://files.slack.test/F1/fault.jpg"}]
    event = slack.message("照片", subtype="file_share", files=files)
    assert (await slack.event(event)).status == 200
    [attachment] = intake.committed[0].attachments
    assert (attachment.kind, attachment.name, attachment.content_type, attachment.size) == \
        ("image", "fault.jpg", "image/jpeg", 2048)
    assert attachment.url == "https://files.slack.test/F1/fault.jpg"


async def test_bots_ourselves_edits_and_deletions_are_acked_and_dropped(slack, intake):
    ignored = [
        slack.message("automated", bot_id="B0OTHER", subtype="bot_message"),
        slack.message("from another bot user", bot_id="B0OTHER"),
        slack.message("our own reply", user=BOT_USER_ID, bot_id=BOT_ID),
        slack.message("", subtype="message_changed",
                      message={"type": "message", "user": "U0CUST", "text": "edited", "ts": "1.1"}),
        slack.message("", subtype="message_deleted", deleted_ts="1.1"),
        slack.message("", subtype="channel_join"),
    ]
    for event in ignored:
        assert (await slack.event(event)).status == 200
    assert intake.committed == []


async def test_other_events_are_acknowledged(slack, intake):
    resp = await slack.event({"type": "reaction_added", "user": "U0CUST", "reaction": "thumbsup",
                              "item": {"type": "message", "channel": "C0SHARED", "ts": "1.1"}, "event_ts": "1.2"})
    assert resp.status == 200
    assert intake.offered == 0


async def test_mention_and_message_of_the_same_post_are_one_inbound(slack, intake):
    message = slack.message(f"<@{BOT_USER_ID}> help", ts="1763859800.000100")
    mention = {**message, "type": "app_mention"}
    mention.pop("channel_type")
    assert (await slack.event(message, event_id="Ev0010")).status == 200
    assert (await slack.event(mention, event_id="Ev0011")).status == 200
    assert len(intake.committed) == 1
    assert intake.committed[0].text == "help"


async def test_retries_reach_the_intake_but_make_nothing_new(slack, intake):
    event = slack.message("设备不开机", ts="1763859900.000100")
    for retry in (None, 1, 2, 3):
        resp = await slack.event(event, event_id="Ev0020", retry=retry)
        assert resp.status == 200
    assert intake.offered == 4
    assert len(intake.committed) == 1


async def test_failed_commit_is_a_500_and_the_retry_recovers_it(slack, intake):
    intake.fail_next = 1
    event = slack.message("设备不开机", ts="1763859950.000100")
    assert (await slack.event(event, event_id="Ev0030")).status == 500
    assert intake.committed == []
    assert (await slack.event(event, event_id="Ev0030", retry=1)).status == 200
    assert [i.external_id for i in intake.committed] == ["C0SHARED:1763859950.000100"]


async def test_unknown_bot_identity_asks_slack_to_retry(slack, intake, fake_api):
    fake_api.fail("auth.test", "internal_error", status=503)
    event = slack.message("设备不开机", ts="1763859990.000100")
    assert (await slack.event(event, event_id="Ev0040")).status == 503
    assert intake.offered == 0
    assert (await slack.event(event, event_id="Ev0040", retry=1)).status == 200
    assert len(intake.committed) == 1
    assert len(fake_api.called("auth.test")) == 2

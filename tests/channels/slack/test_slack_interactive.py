"""`/ticket` slash command variants and Block Kit button presses over HTTP."""
from __future__ import annotations

import pytest

from testkit.fakes.slack_api import TEAM_ID


@pytest.mark.parametrize(("args", "text", "subcommand"), [
    ("status SR-20261123-0001", "status SR-20261123-0001", "status"),
    ("new 空调漏水，需要上门", "空调漏水，需要上门", "new"),
    ("", "help", "help"),
    ("new", "help", "new"),
    ("my jobs", "my jobs", "my"),
])
async def test_slash_command_variants(slack, intake, args, text, subcommand):
    resp = await slack.command(args)
    assert resp.status == 200
    assert await resp.text() == ""
    [inbound] = intake.committed
    assert inbound.text == text
    assert inbound.raw["kind"] == "command"
    assert inbound.raw["subcommand"] == subcommand
    assert inbound.display_name == "li.lei"
    assert inbound.account == TEAM_ID
    assert inbound.sender == "U0CUST"
    assert inbound.conversation == "C0SHARED"
    assert inbound.external_id.startswith("command:1337.")


async def test_slash_command_in_a_dm(slack, intake):
    assert (await slack.command("status", channel_id="D0DM", channel_name="directmessage")).status == 200
    assert intake.committed[0].raw["channel_type"] == "im"


async def test_button_press_becomes_its_command(slack, intake):
    payload = slack.block_actions("接单 SR-20261123-0001", thread_ts="1763859500.000100")
    resp = await slack.action(payload)
    assert resp.status == 200
    [inbound] = intake.committed
    assert inbound.text == "接单 SR-20261123-0001"
    assert inbound.sender == "U0TECH"
    assert inbound.conversation == "C0DISPATCH:1763859500.000100"
    assert inbound.raw["kind"] == "action"
    assert inbound.raw["channel_id"] == "C0DISPATCH"
    assert inbound.raw["message_ts"] == "1763859600.000100"
    assert inbound.display_name == "wang.wu"


async def test_button_on_a_top_level_message_uses_its_own_thread(slack, intake):
    assert (await slack.action(slack.block_actions("确认 SR-20261123-0002", channel="C0ALERTS"))).status == 200
    assert intake.committed[0].conversation == "C0ALERTS:1763859600.000100"


async def test_the_same_button_payload_twice_is_one_inbound(slack, intake):
    payload = slack.block_actions("完工 SR-20261123-0001")
    assert (await slack.action(payload)).status == 200
    assert (await slack.action(payload)).status == 200
    assert intake.offered == 2
    assert len(intake.committed) == 1


async def test_button_payload_without_its_message_is_refused(slack, intake):
    payload = slack.block_actions("出发 SR-20261123-0001")
    del payload["container"], payload["message"], payload["channel"]
    assert (await slack.action(payload)).status == 400
    assert intake.offered == 0

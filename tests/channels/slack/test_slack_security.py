"""Requests that are not Slack's, or not well-formed, are refused before anything is committed."""
from __future__ import annotations

import json

from testkit.fakes.slack_api import TEAM_ID


def _event_body(slack) -> bytes:
    return json.dumps(slack.envelope(slack.message("hello"))).encode()


async def test_forged_signature_is_refused(slack, intake):
    resp = await slack.post(_event_body(slack), content_type="application/json", secret="not-the-secret")
    assert resp.status == 401
    assert intake.offered == 0


async def test_tampered_body_is_refused(slack, intake):
    body = _event_body(slack)
    headers = {"X-Slack-Signature": "v0=" + "0" * 64}
    resp = await slack.post(body, content_type="application/json", headers=headers)
    assert resp.status == 401
    assert intake.offered == 0


async def test_missing_signature_headers_are_refused(slack, intake):
    resp = await slack.client.post("/webhooks/slack", data=_event_body(slack),
                                   headers={"Content-Type": "application/json"})
    assert resp.status == 401


async def test_non_numeric_timestamp_is_refused(slack, intake):
    resp = await slack.post(_event_body(slack), content_type="application/json",
                            headers={"X-Slack-Request-Timestamp": "yesterday"})
    assert resp.status == 401


async def test_stale_timestamp_is_refused_by_the_hub_clock(slack, intake, clock):
    old = int(clock.now().timestamp()) - 5 * 60 - 1
    resp = await slack.post(_event_body(slack), content_type="application/json", timestamp=old)
    assert resp.status == 401
    recent = int(clock.now().timestamp()) - 4 * 60
    resp = await slack.post(_event_body(slack), content_type="application/json", timestamp=recent)
    assert resp.status == 200
    assert len(intake.committed) == 1


async def test_replayed_request_is_deduplicated(slack, intake):
    body = _event_body(slack)
    for _ in range(3):
        assert (await slack.post(body, content_type="application/json")).status == 200
    assert intake.offered == 3
    assert len(intake.committed) == 1


async def test_malformed_json_is_refused(slack, intake):
    resp = await slack.post(b'{"type": "event_callback", "event": {', content_type="application/json")
    assert resp.status == 400
    resp = await slack.post(b'["not", "an", "object"]', content_type="application/json")
    assert resp.status == 400
    assert intake.offered == 0


async def test_malformed_interactive_form_is_refused(slack, intake):
    resp = await slack.post(b"payload=%7Bnot-json", content_type="application/x-www-form-urlencoded")
    assert resp.status == 400
    assert intake.offered == 0


async def test_non_utf8_body_is_refused(slack, intake):
    resp = await slack.post(b"\xff\xfe\x00payload", content_type="application/x-www-form-urlencoded")
    assert resp.status in (400, 401)
    assert intake.offered == 0


async def test_event_without_its_message_fields_is_refused(slack, intake):
    body = json.dumps({"type": "event_callback", "team_id": TEAM_ID, "event_id": "Ev9",
                       "event": {"type": "message", "user": "U0CUST", "text": "no channel, no ts"}}).encode()
    resp = await slack.post(body, content_type="application/json")
    assert resp.status == 400
    assert intake.offered == 0

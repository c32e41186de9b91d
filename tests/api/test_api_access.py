"""Who may call `/api/v1`, and how every failure reads: 401 without or with a wrong token, 403 for a role that may
not, 400 naming the field, 404, 413 over the body limit — always `{"error": {"code", "message"}}`."""
from __future__ import annotations

import logging

import pytest

from tests.api.conftest import TOKENS


async def test_no_token_or_a_wrong_one_is_401(api) -> None:  # type: ignore[no-untyped-def]
    assert (await api.get("/tickets", role=None))[0] == 401
    status, body = await api.get("/tickets", role=None, headers={"Authorization": "Bearer " + "x" * 13})
    assert status == 401 and body["error"]["code"] == "unauthorized"
    status, _ = await api.get("/tickets", role=None, headers={"Authorization": f"Basic {TOKENS['admin']}"})
    assert status == 401
    assert TOKENS["admin"] not in str(body)


async def test_roles_decide_what_a_token_may_do(api) -> None:  # type: ignore[no-untyped-def]
    assert (await api.get("/tickets", role="agent"))[0] == 200
    status, body = await api.get("/stats", role="agent")
    assert status == 403 and body["error"] == {"code": "forbidden", "message": "this needs the supervisor role"}
    assert (await api.get("/stats", role="supervisor"))[0] == 200
    assert (await api.post("/staff", {"name": "新人", "role": "agent"}, role="supervisor"))[0] == 403
    assert (await api.get("/deliveries", role="supervisor"))[0] == 403
    assert (await api.get("/deliveries", role="admin"))[0] == 200


async def test_tokens_never_reach_the_log(api, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    await api.get("/tickets", role="admin")
    await api.get("/tickets", role=None, headers={"Authorization": "Bearer wrong-token-value"})
    assert TOKENS["admin"] not in caplog.text and "wrong-token-value" not in caplog.text


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/tickets", {"text": "洗衣机坏了", "customer": {"phone": "not a phone"}}, "customer.phone"),
    ("/tickets", {"text": "", "customer": {"phone": "13812345678"}}, "text"),
    ("/tickets", {"text": "坏了\u0000", "customer": {"phone": "13812345678"}}, "text"),
    ("/tickets", {"text": "洗衣机坏了", "customer": {"phone": "13812345678"}, "colour": "red"}, "colour"),
    ("/staff", {"name": "新人", "role": "wizard"}, "role"),
    ("/staff", {"name": "新人", "role": "agent", "identities": {"fax": "1"}}, "identities.fax"),
])
async def test_bad_input_is_400_naming_the_field(api, path: str, body: dict, field: str) -> None:  # type: ignore[no-untyped-def]
    status, answer = await api.post(path, body)
    assert status == 400, answer
    assert answer["error"]["code"] == "bad_request" and answer["error"]["message"].startswith(field + ":")


async def test_bad_query_and_unknown_things(api) -> None:  # type: ignore[no-untyped-def]
    status, answer = await api.get("/tickets?limit=500")
    assert status == 400 and answer["error"]["message"].startswith("limit:")
    status, answer = await api.get("/tickets?cursor=bm9wZQ")
    assert status == 400 and answer["error"]["message"].startswith("cursor:")
    assert (await api.get("/tickets/SR-20990101-0001"))[1]["error"]["code"] == "not_found"
    assert (await api.get("/customers/99999999999"))[0] == 404
    assert (await api.get("/nowhere"))[0] == 404
    status, answer = await api.call("POST", "/tickets", data=b"{not json", headers={"Content-Type": "application/json"})
    assert status == 400 and answer["error"]["message"] == "body: not JSON"


async def test_a_body_over_the_limit_is_413(api) -> None:  # type: ignore[no-untyped-def]
    status, answer = await api.post("/tickets", {"text": "坏" * 3000, "customer": {"phone": "13812345678"}})
    assert status == 413 and answer["error"]["code"] == "too_large"


async def test_the_openapi_document_describes_every_operation(api) -> None:  # type: ignore[no-untyped-def]
    status, spec = await api.get("/openapi.json", role=None)
    assert status == 200 and spec["openapi"].startswith("3.1")
    assert {"/tickets", "/tickets/{code}", "/tickets/{code}/replies", "/tickets/{code}/handover", "/customers",
            "/customers/{id}", "/staff", "/staff/{id}", "/stats", "/deliveries"} <= set(spec["paths"])
    listing = spec["paths"]["/tickets"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"status", "type", "priority", "customer", "assignee", "q",
                                                           "limit", "cursor"}
    assert {"200", "400", "401", "403"} <= set(listing["responses"])
    assert spec["components"]["schemas"]["TicketCreate"]["additionalProperties"] is False

"""Property-based fuzzing of the served API (schemathesis): a real `aftersales serve` process, the OpenAPI document
it serves, and a bounded number of generated requests per operation — valid and invalid bodies, queries and path
parameters. No input may make it answer 500, every answer must match the documented status codes and schemas, and
invalid input must be refused. (A schema-valid request may still be refused: a cursor this API never handed out,
`since` after `until`.)"""
from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import max_response_time, positive_data_acceptance

from bot.demo import load_demo
from testkit.database import copy_sqlite
from testkit.hub_process import HubProcess

TOKEN = "fuzz-admin-token"
EXAMPLES = 6
"""Per operation: enough to reach every field and error path, few enough to keep the run to seconds."""


@pytest.fixture(scope="module")
def served_api(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path) -> Iterator[HubProcess]:
    """`serve` on a database with the demo data (loaded as `aftersales demo` loads it)."""
    hub = HubProcess(tmp_path_factory.mktemp("fuzz"), extra_config=f'[api]\ntokens = ["{TOKEN}"]\n')
    asyncio.run(load_demo(copy_sqlite(migrated_sqlite, hub.db), only_if_empty=False))
    asyncio.run(hub.start(migrate=False))
    yield hub
    hub.signal(signal.SIGTERM)


@pytest.fixture
def api_schema(served_api: HubProcess):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_url(f"{served_api.url}/api/v1/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@pytest.mark.timeout(600)  # every operation is a subtest of this one test: ~2 min on two busy cores, over 120 s
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_input_breaks_the_api(case, served_api: HubProcess) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(base_url=f"{served_api.url}/api/v1", headers={"Authorization": f"Bearer {TOKEN}"},
                           excluded_checks=[max_response_time, positive_data_acceptance])

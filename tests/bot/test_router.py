"""The router: commands interrupt whatever a conversation waits for, a waiting conversation keeps its job, anything
else goes by intent, and two jobs can never claim the same intent."""
from __future__ import annotations

import pytest

from bot.bootstrap import default_router
from bot.router import Router
from handlers.fallback import FallbackHandler
from handlers.intake import COLLECTING
from handlers.status import StatusHandler
from nlp import ACCEPT, GREETING, NEW_PROBLEM, STATUS_QUERY


def test_a_command_interrupts_a_conversation_that_waits_for_details() -> None:
    router = default_router()
    assert router.choose(intent=STATUS_QUERY, state=COLLECTING).name == "status"
    assert router.choose(intent=ACCEPT, state=COLLECTING).name == "technician"


def test_a_waiting_conversation_keeps_its_job_for_free_text() -> None:
    assert default_router().choose(intent=GREETING, state=COLLECTING).name == "intake"


def test_free_text_goes_by_intent_and_unknown_intents_to_the_fallback() -> None:
    router = default_router()
    assert router.choose(intent=NEW_PROBLEM, state="idle").name == "intake"
    assert router.choose(intent="no_such_intent", state="idle").name == "fallback"


def test_two_jobs_cannot_claim_one_intent() -> None:
    with pytest.raises(ValueError, match="status"):
        Router(handlers=[StatusHandler(), StatusHandler()], fallback=FallbackHandler())

"""The router: a person reaches only the jobs of their own kind; within it, commands interrupt whatever a
conversation waits for, a waiting conversation keeps its job, anything else goes by intent, else the kind's
fallback. A new staff job is one handler declaring its roles."""
from __future__ import annotations

import pytest

from bot.bootstrap import default_router
from bot.router import Router
from core.domain.people import STAFF_ROLES, SUPERVISING_ROLES, PersonKind
from core.domain.surveys import SURVEYING
from core.envelopes import Outbound
from handlers.base import Context, Handler
from handlers.fallback import FallbackHandler, StaffHelpHandler
from handlers.filing import COLLECTING
from handlers.status import StatusHandler
from nlp import ACCEPT, CANCEL, GREETING, HUMAN, KB_QUESTION, NEW_PROBLEM, NOT_FIXED, STATUS_QUERY

CUSTOMER, TECHNICIAN = PersonKind.CUSTOMER, PersonKind.TECHNICIAN
FALLBACKS = [FallbackHandler(), StaffHelpHandler()]


class TransferHandler(Handler):
    """A staff job added the way every new one is: it names the roles it serves and nothing else changes."""

    name = "transfer"
    roles = SUPERVISING_ROLES
    commands = frozenset({"transfer"})
    states = frozenset({"transferring"})

    async def handle(self, ctx: Context) -> list[Outbound]:
        return []


def test_a_command_interrupts_a_conversation_that_waits_for_details() -> None:
    router = default_router()
    assert router.candidates(person=CUSTOMER, intent=STATUS_QUERY, state=COLLECTING)[0].name == "status"
    assert router.candidates(person=TECHNICIAN, intent=ACCEPT, state=COLLECTING)[0].name == "technician"


def test_a_waiting_conversation_keeps_its_job_for_free_text() -> None:
    assert default_router().candidates(person=CUSTOMER, intent=GREETING, state=COLLECTING)[0].name == "intake"


def test_free_text_goes_by_intent_and_unknown_intents_to_the_fallback() -> None:
    router = default_router()
    assert router.candidates(person=CUSTOMER, intent=NEW_PROBLEM, state="idle")[0].name == "intake"
    assert router.candidates(person=CUSTOMER, intent="no_such_intent", state="idle")[0].name == "fallback"


@pytest.mark.parametrize("kind", sorted(STAFF_ROLES))
@pytest.mark.parametrize("intent", [NEW_PROBLEM, KB_QUESTION, HUMAN, CANCEL, GREETING, "survey_answer"])
def test_staff_never_reach_a_customers_job(kind: PersonKind, intent: str) -> None:
    router = default_router()
    for state in ("idle", COLLECTING):
        assert router.candidates(person=kind, intent=intent, state=state)[0].name == "staff_help"


def test_staff_status_is_the_staff_lookup_and_customers_never_reach_staff_commands() -> None:
    router = default_router()
    assert {router.candidates(person=kind, intent=STATUS_QUERY, state="idle")[0].name
            for kind in STAFF_ROLES} == {"ticket_lookup"}
    assert router.candidates(person=CUSTOMER, intent=ACCEPT, state="idle")[0].name == "fallback"
    assert router.candidates(person=PersonKind.SUPERVISOR, intent=ACCEPT, state="idle")[0].name == "staff_help"


def test_a_new_staff_job_is_one_handler_declaring_its_roles() -> None:
    router = Router(handlers=[StatusHandler(), TransferHandler()], fallbacks=FALLBACKS)
    for kind in SUPERVISING_ROLES:
        assert router.candidates(person=kind, intent="transfer", state="idle")[0].name == "transfer"
        assert router.candidates(person=kind, intent=GREETING, state="transferring")[0].name == "transfer"
    for kind in (CUSTOMER, TECHNICIAN, PersonKind.AGENT):
        assert router.candidates(person=kind, intent="transfer", state="transferring")[0].name in ("fallback", "staff_help")


def test_two_jobs_cannot_claim_one_intent_for_one_role() -> None:
    with pytest.raises(ValueError, match="status"):
        Router(handlers=[StatusHandler(), StatusHandler()], fallbacks=FALLBACKS)


def test_every_kind_of_person_needs_exactly_one_fallback_and_every_job_a_role() -> None:
    with pytest.raises(ValueError, match="no fallback for technician"):
        Router(handlers=[], fallbacks=[FallbackHandler()])
    with pytest.raises(ValueError, match="two fallbacks"):
        Router(handlers=[], fallbacks=[*FALLBACKS, StaffHelpHandler()])
    nobody = TransferHandler()
    nobody.roles = frozenset()
    with pytest.raises(ValueError, match="transfer serves no role"):
        Router(handlers=[nobody], fallbacks=FALLBACKS)


def test_what_a_job_passes_on_goes_to_the_next_then_to_intake() -> None:
    router = default_router()

    def names(intent: str, state: str) -> list[str]:
        return [handler.name for handler in router.candidates(person=CUSTOMER, intent=intent, state=state)]

    assert names(KB_QUESTION, "idle") == ["knowledge", "intake", "fallback"]
    assert names(NOT_FIXED, COLLECTING) == ["confirm", "intake", "fallback"]
    assert names(GREETING, SURVEYING) == ["survey", "smalltalk", "intake", "fallback"]
    assert names(NEW_PROBLEM, "idle") == ["intake", "fallback"]
    assert names("no_such_intent", "idle") == ["fallback"]

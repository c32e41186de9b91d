"""The satisfaction survey after closure: the timer jobs that send it, remind once and let it expire, and the job
that takes the answers — CSAT 1–5 (digits, words such as 非常满意/很差, or buttons), then NPS 0–10 when
configured, then an optional comment, not asked for when a remark came with a score ("师傅很专业，给5分") or
before it ("师傅挺好的，就是来得有点晚": kept, and the score asked for again). A message that is not an answer is
passed on (a new problem opens a ticket) and the survey keeps waiting. A CSAT at or below `[survey] low_score`
alerts the supervisors and opens a follow-up
ticket; a comment given after it is added to that ticket and sent to them too."""
from __future__ import annotations

import re
from typing import Any

from core.domain.people import CUSTOMERS, PersonKind
from core.domain.surveys import SURVEYING, SurveyStep, SurveyView
from core.domain.tickets import TicketView
from core.envelopes import Outbound
from core.services.alerts import Audience
from core.services.surveys import ASK, EXPIRE, REMIND
from handlers.base import Context, Handler, TimerContext
from nlp import GREETING, KB_QUESTION, REMARK, SURVEY_ANSWER, THANKS, Understanding
from templates import labels

CSAT_ACTIONS = [{"id": f"csat_{n}", "command": str(n)} for n in range(1, 6)]
"""1 first, so a channel's numbered lines match the digits they stand for."""
SKIP = {"zh": "跳过", "en": "skip"}


def question_actions(step: str, locale: str) -> list[dict[str, str]]:
    """The buttons of a question. NPS has eleven answers: it asks for a number instead of showing buttons."""
    if step == SurveyStep.CSAT:
        return CSAT_ACTIONS
    if step == SurveyStep.COMMENT:
        return [{"id": "skip", "command": SKIP.get(locale, SKIP["zh"])}]
    return []
SUPERVISORS = Audience(roles=(PersonKind.SUPERVISOR.value,))
SCORED_STEPS = (SurveyStep.CSAT, SurveyStep.NPS)


def _question(ctx: Context, survey: SurveyView, *, low: bool, **why: bool) -> Outbound:
    """The survey's question out, with its buttons; `why` it is asked again, if it is (`retry`, `remarked`)."""
    return ctx.reply(f"survey_{survey.step}", code=survey.ticket, low=low,
                     actions=question_actions(survey.step, ctx.locale), **why)


class SurveyHandler(Handler):
    name = "survey"
    roles = CUSTOMERS
    intents = frozenset({SURVEY_ANSWER})
    states = frozenset({SURVEYING})

    async def handle(self, ctx: Context) -> list[Outbound] | None:
        u = ctx.understanding
        if u.intent != SURVEY_ANSWER:
            return await self._ask_again(ctx) if _tried_to_score(u, ctx.inbound.text) else None
        surveys = ctx.services.surveys
        survey = await surveys.waiting(ctx.inbound.channel, ctx.inbound.conversation, ctx.inbound.sender)
        if survey is not None and u.scale == REMARK and survey.step in SCORED_STEPS:
            survey = await surveys.remark(survey, u.note)
            return [_question(ctx, survey, low=self._low(ctx, survey), remarked=True)]
        if survey is None or u.scale != survey.step or (u.score is None and u.scale != SurveyStep.COMMENT):
            return None
        if survey.step == SurveyStep.COMMENT:
            survey = await surveys.comment(survey, u.note)
            return [ctx.reply("survey_thanks", code=survey.ticket, low=self._low(ctx, survey)),
                    *await self._comment_to_staff(ctx, survey)]
        assert u.score is not None
        survey = await surveys.score(survey, u.score, u.note)
        low = self._low(ctx, survey)
        replies = [_question(ctx, survey, low=low) if survey.waiting
                   else ctx.reply("survey_thanks", code=survey.ticket, low=low)]
        if u.scale == SurveyStep.CSAT and low:
            replies += await self._low_score(ctx, survey)
        elif not survey.waiting and u.note:
            replies += await self._comment_to_staff(ctx, survey)
        return replies

    @staticmethod
    async def _ask_again(ctx: Context) -> list[Outbound] | None:
        """The score question again, said to be unanswered: "3分钟" or "5和8" was meant for it but is no score."""
        survey = await ctx.services.surveys.waiting(ctx.inbound.channel, ctx.inbound.conversation, ctx.inbound.sender)
        if survey is None or survey.step not in SCORED_STEPS:
            return None
        return [_question(ctx, survey, low=False, retry=True)]

    @staticmethod
    def _low(ctx: Context, survey: SurveyView) -> bool:
        return survey.csat is not None and ctx.services.surveys.settings.is_low(survey.csat)

    async def _low_score(self, ctx: Context, survey: SurveyView) -> list[Outbound]:
        """The follow-up ticket and the supervisors' alert; a remark given with the score goes on the ticket too."""
        summary = labels(survey.locale)["phrases"]["follow_up"].format(code=survey.ticket, csat=survey.csat)
        follow_up = await ctx.services.surveys.follow_up(survey, summary)
        if survey.comment:
            await self._on_ticket(ctx, follow_up, survey.comment)
        return await self._alert(ctx, survey, follow_up.code, "low")

    async def _comment_to_staff(self, ctx: Context, survey: SurveyView) -> list[Outbound]:
        """A low score's comment goes on its follow-up ticket and to the supervisors."""
        if not survey.comment or not self._low(ctx, survey):
            return []
        follow_up = await ctx.services.surveys.follow_up_of(survey)
        if follow_up is None:
            return []
        await self._on_ticket(ctx, follow_up, survey.comment)
        return await self._alert(ctx, survey, follow_up.code, "comment")

    @staticmethod
    async def _on_ticket(ctx: Context, ticket: TicketView, comment: str) -> None:
        await ctx.services.tickets.add_message(ticket, actor=ctx.person.actor, text=comment, inbox_id=ctx.inbox_id,
                                               entities={})

    @staticmethod
    async def _alert(ctx: Context, survey: SurveyView, follow_up: str, purpose: str) -> list[Outbound]:
        data: dict[str, Any] = {"code": survey.ticket, "follow_up": follow_up, "csat": survey.csat,
                                "nps": survey.nps, "comment": survey.comment}
        return await ctx.services.alerts.alert(SUPERVISORS, template="survey_low_score", data=data,
                                               key=ctx.key(f"survey-{purpose}"))


_NUMBER = re.compile(r"\d")
_LETTER = re.compile(r"[A-Za-z]")
_NOT_A_TRY = frozenset({GREETING, THANKS, KB_QUESTION})
"""What a short message with a number in it is read as when it was meant as a score but is none."""


def _tried_to_score(u: Understanding, text: str) -> bool:
    """A short message with a number that is no score and asks for nothing else ("3分钟", "5和8", "10000"; "E4" is a
    code): meant for the survey's question, so it is asked again rather than answered as chit-chat or filed."""
    return (len(text) <= 12 and bool(_NUMBER.search(text)) and not _LETTER.search(text)
            and u.intent in _NOT_A_TRY)


def to_customer(due: TimerContext, survey: SurveyView, template: str, purpose: str, **data: Any) -> Outbound:
    """A survey message in the thread the ticket came from; keyed by the timer, so it is queued once."""
    return Outbound(channel=survey.channel, account="", recipient=survey.recipient, conversation=survey.conversation,
                    template=template, data={"code": survey.ticket, **data}, locale=survey.locale,
                    idempotency_key=due.key(purpose))


class AskSurvey:
    """`[survey] delay` after closure: the CSAT question goes out."""

    kind = ASK

    async def fire(self, due: TimerContext) -> list[Outbound]:
        survey = await due.services.surveys.ask(str(due.payload["ticket"]))
        if survey is None:
            return []
        return [to_customer(due, survey, "survey_csat", "ask", low=False, actions=CSAT_ACTIONS)]


class RemindSurvey:
    """The one reminder, while the first question is unanswered."""

    kind = REMIND

    async def fire(self, due: TimerContext) -> list[Outbound]:
        survey = await due.services.surveys.remind(str(due.payload["ticket"]))
        if survey is None:
            return []
        return [to_customer(due, survey, "survey_reminder", "remind", actions=CSAT_ACTIONS)]


class ExpireSurvey:
    """`[survey] expire` after sending: the survey stops waiting (nothing is said to the customer)."""

    kind = EXPIRE

    async def fire(self, due: TimerContext) -> list[Outbound]:
        await due.services.surveys.expire(str(due.payload["ticket"]))
        return []

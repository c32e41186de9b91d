"""Closing the loop with the customer: how long a resolved job waits for their word, and the satisfaction survey
after closure (CSAT 1–5, optionally NPS 0–10, then a comment). Pure rules; storage and timers live in services."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

CSAT_SCALE = (1, 5)
NPS_SCALE = (0, 10)
PROMOTER_FROM = 9
"""NPS: 9–10 promote, 7–8 are passive, 0–6 detract."""
DETRACTOR_UP_TO = 6
SURVEYING = "surveying"
"""How a thread is routed while its survey waits for an answer. Not a stored conversation state: the survey row
says it, so the customer can write about anything else meanwhile and the survey still waits."""


class SurveyStatus(StrEnum):
    SCHEDULED = "scheduled"
    """Waiting for `[survey] delay` after closure."""
    ASKED = "asked"
    """A question is out; `step` says which."""
    ANSWERED = "answered"
    EXPIRED = "expired"


class SurveyStep(StrEnum):
    CSAT = "csat"
    NPS = "nps"
    COMMENT = "comment"


@dataclass(frozen=True, kw_only=True)
class SurveySettings:
    """`[survey]`: every value is checked here, so a bad one stops `serve` naming its key."""

    delay: timedelta = timedelta(0)
    """After closure (confirmed by the customer, or closed when nobody answered) until the survey is sent."""
    nps: bool = True
    """Also ask 0–10 after the 1–5 CSAT answer."""
    expire: timedelta = timedelta(days=3)
    """An unanswered survey stops waiting this long after it was sent."""
    remind: timedelta = timedelta(days=1)
    """One reminder this long after the survey was sent, if it is still unanswered; "0s" sends none."""
    low_score: int = 2
    """CSAT at or below → alert to supervisors and a follow-up ticket; 0 turns that off."""
    reopen_window: timedelta = timedelta(days=3)
    """A resolved job waits this long for the customer: "not fixed" within it reopens the same ticket; silence
    closes it at the end."""

    def __post_init__(self) -> None:
        if self.delay < timedelta(0):
            raise ValueError("survey.delay must not be negative")
        if self.expire <= timedelta(0):
            raise ValueError("survey.expire must be positive")
        if self.remind < timedelta(0) or (self.remind and self.remind >= self.expire):
            raise ValueError(f"survey.remind must be 0s (no reminder) or shorter than survey.expire ({self.expire})")
        if not 0 <= self.low_score <= CSAT_SCALE[1]:
            raise ValueError(f"survey.low_score must be between 0 and {CSAT_SCALE[1]}, not {self.low_score}")
        if self.reopen_window <= timedelta(0):
            raise ValueError("survey.reopen_window must be positive")

    def is_low(self, csat: int) -> bool:
        return csat <= self.low_score


@dataclass(frozen=True, slots=True, kw_only=True)
class Satisfaction:
    """What the surveys of a period say: average CSAT, NPS (% promoters − % detractors, −100…100), how many of the
    surveys sent were answered."""

    sent: int
    answered: int
    csat_average: float | None
    nps: float | None
    nps_answers: int

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.sent if self.sent else None


@dataclass(frozen=True, slots=True, kw_only=True)
class SurveyView:
    """A ticket's survey as conversation jobs see it: where it is answered, which question is out, the answers."""

    ticket: str
    channel: str
    conversation: str
    recipient: str
    locale: str
    status: str
    step: str
    csat: int | None = None
    nps: int | None = None
    comment: str = ""

    @property
    def waiting(self) -> bool:
        return self.status == SurveyStatus.ASKED

    @property
    def expecting(self) -> str:
        """What the conversation waits for while this survey's question is out (nlp's `expecting`)."""
        return f"survey_{self.step}"

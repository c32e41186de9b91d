"""One message in, one `Understanding` out: normalize, then commands, survey answers, entities, type and rules.

`load_understander()` loads the type model once per process (cached on disk, see `nlp.store`); `understand` never
raises on any text — empty, 100 KB, binary garbage or emoji only all come back as type `other` with low confidence.
"""
from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache

from . import understanding as u
from .assess import (angry, broken_in_transit, damage_done, delivery_stalled, device_symptom, fault_told, fed_up,
                     hazards, kind_told, not_as_described, ordering_again, overcharged, priority, proof_kept,
                     purchase_told, return_asked, rude_staff, shipped_short)
from .commands import match_command
from .entities import Found, find_entities
from .intents import (approving, asks_service_hours, asks_the_company, bare_feeling, chased_visit_type, chasing,
                      english_pleasantry, free_text_intent, furious, help_asked, pleasantry, praising,
                      reported_elsewhere, upset)
from .model import Prediction, TypeModel
from .normalize import normalize, widened
from .placeholders import mask, summary_of
from .problems import problem_texts, report_before_question
from .replies import (acknowledgement, answered_with_remark, bare_answer, still_broken, withheld,
                      yes_no_intent)
from .sentiment import Mood, SentimentModel, shipped_sentiment
from .store import load_model
from .survey import is_skip, survey_answer
from .understanding import Entities, Understanding

_MEANINGFUL = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]")
_SCALES = {"survey_csat": "csat", "survey_nps": "nps"}
_READ_AS_ASKED = frozenset({"address", "title", "tax_id"})
"""Details a bare answer is read as when the bot asked for them (`find_entities`' `asked`)."""
REMARK = "remark"
"""The scale of a remark on the service made while a score is asked for: kept as the survey's comment."""
_NOT_A_COMMENT = frozenset({u.STATUS_QUERY, u.CANCEL, u.HUMAN, u.NOT_FIXED})
"""What a message at the survey's comment step asks for instead of commenting."""
_QUIET_TYPES = frozenset({"inquiry", "other"})
_FAULT_CONFIDENCE = 0.6
"""A message the model reads as a question or chit-chat but that tells of a danger or an error code is a repair."""
_UNSURE_COMPLAINT = 0.6
_CALM = -0.1
"""A complaint is displeasure: an unsure complaint reading (below `_UNSURE_COMPLAINT`) of a question put to the
company whose mood shows none (a score above `_CALM`: "你们能上门吗", "你们过年放假吗") is an inquiry, not a
complaint to apologise for."""
_FIELD_TYPES = frozenset({"repair", "installation", "maintenance"})
"""A confident request for one of these at the comment step is a new job, not a remark on the last one."""
_UNSURE_VISIT = 0.5
"""Below this a visit the model reads into a calm question to the company ("你们能晚上来吗") is only its 来 and 上门:
the question asks how the service works. "你们能上门安装吗" is sure of the job it names, "can you send someone to fix
it?" names one (`_JOB`), and "空调坏了你们能来吗" names the device it is for."""
_JOB = re.compile(r"修|装|清洗|保养|fix|repair|install|clean|service", re.IGNORECASE)
_DELIVERY = re.compile(r"发货|发出|快递|物流|到货|送货|寄|ship|deliver|parcel|package|courier", re.IGNORECASE)
"""Words of a parcel: "你们周末发货吗" asks when the goods leave, a delivery matter, though it asks when the company
works."""
_KIND_TYPES = _QUIET_TYPES | _FIELD_TYPES | {"complaint"}
"""Types a model may read into a bare "是燃气的" or "滚筒的", which only says what kind of thing it is."""
READINGS_KEPT = 1024
"""Readings (`Understander._read`) kept for a text read again: the hub understands a batch's messages ahead of its
transaction (up to 256) and again, in it, those whose thread waits for an answer, with what it waits for."""


@dataclass(frozen=True, slots=True)
class _Reading:
    """What a message says whatever its thread waits for: its details, dangers, type, mood and summary."""

    found: Found
    dangers: tuple[str, ...]
    prediction: Prediction
    mood: Mood
    summary: str


class Understander:
    """Turns customer, technician and supervisor messages into `Understanding`s; thread-safe. It keeps the last
    readings (`READINGS_KEPT`), so a message understood again with what its thread waits for costs only what
    depends on that."""

    def __init__(self, *, model: TypeModel, sentiment: SentimentModel | None = None,
                 readings_kept: int = READINGS_KEPT) -> None:
        """`readings_kept`: 0 reads every message anew (a benchmark of understanding itself)."""
        self.model = model
        self.sentiment = sentiment or shipped_sentiment()
        self._read = lru_cache(maxsize=readings_kept)(self._reading)

    def understand(self, text: str, *, now: datetime, expecting: str | None = None) -> Understanding:
        clean = normalize(text if isinstance(text, str) else str(text))
        command = match_command(clean)
        if command is not None:
            return Understanding(text=text, intent=command.intent, type="other", type_confidence=1.0,
                                 priority="P4", sentiment="neutral", ticket_id=command.ticket_id, note=command.note)
        scale = _SCALES.get(expecting or "")
        if scale is not None and (answer := survey_answer(clean, scale)) is not None:
            score, remark = answer
            low, high = (2, 4) if scale == "csat" else (6, 9)
            mood = "negative" if score <= low else "positive" if score >= high else "neutral"
            return Understanding(text=text, intent=u.SURVEY_ANSWER, type="other", type_confidence=1.0,
                                 priority="P4", sentiment=mood, score=score, scale=scale, note=remark)
        if expecting in u.DETAILS and withheld(clean):
            return Understanding(text=text, intent=u.NO_DETAIL, type="other", type_confidence=1.0, priority="P4",
                                 sentiment="neutral")
        answer = yes_no_intent(clean, expecting)
        if answer is not None:
            return Understanding(text=text, intent=answer, type="other", type_confidence=1.0, priority="P4",
                                 sentiment="neutral", note=still_broken(clean) if expecting == "helpful" else "")
        if expecting == "confirm" and (told := answered_with_remark(clean)) is not None:
            return self._remarked(text, *told, now)
        if bare_answer(clean):
            return Understanding(text=text, intent=u.THANKS if acknowledgement(clean) else u.GREETING,
                                 type="other", type_confidence=1.0, priority="P4",
                                 sentiment="neutral")
        if not _MEANINGFUL.search(clean):
            return Understanding(text=text, intent=u.THANKS if approving(str(text)) else u.GREETING, type="other",
                                 type_confidence=0.0, priority="P4",
                                 sentiment="negative" if upset(str(text)) else "neutral", entities=Entities(),
                                 angry=furious(str(text)))
        if (courtesy := english_pleasantry(clean)) is not None:
            return Understanding(text=text, intent=courtesy, type="other", type_confidence=1.0, priority="P4",
                                 sentiment="neutral")
        reading = self._read(clean, now, expecting if expecting in _READ_AS_ASKED else "")
        entities, dangers, prediction, mood = reading.found.entities, reading.dangers, reading.prediction, reading.mood
        intent = free_text_intent(clean, prediction.type, entities, expecting)
        if intent == u.KB_QUESTION and (told := report_before_question(clean)) is not None:
            # "my fridge stopped cooling, also how long is the warranty?": a problem to file, its question answered
            # beside it (handlers.intake), not a question whose answer leaves the problem unheard
            before = self._read(told, now, "")
            if free_text_intent(told, before.prediction.type, before.found.entities, expecting) == u.NEW_PROBLEM:
                intent, prediction = u.NEW_PROBLEM, before.prediction
        if intent == u.THANKS and praising(clean):  # "师傅很负责，点赞" is no complaint, whatever the model reads
            prediction = Prediction("other", prediction.confidence)
        if intent == u.STATUS_QUERY and reported_elsewhere(clean):  # "我是电话报修的": staff find that ticket
            prediction = Prediction("inquiry", prediction.confidence)
        elif intent == u.STATUS_QUERY and chasing(clean):
            prediction = Prediction(chased_visit_type(clean, prediction.type), prediction.confidence)
        ticket_id = entities.ticket_ids[0] if entities.ticket_ids else None
        if expecting == "survey_comment" and self._comments(clean, intent, prediction):
            return Understanding(text=text, intent=u.SURVEY_ANSWER, type=prediction.type,
                                 type_confidence=prediction.confidence, priority="P4", sentiment=mood.label,
                                 scale="comment", note="" if is_skip(clean) else text.strip(),
                                 sentiment_score=mood.score)
        if scale is not None and self._remarks(clean, intent, prediction):
            return Understanding(text=text, intent=u.SURVEY_ANSWER, type=prediction.type,
                                 type_confidence=prediction.confidence, priority="P4", sentiment=mood.label,
                                 scale=REMARK, note=text.strip(), sentiment_score=mood.score)
        angered = angry(clean, mood.score)
        whole = Understanding(
            text=text, intent=intent, type=prediction.type, type_confidence=prediction.confidence,
            priority=priority(clean, prediction.type, dangers=dangers, angered=angered), sentiment=mood.label,
            entities=entities, ticket_id=ticket_id, note=clean if intent == u.ADD_DETAIL else "",
            summary=reading.summary, sentiment_score=mood.score,
            angry=angered or furious(str(text)), hazards=dangers,
        )
        if intent != u.NEW_PROBLEM:
            return whole
        told = reading.summary or clean  # without the phones and addresses, which are every problem's
        problems = tuple(self._problem(whole, part, now) for part in problem_texts(told, entities.products))
        if sum(p.type not in _QUIET_TYPES for p in problems) < 2:
            return whole
        return replace(whole, problems=tuple(p for p in problems if p.type not in _QUIET_TYPES))

    def _remarked(self, text: str, intent: str, remark: str, now: datetime) -> Understanding:
        """The answer to "is it fixed now?" and what the customer said after it, read on its own ("师傅很专业",
        "师傅迟到了一个小时"): its type and mood say whether it is praise, a remark, or a complaint to follow up."""
        if pleasantry(remark):
            return Understanding(text=text, intent=intent, type="other", type_confidence=1.0, priority="P4",
                                 sentiment="neutral")
        reading = self._read(remark, now, "")
        prediction, mood = reading.prediction, reading.mood
        angered = angry(remark, mood.score)
        return Understanding(text=text, intent=intent, type=prediction.type, type_confidence=prediction.confidence,
                             priority=priority(remark, prediction.type, dangers=reading.dangers, angered=angered),
                             sentiment="positive" if praising(remark) else mood.label, sentiment_score=mood.score,
                             note=remark,
                             summary=reading.summary or widened(remark),
                             angry=angered or furious(str(text)), hazards=reading.dangers)

    def _reading(self, clean: str, now: datetime, asked: str) -> _Reading:
        found = find_entities(clean, now, asked=asked)
        dangers = hazards(clean)
        prediction = self._requested(clean) or self._predict(clean, found, dangers)
        mood = self.sentiment.mood(clean)
        if (prediction.type == "complaint" and prediction.confidence < _UNSURE_COMPLAINT and mood.score > _CALM
                and asks_the_company(clean)):
            prediction = Prediction("inquiry", prediction.confidence)
        elif prediction.type in _FIELD_TYPES and not fault_told(clean, dangers) and (
                asks_service_hours(clean)
                or prediction.confidence < _UNSURE_VISIT and not found.entities.products and not _JOB.search(clean)
                and asks_the_company(clean)):
            prediction = Prediction("inquiry", prediction.confidence)  # "do you work on weekends?" books no visit
        elif prediction.type != "complaint" and bare_feeling(clean):
            prediction = Prediction("complaint", prediction.confidence)  # "无语" is displeasure, whatever it is at
        elif prediction.type == "logistics" and asks_service_hours(clean) and not _DELIVERY.search(clean):
            prediction = Prediction("inquiry", prediction.confidence)  # "are you open on sundays?" chases no parcel
        return _Reading(found, dangers, prediction, mood, summary_of(clean, found.spans))

    def _requested(self, clean: str) -> Prediction | None:
        """The type the customer asked for in so many words before or after telling why ("我要换货，收到的电视屏幕有
        裂痕", "投诉，师傅把墙弄脏了", "冰箱门上有个凹痕，要求换新"), when the model is sure of it: the rest describes
        the matter, and a cracked screen or a dent read alone is a repair. A refund on the way to ordering again
        ("可以退款，然后我重新拍") is no return asked for."""
        clauses = [clause for clause in re.split(r"[，,]", clean) if clause.strip()]
        if len(clauses) < 2 or ordering_again(clean):
            return None
        for clause in (clauses[0], clauses[-1]):
            request = help_asked(clause)
            if request:
                asked: Prediction = self.model.predict(request)
                if asked.type not in _QUIET_TYPES and asked.confidence >= _FAULT_CONFIDENCE:
                    return asked
        return None

    def _problem(self, whole: Understanding, part: str, now: datetime) -> Understanding:
        """One device's part of a message about several: typed and prioritised on its own words, with the whole
        message's contact details and only its own devices, models and order numbers (the oven's order is not the
        heater's repair's)."""
        found = find_entities(part, now)
        dangers = hazards(part)
        prediction = self._predict(part, found, dangers)
        own = found.entities
        angered = angry(part, whole.sentiment_score)
        return replace(whole, text=part, summary=summary_of(part, found.spans), type=prediction.type,
                       type_confidence=prediction.confidence,
                       priority=priority(part, prediction.type, dangers=dangers, angered=angered),
                       entities=replace(whole.entities, products=own.products, models=own.models,
                                        serial_numbers=own.serial_numbers, order_numbers=own.order_numbers),
                       hazards=dangers, angry=angered)

    def _predict(self, clean: str, found: Found, dangers: tuple[str, ...]) -> Prediction:
        """The type model's reading of masked `clean`, a fault told of (`dangers`: its hazards, or an error code)
        overruling a question or chit-chat, an order delivered short a job for a technician, an invoice kept
        no request for one, when or where it was bought or what kind it is no question, and goods unlike their
        listing, come damaged or asked in words to be taken back a return, damage done by a technician or a delivery,
        their rudeness or money charged twice or too much a complaint (whatever the service it was for reads as)."""
        prediction: Prediction = self.model.predict(mask(clean, found.spans))
        if prediction.type in _QUIET_TYPES | _FIELD_TYPES and return_asked(clean):
            return Prediction("return", max(prediction.confidence, _FAULT_CONFIDENCE))
        if prediction.type in _QUIET_TYPES and (fault_told(clean, dangers)
                                                or device_symptom(clean, found.entities.products)):
            return Prediction("repair", max(prediction.confidence, _FAULT_CONFIDENCE))
        if (prediction.type in _QUIET_TYPES | _FIELD_TYPES and not fault_told(clean, dangers)
                and (shipped_short(clean) or delivery_stalled(clean))):
            return Prediction("logistics", max(prediction.confidence, _FAULT_CONFIDENCE))
        if prediction.type == "invoice" and proof_kept(clean):
            return Prediction("other", prediction.confidence)
        if prediction.type == "inquiry" and purchase_told(clean) and not fault_told(clean, dangers):
            return Prediction("other", prediction.confidence)
        if prediction.type in _KIND_TYPES and kind_told(clean) and not fault_told(clean, dangers):
            return Prediction("other", prediction.confidence)
        if prediction.type not in ("complaint", "invoice") and (overcharged(clean) or rude_staff(clean)
                                                                 or fed_up(clean)):
            return Prediction("complaint", max(prediction.confidence, _FAULT_CONFIDENCE))
        if prediction.type in _QUIET_TYPES | _FIELD_TYPES | {"logistics"} and damage_done(clean):
            return Prediction("complaint", max(prediction.confidence, _FAULT_CONFIDENCE))
        if (prediction.type in _QUIET_TYPES | _FIELD_TYPES and (not_as_described(clean) or broken_in_transit(clean))
                and not fault_told(clean, dangers)):
            return Prediction("return", max(prediction.confidence, _FAULT_CONFIDENCE))
        return prediction


    @staticmethod
    def _remarks(text: str, intent: str, prediction: Prediction) -> bool:
        """While a score is asked for, whether `text` remarks on the service instead of scoring it ("师傅挺好的，就是
        来得有点晚"): praise, or words the model is unsure are a complaint. A sure complaint ("师傅把地板划坏了") is
        filed as one, as it would be at any other time."""
        if intent == u.THANKS:
            return praising(text)
        return (intent == u.NEW_PROBLEM and prediction.type == "complaint"
                and prediction.confidence < _UNSURE_COMPLAINT)

    @staticmethod
    def _comments(text: str, intent: str, prediction: Prediction) -> bool:
        """At the survey's comment step, whether `text` is the comment (or declines to give one)."""
        if is_skip(text):
            return True
        if intent in _NOT_A_COMMENT:
            return False
        return not (intent == u.NEW_PROBLEM and prediction.type in _FIELD_TYPES and prediction.confidence >= 0.6)


_lock = threading.Lock()
_loaded: dict[str, Understander] = {}


def load_understander(model_path: str | os.PathLike[str] | None = None) -> Understander:
    """The process-wide `Understander` for `model_path` (None = the shipped model); loads each model once.

    Raises `nlp.model.ModelError` when an explicit `model_path` is missing, corrupt or from another version.
    """
    key = "" if model_path is None else os.fspath(model_path)
    with _lock:
        if key not in _loaded:
            _loaded[key] = Understander(model=load_model(model_path))
        return _loaded[key]

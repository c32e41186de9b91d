"""Chinese (and English) understanding of after-sales messages: type, intent, priority, sentiment and entities.

Start with `load_understander()` and call `understand(text, now=..., expecting=...)`; see `nlp.store` for where
the type model is cached and `nlp.cli` for `aftersales nlp classify/train/eval`.
"""
from .entities import number_tried
from .model import ModelError
from .intents import (about_warranty, along_with, asks_if_bot, asks_something, bare_fault, bare_feeling,
                      bare_product, bare_request, chasing, continuing, gratitude, holding_on, only_a_person_asked,
                      pleasantry, complaint_asked, praising, remedy_asked, threatening, upset, vague_fault)
from .problems import another_matter
from .replies import never_mind, same_as_before, withheld
from .understander import REMARK, Understander, load_understander
from .understanding import (
    ACCEPT, ACKNOWLEDGE, ADD_DETAIL, ADD_DEVICE, APPOINT, ARRIVED, CANCEL, DECLINE, DEVICE_SCAN, DONE, EN_ROUTE,
    GREETING, HELPFUL, HUMAN, INTENTS, KB_QUESTION, LABOUR, LINK, MY_JOBS, NEW_PROBLEM, NO_DETAIL, NOT_FIXED,
    NOT_HELPFUL,
    OFF_DUTY, ON_DUTY, PARTS_SHORT, PARTS_USED, PENDING_CUSTOMER, PENDING_PARTS, QUEUE, RELEASE, REPLY, RESUME, SOLVED,
    STATUS_QUERY, SURVEY_ANSWER, THANKS, TICKET_TYPES, TRANSFER, VERIFY, Address, Entities, TimeMention,
    Understanding,
)

__all__ = [
    "ACCEPT", "ACKNOWLEDGE", "ADD_DETAIL", "ADD_DEVICE", "APPOINT", "ARRIVED", "CANCEL", "DECLINE", "DEVICE_SCAN",
    "DONE", "EN_ROUTE", "GREETING", "HELPFUL", "HUMAN", "INTENTS", "KB_QUESTION", "LABOUR", "LINK", "MY_JOBS",
    "NEW_PROBLEM", "NO_DETAIL", "NOT_FIXED", "NOT_HELPFUL", "OFF_DUTY", "ON_DUTY", "PARTS_SHORT", "PARTS_USED",
    "PENDING_CUSTOMER", "PENDING_PARTS", "QUEUE", "RELEASE", "REMARK", "REPLY", "RESUME", "SOLVED", "STATUS_QUERY",
    "SURVEY_ANSWER", "THANKS", "TICKET_TYPES", "TRANSFER", "VERIFY", "Address", "Entities", "ModelError",
    "about_warranty", "along_with", "another_matter", "asks_if_bot", "asks_something", "bare_fault", "bare_feeling",
    "bare_product", "bare_request", "chasing", "continuing", "gratitude", "holding_on", "only_a_person_asked",
    "pleasantry", "praising", "remedy_asked", "complaint_asked",
    "same_as_before", "threatening", "TimeMention", "Understander", "Understanding", "load_understander",
    "never_mind", "number_tried", "upset", "vague_fault", "withheld",
]

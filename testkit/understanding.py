"""A type model for conversation tests: fixed keyword rules instead of trained weights, so retraining the shipped
model can never change what a handler test sees. Everything else in `Understander` (commands, entities, intents,
sentiment) stays real."""
from __future__ import annotations

import re

from nlp import Understander
from nlp.model import Prediction

RULES: tuple[tuple[str, str, float], ...] = (
    (r"补充一下", "complaint", 0.2),
    (r"发票|抬头|税号", "invoice", 0.9),
    (r"安装", "installation", 0.9),
    (r"保养|清洗", "maintenance", 0.9),
    (r"退货|退款|换货|refund", "return", 0.9),
    (r"物流|快递|发货", "logistics", 0.9),
    (r"投诉", "complaint", 0.9),
    (r"改地址|修改订单", "order_change", 0.9),
    (r"不脱水|漏水|坏了|出问题|不制冷|不出热水|故障|维修|修一下|报修|一直响|broken|leaks", "repair", 0.9),
    (r"怎么|如何|多久|吗|什么意思", "inquiry", 0.6),
)
"""First match wins: (pattern, type, confidence). Anything else is `other`."""


class KeywordTypes:
    def predict(self, text: str) -> Prediction:
        for pattern, ticket_type, confidence in RULES:
            if re.search(pattern, text):
                return Prediction(ticket_type, confidence)
        return Prediction("other", 0.3)


def keyword_understander() -> Understander:
    return Understander(model=KeywordTypes())  # type: ignore[arg-type]

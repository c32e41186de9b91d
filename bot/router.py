"""Chooses the handler for a message: explicit commands first, then the job the conversation is in, then intent."""
from __future__ import annotations

from typing import Sequence

from core.domain.conversations import IDLE
from handlers.base import Handler
from nlp import ACCEPT, ACKNOWLEDGE, ARRIVED, CANCEL, DECLINE, DONE, EN_ROUTE, HUMAN, MY_JOBS, STATUS_QUERY

COMMANDS = frozenset({STATUS_QUERY, CANCEL, HUMAN, ACCEPT, DECLINE, EN_ROUTE, ARRIVED, DONE, MY_JOBS, ACKNOWLEDGE})
"""Intents that interrupt whatever the conversation was waiting for."""


class Router:
    def __init__(self, *, handlers: Sequence[Handler], fallback: Handler) -> None:
        self._by_intent: dict[str, Handler] = {}
        self._by_state: dict[str, Handler] = {}
        for handler in handlers:
            for intent in handler.intents:
                if intent in self._by_intent:
                    raise ValueError(f"intent {intent} claimed by {self._by_intent[intent].name} and {handler.name}")
                self._by_intent[intent] = handler
            for state in handler.states:
                self._by_state[state] = handler
        self._fallback = fallback

    def choose(self, *, intent: str, state: str) -> Handler:
        if intent in COMMANDS and intent in self._by_intent:
            return self._by_intent[intent]
        if state != IDLE and state in self._by_state:
            return self._by_state[state]
        return self._by_intent.get(intent, self._fallback)

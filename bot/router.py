"""Chooses the handler for a message by who sent it: each conversation job declares the roles it serves, and a
person is only ever handed to jobs of their own kind — a staff member's text never reaches a customer's job (intake,
status, cancel, knowledge, surveys) and a customer never reaches a staff command.

Within a role: commands first (they interrupt whatever the conversation waits for), then the job the conversation
is in, then the job of the intent, else the role's fallback. A job may pass a message on (it returns None): the next
choice takes it, and after the jobs chosen, the role's problem intake (a message nobody else takes is filed as a
problem if it is one), then the fallback.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from core.domain.conversations import IDLE
from core.domain.people import PersonKind
from handlers.base import Handler
from nlp import NEW_PROBLEM


@dataclass
class _Routes:
    """The jobs one kind of person can reach."""

    by_intent: dict[str, Handler] = field(default_factory=dict)
    commands: set[str] = field(default_factory=set)
    by_state: dict[str, Handler] = field(default_factory=dict)

    def add(self, handler: Handler, kind: PersonKind) -> None:
        for intent in handler.intents | handler.commands:
            if intent in self.by_intent:
                raise ValueError(f"intent {intent} for {kind} claimed by {self.by_intent[intent].name} and "
                                 f"{handler.name}")
            self.by_intent[intent] = handler
        self.commands |= handler.commands
        for state in handler.states:
            if state in self.by_state:
                raise ValueError(f"state {state} for {kind} claimed by {self.by_state[state].name} and "
                                 f"{handler.name}")
            self.by_state[state] = handler


class Router:
    def __init__(self, *, handlers: Sequence[Handler], fallbacks: Sequence[Handler]) -> None:
        """`fallbacks`: what answers when no job fits, exactly one for every kind of person."""
        self._routes = {kind: _Routes() for kind in PersonKind}
        for handler in handlers:
            if not handler.roles:
                raise ValueError(f"{handler.name} serves no role")
            for kind in handler.roles:
                self._routes[kind].add(handler, kind)
        self._fallbacks: dict[PersonKind, Handler] = {}
        for fallback in fallbacks:
            for kind in fallback.roles:
                if kind in self._fallbacks:
                    raise ValueError(f"{kind} has two fallbacks: {self._fallbacks[kind].name} and {fallback.name}")
                self._fallbacks[kind] = fallback
        missing = [kind.value for kind in PersonKind if kind not in self._fallbacks]
        if missing:
            raise ValueError(f"no fallback for {', '.join(missing)}")

    def candidates(self, *, person: PersonKind, intent: str, state: str) -> list[Handler]:
        """Who may take the message, in turn."""
        routes = self._routes[person]
        chosen = [handler for handler in (
            routes.by_intent[intent] if intent in routes.commands else None,
            routes.by_state.get(state) if state != IDLE else None,
            routes.by_intent.get(intent)) if handler is not None]
        if chosen and NEW_PROBLEM in routes.by_intent:
            chosen.append(routes.by_intent[NEW_PROBLEM])
        return list(dict.fromkeys([*chosen, self._fallbacks[person]]))

"""Numbered answers. Channels without buttons show a reply's buttons as numbered lines ("2. SR-…：回复「取消 SR-…」"),
and people answer with the number. The commands of the last reply in a thread that offered a choice are kept on the
thread (`offer`); the next message there, if it is a bare number naming one of them, is taken as that command, and
any message uses them up (`take`). Answers that are numbers themselves (a 1–5 score) need no translating."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Sequence

from core.domain.conversations import Conversation
from core.envelopes import Inbound, Outbound
from core.services.conversations import ConversationService
from nlp.replies import numbered_choice

CHOICES = "choices"
KEPT = timedelta(hours=24)
"""How long an idle thread keeps the numbered answers of its last choice."""


def take(conversations: ConversationService, inbound: Inbound,
         state: Conversation) -> tuple[Inbound, Conversation, bool]:
    """The message as the command its number names (and True), else as written; the thread's choices are used up
    either way."""
    commands = state.data.get(CHOICES)
    if not commands:
        return inbound, state, False
    state = conversations.forget(state, CHOICES)
    number = numbered_choice(inbound.text) if not inbound.attachments else None
    if number is None or number > len(commands):
        return inbound, state, False
    return replace(inbound, text=str(commands[number - 1])), state, True


def offer(conversations: ConversationService, state: Conversation, inbound: Inbound,
          replies: Sequence[Outbound]) -> None:
    """Keep the commands of the last of `replies` in the message's own thread that offers a choice between two or
    more answers that are not numbers."""
    for reply in reversed(replies):
        if (reply.channel, reply.conversation, reply.recipient) != (inbound.channel, inbound.conversation,
                                                                     inbound.sender):
            continue
        commands = [action.get("command") for action in reply.data.get("actions") or ()]
        if not commands:
            continue
        if len(commands) > 1 and all(isinstance(c, str) and c and not c.strip().isdigit() for c in commands):
            conversations.note(state, ttl=KEPT, **{CHOICES: commands})
        return

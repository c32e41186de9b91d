"""Where one person's conversation in one thread stands: what the bot is waiting for, if anything."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

IDLE = "idle"


@dataclass(frozen=True, slots=True, kw_only=True)
class Conversation:
    """A snapshot of the thread's state; the conversation service changes it and hands back a fresh one."""

    channel: str
    thread: str
    sender: str
    state: str = IDLE
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.channel, self.thread, self.sender)

    @property
    def idle(self) -> bool:
        return self.state == IDLE

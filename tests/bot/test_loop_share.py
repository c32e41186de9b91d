"""A transaction's budget counts its share of the event loop: what the lanes in progress do at the same time is
shared out among them, so a batch is sized for its own work, not for everybody's."""
from __future__ import annotations

from bot.pipeline import LoopShare


class Ticks:
    """A clock moved by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_time_is_shared_out_among_the_transactions_in_progress() -> None:
    ticks = Ticks()
    share = LoopShare(ticks)
    with share.taking_part():
        first = share()
        ticks.now += 1.0
        assert share() - first == 1.0
        with share.taking_part():
            second = share()
            ticks.now += 4.0
            assert share() - second == 2.0
        ticks.now += 1.0
        assert share() - first == 4.0


def test_time_when_nothing_is_in_progress_counts_for_nobody() -> None:
    ticks = Ticks()
    share = LoopShare(ticks)
    before = share()
    ticks.now += 10.0
    with share.taking_part():
        assert share() == before

"""A background task that works in passes: after each pass it sleeps until it is woken (new work was committed)
or its wait runs out, whichever comes first."""
from __future__ import annotations

import asyncio


class WakeableLoop:
    name = "loop"

    def __init__(self) -> None:
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        raise NotImplementedError

    async def _sleep(self, seconds: float) -> None:
        """Until woken or `seconds` pass."""
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        except asyncio.TimeoutError:
            pass
        self._wake.clear()

"""`kill -USR1 <pid>` writes what a running hub is doing to its log: every thread's stack and every asyncio task's
coroutine stack. It answers "why does it not stop / not answer" without restarting or attaching a debugger."""
from __future__ import annotations

import asyncio
import faulthandler
import io
import logging
import signal
import sys

log = logging.getLogger(__name__)


async def install_stack_dumps(_app: object) -> None:
    """An `on_startup` hook of the served app (only there: it takes a process-wide signal). On SIGUSR1: thread
    stacks straight to stderr (works even when the loop is stuck), then the tasks' stacks. The
    fault handler goes second and chains to the loop's handler, which would otherwise replace it."""
    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, _log_tasks)
    faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=True, chain=True)


def _log_tasks() -> None:
    out = io.StringIO()
    for task in sorted(asyncio.all_tasks(), key=lambda t: t.get_name()):
        out.write(f"--- task {task.get_name()}\n")
        task.print_stack(limit=20, file=out)
    log.warning("asyncio tasks on SIGUSR1:\n%s", out.getvalue())

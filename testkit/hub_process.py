"""A real `aftersales serve` process on a loopback port with its own SQLite file, for crash tests and benchmarks."""
from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.storage.models import InboxRow


RATE_KEYS = ("sender_rate", "address_rate", "address_session_rate", "global_rate")
"""Every web-chat limit: load from one address (the tests' and benchmarks' clients) must not trip them."""

START_TIMEOUT = 120.0
"""Seconds a starting hub may take to answer `/healthz`: loading the models takes seconds on a quiet machine and
much longer on a loaded one, and a hub that exits early fails at once anyway."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HubProcess:
    """Writes a config into `tmp`, migrates, starts `python -m bot serve` and waits for `/healthz`; output goes to
    `hub.log` in `tmp`. The database is a SQLite file in `tmp` unless `database_url` names another."""

    def __init__(self, tmp: Path, *, rate: int = 100000, extra_config: str = "",
                 database_url: str | None = None) -> None:
        tmp.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.db = tmp / "hub.db"
        self.database_url = database_url or f"sqlite+aiosqlite:///{self.db}"
        self.config = tmp / "aftersales.toml"
        self.log = tmp / "hub.log"
        limits = "".join(f"{key} = {rate}\n" for key in RATE_KEYS)
        self.config.write_text(f'[server]\nport = {self.port}\n[webchat]\n{limits}'
                               f'[database]\nurl = "{self.database_url}"\n{extra_config}', "utf-8")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as log:
            return subprocess.Popen([sys.executable, "-m", "bot", *args, "--config", str(self.config)],
                                    stdout=log, stderr=subprocess.STDOUT)

    async def start(self, *, migrate: bool = True) -> None:
        """`migrate=False` leaves the schema to `serve` itself."""
        if migrate and self.cli("db", "upgrade").wait(60) != 0:
            raise RuntimeError("db upgrade failed")
        self.process = self.cli("serve")
        deadline = time.monotonic() + START_TIMEOUT
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"hub exited with {self.process.returncode} while starting:\n{self._log_tail()}")
                try:
                    async with http.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError(f"hub did not answer /healthz within {START_TIMEOUT:.0f} s:\n{self._log_tail()}")

    def serve_until_exit(self, *, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run `serve` expecting it to refuse to start; its stdout and stderr are returned apart."""
        return subprocess.run([sys.executable, "-m", "bot", "serve", "--config", str(self.config)], capture_output=True,
                              text=True, timeout=timeout)

    def signal(self, sig: int, *, timeout: float = 30) -> int:
        """Send `sig` and return the exit status; a hub that does not exit in time is asked for its stacks
        (SIGUSR1), killed, and the failure carries the end of its log."""
        assert self.process is not None
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGUSR1)
            time.sleep(2)
            self.kill()
            raise AssertionError(f"the hub did not exit within {timeout} s of signal {sig}; its log ends:\n"
                                 f"{self._log_tail()}")

    def _log_tail(self) -> str:
        return self.log.read_text("utf-8", errors="replace")[-12000:]

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(30)


async def wait_until_processed(sessions: async_sessionmaker[AsyncSession], *, timeout: float = 60) -> int:
    """Poll the inbox until no row is pending (or `timeout`); returns how many still are."""
    deadline = time.monotonic() + timeout
    while True:
        async with sessions() as session:
            pending = await session.scalar(select(func.count()).select_from(InboxRow)
                                           .where(InboxRow.status == "pending"))
        if not pending or time.monotonic() >= deadline:
            return int(pending or 0)
        await asyncio.sleep(0.1)

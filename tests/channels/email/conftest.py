"""Peers for the email channel tests (dovecot, its folders and the SMTP recorder are shared: tests/conftest.py): a
proxy that cuts connections, and in-memory stand-ins for the hub's inbox, cursor and quarantine stores."""
from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from channels.email.config import EmailConfig
from channels.email.channel import EmailChannel
from core.clock import SystemClock
from testkit.email_peers import PASSWORD, USER, MemoryCursors, MemoryQuarantine, MemorySink

FROM_ADDRESS = "service@aftersales.test"


@pytest.fixture
def sink() -> MemorySink:
    return MemorySink()


@pytest.fixture
def cursors() -> MemoryCursors:
    return MemoryCursors()


@pytest.fixture
def quarantine() -> MemoryQuarantine:
    return MemoryQuarantine()


class CuttingProxy:
    """TCP proxy in front of dovecot that can sever connections, once after N bytes or all at once."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self.accepted = 0
        self.cut_after: int | None = None
        self.cuts = 0
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        self.cut_all()
        if self._server:
            self._server.close()

    def cut_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer, count=False), self._pipe(up_reader, writer, count=True),
                             return_exceptions=True)
        for w in (writer, up_writer):
            self._writers.discard(w)
            w.transport.abort()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, count: bool) -> None:
        sent = 0
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
            sent += len(data)
            if count and self.cut_after is not None and sent > self.cut_after:
                self.cut_after = None
                self.cuts += 1
                self.cut_all()
                return
        writer.transport.abort()


@pytest.fixture
async def proxy(dovecot):
    server = CuttingProxy(dovecot.port)
    await server.start()
    yield server
    await server.close()


def email_config(*, imap_port: int, folder: str, attachment_dir: Path, smtp_port: int = 1,
                 **overrides) -> EmailConfig:
    values = dict(imap_host="127.0.0.1", imap_port=imap_port, imap_user=USER, imap_password=PASSWORD,
                  imap_ssl=False, imap_folder=folder, smtp_host="127.0.0.1", smtp_port=smtp_port,
                  smtp_starttls=False, from_address=FROM_ADDRESS, poll_interval=timedelta(seconds=0.2),
                  attachment_dir=str(attachment_dir))
    values.update(overrides)
    return EmailConfig(**values)


@pytest.fixture
async def build_channel(sink, cursors, quarantine, tmp_path: Path):
    """Builds (not starts) channels; every one is stopped at the end of the test."""
    made: list[EmailChannel] = []

    def build(*, imap_port: int = 1, folder: str = "INBOX", smtp_port: int = 1, intake=None, clock=None,
              **kwargs) -> EmailChannel:
        config_keys = {k: kwargs.pop(k) for k in list(kwargs) if k in EmailConfig.__dataclass_fields__}
        channel = EmailChannel(
            config=email_config(imap_port=imap_port, folder=folder, smtp_port=smtp_port,
                                attachment_dir=tmp_path / "attachments", **config_keys),
            intake=intake or sink, cursors=cursors, quarantine=quarantine, clock=clock or SystemClock(),
            reconnect_backoff=(0.05, 0.5), **kwargs)
        made.append(channel)
        return channel

    yield build
    for channel in made:
        await channel.stop()


@pytest.fixture
def make_channel(mailbox, build_channel):
    """A channel reading the test's own dovecot folder (directly, or through `imap_port` such as a proxy)."""
    def make(*, imap_port: int | None = None, **kwargs) -> EmailChannel:
        return build_channel(imap_port=imap_port or mailbox.port, folder=mailbox.folder, **kwargs)

    return make

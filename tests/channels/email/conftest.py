"""Peers for the email channel tests: dovecot over IMAP, aiosmtpd recording SMTP, a proxy that cuts connections,
and in-memory stand-ins for the hub's inbox, cursor and quarantine stores."""
from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from imapclient import IMAPClient

from channels.email.config import EmailConfig
from channels.email.channel import EmailChannel
from core.clock import SystemClock
from testkit.email_peers import DOVECOT, PASSWORD, USER, MemoryCursors, MemoryQuarantine, MemorySink, free_port, start_dovecot

FROM_ADDRESS = "service@aftersales.test"


@pytest.fixture(scope="session")
def dovecot():
    if not DOVECOT.exists():
        pytest.skip("dovecot is not installed at /usr/sbin/dovecot (.ci/run installs dovecot-imapd)")
    server = start_dovecot()
    yield server
    server.stop()


class Mailbox:
    """One folder on the test dovecot, reached over IMAP like a customer's mail server would deliver into it."""

    def __init__(self, port: int, folder: str) -> None:
        self.port = port
        self.folder = folder

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=30)
        client.login(USER, PASSWORD)
        return client

    def append(self, *mails: bytes) -> None:
        with self.client() as client:
            for raw in mails:
                client.append(self.folder, raw)

    def seen(self) -> dict[int, bool]:
        with self.client() as client:
            client.select_folder(self.folder, readonly=True)
            flags = client.get_flags(client.search("ALL"))
            return {uid: b"\\Seen" in f for uid, f in flags.items()}

    def recreate(self) -> None:
        """Delete and re-create the folder: a new UIDVALIDITY, as after a server-side mailbox rebuild."""
        with self.client() as client:
            client.delete_folder(self.folder)
            client.create_folder(self.folder)


@pytest.fixture
def mailbox(dovecot) -> Mailbox:
    box = Mailbox(dovecot.port, "t" + uuid.uuid4().hex[:12])
    with box.client() as client:
        client.create_folder(box.folder)
    return box


@pytest.fixture
def sink() -> MemorySink:
    return MemorySink()


@pytest.fixture
def cursors() -> MemoryCursors:
    return MemoryCursors()


@pytest.fixture
def quarantine() -> MemoryQuarantine:
    return MemoryQuarantine()


class Recorder:
    """aiosmtpd handler: keeps every accepted mail, refuses recipients whose local part starts with 'refuse'."""

    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.mails.append(message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
        return "250 Message accepted"


@dataclass
class SmtpPeer:
    port: int
    recorder: Recorder


@pytest.fixture
def smtp_peer():
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield SmtpPeer(port=controller.port, recorder=recorder)
    controller.stop()


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

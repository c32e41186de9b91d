"""Peers for the email channel tests and benchmark: a throwaway dovecot on a loopback port and its folders, an
aiosmtpd server that records what it is sent, in-memory stand-ins for the hub's inbox, cursor and quarantine stores,
and a deadline wait."""
from __future__ import annotations

import asyncio
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from aiosmtpd.controller import Controller
from imapclient import IMAPClient

from core.envelopes import Inbound

DOVECOT = Path("/usr/sbin/dovecot")
USER = "agent@example.test"
PASSWORD = "secret"

_CONFIG = """protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{d}/mail/%u
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={d}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@dataclass
class Dovecot:
    port: int
    root: Path
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_dovecot() -> Dovecot:
    root = Path(tempfile.mkdtemp(prefix="aftersales-dovecot-"))
    root.chmod(0o755)  # the auth process runs unprivileged and must read the users file
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir()
    shutil.chown(root / "mail", "nobody", "nogroup")
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    port = free_port()
    (root / "dovecot.conf").write_text(_CONFIG.format(d=root, port=port))
    process = subprocess.Popen([str(DOVECOT), "-F", "-c", str(root / "dovecot.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                if conn.recv(64).startswith(b"* OK"):
                    return Dovecot(port=port, root=root, process=process)
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"dovecot did not answer on port {port}: {(root / 'dovecot.log').read_text(errors='replace')}")


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


class Recorder:
    """aiosmtpd handler: keeps every accepted mail, refuses recipients whose local part starts with 'refuse'."""

    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if address.startswith("refuse"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
        return "250 Message accepted"


@dataclass
class SmtpPeer:
    port: int
    recorder: Recorder


def smtp_server() -> Iterator[SmtpPeer]:
    """An aiosmtpd server on a free loopback port for as long as the generator is not closed (a fixture body)."""
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpPeer(port=controller.port, recorder=recorder)
    finally:
        controller.stop()


async def wait_until(predicate: Callable[[], bool], *, timeout: float = 30.0) -> None:
    """Wait for a condition the channel reaches asynchronously (a deadline, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


class MemoryCursors:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    async def get(self, name: str) -> str | None:
        return self.values.get(name)

    async def put(self, name: str, value: str) -> None:
        self.values[name] = value


class MemoryQuarantine:
    def __init__(self) -> None:
        self.items: list[dict] = []

    async def quarantine(self, *, channel: str, external_id: str, payload: bytes, reason: str) -> None:
        self.items.append({"channel": channel, "external_id": external_id, "payload": payload, "reason": reason})


@dataclass
class MemorySink:
    """The hub's inbox in miniature: unique by (channel, external_id), reports duplicates, can fail on demand."""

    inbox: dict[tuple[str, str], Inbound] = field(default_factory=dict)
    arrivals: list[tuple[float, Inbound]] = field(default_factory=list)
    duplicates: int = 0
    fail_before_commit: int = 0
    fail_after_commit: int = 0
    failures: int = 0

    async def __call__(self, batch: Sequence[Inbound]) -> list[bool]:
        if self.fail_before_commit:
            self.fail_before_commit -= 1
            self.failures += 1
            raise ConnectionError("inbox database unavailable")
        result = []
        for item in batch:
            new = item.key not in self.inbox
            result.append(new)
            if new:
                self.inbox[item.key] = item
                self.arrivals.append((time.perf_counter(), item))
            else:
                self.duplicates += 1
        if self.fail_after_commit:
            self.fail_after_commit -= 1
            self.failures += 1
            raise ConnectionError("connection lost after commit")
        return result

    @property
    def messages(self) -> list[Inbound]:
        return list(self.inbox.values())

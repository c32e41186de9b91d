"""What `aftersales serve` makes sure of before it builds a hub: the port is its own and the schema is current
(`aftersales demo`, which writes to the same database, checks the schema too).

Both used to fail late, as tracebacks, after workers had already started on the database. Found here first, each
failure is one line (`StartupError`) that says what to do, and the CLI exits with its code. The database modules are
imported only when the schema is checked, so the other commands start without them."""
from __future__ import annotations

import asyncio
import errno
import logging
import socket
from typing import TYPE_CHECKING, Collection, Sequence

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from core.domain.sla import SlaSettings

log = logging.getLogger(__name__)

LISTEN_BACKLOG = 128
"""aiohttp's own default."""
EXIT_USAGE, EXIT_ERROR = 2, 1


class StartupError(Exception):
    """Serving cannot start. The message is one line; `exit_code` 2 means the operator must change something."""

    def __init__(self, message: str, *, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def listen(host: str, port: int) -> list[socket.socket]:
    """Bind and listen on every address `host` resolves to, as aiohttp would. The sockets are handed to aiohttp, so
    nothing can take the port between this check and serving."""
    where = f"{host}:{port}"
    try:
        addresses = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise StartupError(f"cannot listen on {where}: {exc.strerror} ([server] host)") from exc
    sockets: list[socket.socket] = []
    try:
        for family, kind, proto, _, address in dict.fromkeys(addresses):
            listener = socket.socket(family, kind, proto)
            sockets.append(listener)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            listener.bind(address)
            listener.listen(LISTEN_BACKLOG)
    except OSError as exc:
        for listener in sockets:
            listener.close()
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(f"cannot listen on {where}: the port is already in use by another process; stop it "
                               "or choose another [server] port") from exc
        raise StartupError(f"cannot listen on {where}: {exc.strerror or exc}") from exc
    return sockets


def prepare_database(url: str) -> None:
    """Migrate an embedded SQLite database to head (logged); refuse any other database that is not at head, since
    migrating a shared server is the operator's decision (`aftersales db upgrade`)."""
    asyncio.run(_prepare(url))


async def _prepare(url: str) -> None:
    from sqlalchemy.engine import make_url

    from core.storage.db import create_engine
    from core.storage.migrate import current_revision

    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise StartupError(f"database {shown}: an in-memory database lasts one connection; the hub needs a file")
    try:
        engine = create_engine(url)
    except OSError as exc:
        raise StartupError(f"cannot create the database {shown}: {_one_line(exc)}", exit_code=EXIT_ERROR) from exc
    try:
        try:
            current = await current_revision(engine)
        except Exception as exc:  # noqa: BLE001 - drivers raise their own types on connect (asyncpg's are not wrapped)
            raise StartupError(f"cannot reach the database {shown}: {_one_line(exc)}", exit_code=EXIT_ERROR) from exc
        await _bring_to_head(engine, shown, current)
    finally:
        await engine.dispose()


async def _bring_to_head(engine: AsyncEngine, shown: str, current: str | None) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from core.storage.migrate import head_revision, known_revision, upgrade

    head = head_revision()
    if current == head:
        return
    if current is not None and not known_revision(current):
        raise StartupError(f"database {shown} is at revision {current}, which this version does not know (it knows "
                           f"up to {head}); run the version that migrated it, or a newer one")
    if engine.dialect.name != "sqlite":
        raise StartupError(f"database {shown} is at revision {current or 'none (never migrated)'}, this version "
                           f"needs {head}: run `aftersales db upgrade` first")
    log.info("database %s is at revision %s; migrating to %s", shown, current or "none (new)", head)
    try:
        await upgrade(engine)
    except (OSError, SQLAlchemyError) as exc:
        raise StartupError(f"migrating the database {shown} failed: {_one_line(exc)}", exit_code=EXIT_ERROR) from exc
    log.info("database %s migrated to %s", shown, head)


def check_escalations(url: str, sla: SlaSettings) -> None:
    """Every configured escalation level must reach someone: a role a staff member holds, or a staff member's name.
    Staff live in the database, so this waits for the schema check; a level nobody would hear is exit 2 naming it."""
    asyncio.run(_check_escalations(url, sla))


async def _check_escalations(url: str, sla: SlaSettings) -> None:
    from core.clock import SystemClock
    from core.domain.sla import unknown_recipients
    from core.services.people import PeopleService
    from core.storage.db import create_engine, session_factory

    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            roles, names = await PeopleService(session=session, clock=SystemClock()).roster()
    finally:
        await engine.dispose()
    unknown = unknown_recipients(sla, roles=roles, names=names)
    if unknown:
        key, notify = next(iter(unknown.items()))
        raise StartupError(f"configuration error: {key}: nobody on staff has the role or the name {notify!r}; add "
                           "such a staff member first, or change the escalation chain")


def report_unreachable_staff(url: str, channels: Collection[str]) -> None:
    """Log in one line the staff members no configured channel reaches (`core.services.people.staff_channel`, as
    dispatch decides it): alerts and escalations sent to them would go nowhere, and no job is offered to them."""
    asyncio.run(_report_unreachable_staff(url, channels))


async def _report_unreachable_staff(url: str, channels: Collection[str]) -> None:
    from core.clock import SystemClock
    from core.services.people import PeopleService
    from core.storage.db import create_engine, session_factory

    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            unreachable = await PeopleService(session=session, clock=SystemClock()).unreachable(channels)
    finally:
        await engine.dispose()
    if unreachable:
        log.warning("%s", unreachable_summary([(member.name, held) for member, held in unreachable]))


def unreachable_summary(unreachable: Sequence[tuple[str, Sequence[str]]]) -> str:
    """One line for every staff member no configured channel reaches (name, channels they do have an identity on):
    who they are and which sections to fill in to reach them."""
    count = len(unreachable)
    names = ", ".join(name for name, _ in unreachable)
    held = sorted({channel for _, channels in unreachable for channel in channels})
    hint = (f"configure {'/'.join(f'[{channel}]' for channel in held)} to reach them" if held
            else "give them an identity (aftersales staff import, PATCH /api/v1/staff)")
    return (f"{count} staff member{'s' if count > 1 else ''} cannot be reached on any configured channel "
            f"(nothing sent to them will arrive): {names}; {hint}")


def _one_line(exc: BaseException) -> str:
    """The driver's own message when SQLAlchemy wraps one (its text adds the statement and a link)."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0]}" if lines else type(cause).__name__

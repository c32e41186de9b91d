"""Recovering from a connection the database server dropped, instead of testing each connection before use.

The pool hands its connections out untested: a ping at every checkout (`pool_pre_ping`: begin, `;`, rollback on
asyncpg) was about 40 % of the round trips with two processes on PostgreSQL. A connection the server closed (a
restart, a terminated session, a cut network) then fails at its first statement instead; SQLAlchemy marks that
error `connection_invalidated` and discards every connection the pool opened before it. The work that should not
fail for it — taking a message in, processing it, claiming and settling replies, /healthz — runs again once on a
fresh connection, which succeeds when the database is back and fails for good when it is not.

Only for work that may run twice: the error may come at the commit, which the server may have done. The inbox's
unique key, the done flag of processed rows, the outbox's lease and updates by id make a second run harmless."""
from __future__ import annotations

import logging
from typing import Awaitable, Callable, TypeVar

from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

T = TypeVar("T")


async def once_more_if_dropped(work: Callable[[], Awaitable[T]]) -> T:
    """`work()`, run a second time when its connection turned out to be closed by the server."""
    try:
        return await work()
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        log.info("the database closed a pooled connection (%s); trying again on a new one", type(exc.orig).__name__)
    return await work()

"""Web-chat replies across hub processes.

With several processes (the Redis bus), the process that sends a reply is often not the one holding the customer's
socket. It then asks the others over Redis pub/sub; a process that pushed the frame to a socket of that conversation
says so on a short-lived reply list the asker waits on. Without an answer within `wait` seconds the customer counts
as offline, and the outbox tries again later as it does for one process.

Each reply reaches the customer once, however late a holder answers (a busy or paused process reads the request
after the asker gave up, and the outbox's retry would push the same reply a second time): a holder *takes* the
request before it pushes, and the asker *gives it up* before it reports the customer offline — both atomically on the
request's state key, so either a holder took it or it was given up (no holder pushes it any more, and the retry is
its only delivery). A holder that took it but never says whether it pushed — it died, or stalled past a second wait
— leaves the reply unsent: the outbox sends it again rather than lose it, and should the stalled holder push it after
all, the frame carries the same id as the retry's, which the page shows once.

A process serves the requests it hears side by side, one task per conversation: served one after the other, each
behind its take, its push and its answer's round trips to Redis, they held up every sender waiting on them, and with
two processes half of all replies come this way. A conversation's requests are still served in the order they came.

Redis hands a pub/sub message to the subscribers on every database of the server (only keys belong to a database),
so the channel is named after the database: hubs sharing a Redis server on different databases — separate
deployments, or test runs side by side — would otherwise push each other's replies to their customers' sockets
whenever two web-chat sessions share an id.
"""
from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any, Awaitable, Callable

import redis.asyncio as redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

Deliver = Callable[[str, dict[str, Any]], Awaitable[bool]]
"""Push a frame to this process's sockets of a conversation; True when one took it."""
Holds = Callable[[str], bool]
"""Whether this process has a socket of a conversation open."""

TAKEN, GIVEN_UP = "taken", "given-up"
KEPT = 60
"""Seconds a request's state and reply list outlive it (a late holder still finds it given up)."""
TAKEN_PATIENCE = 4
"""How many waits the asker gives a holder that took the request to say it pushed, before sending it again."""
_TAKE = """
if redis.call('get', KEYS[1]) == ARGV[2] then return 0 end
redis.call('set', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1
"""
_GIVE_UP = """
if redis.call('get', KEYS[1]) == ARGV[1] then return 1 end
redis.call('set', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 0
"""


class RedisSocketRelay:
    def __init__(self, *, url: str, prefix: str = "aftersales", wait: float = 0.5) -> None:
        self._redis = redis.from_url(url, decode_responses=True)
        database = self._redis.connection_pool.connection_kwargs.get("db") or 0
        self._channel = f"{prefix}:webchat:relay:{database}"
        self._replies = f"{prefix}:webchat:delivered:"
        self._wait = wait
        self._task: asyncio.Task[None] | None = None
        self._serving: dict[str, asyncio.Task[None]] = {}
        """The last request being served per conversation: the next one of that conversation waits for it."""
        self._take = self._redis.register_script(_TAKE)
        self._give_up = self._redis.register_script(_GIVE_UP)

    async def start(self, deliver: Deliver, holds: Holds) -> None:
        """Serve the others' requests for the conversations this process `holds`, pushing with `deliver`."""
        self._task = asyncio.create_task(self._listen(deliver, holds), name="webchat-relay")

    async def stop(self) -> None:
        tasks = [task for task in (self._task, *self._serving.values()) if task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._redis.aclose()

    async def forward(self, conversation: str, frame: dict[str, Any]) -> bool:
        """Ask the other processes to push `frame`; True once one of them has. False means it is not known to have
        gone: the caller sends it again later."""
        reply = self._replies + uuid.uuid4().hex
        request = json.dumps({"conversation": conversation, "frame": frame, "reply": reply}, ensure_ascii=False)
        try:
            listeners = await self._redis.publish(self._channel, request)
            if listeners <= 1:
                return False
            answered = await self._redis.blpop([reply], timeout=self._wait)
            if answered is None:
                if not await self._give_up(keys=[reply + ":state"], args=[TAKEN, GIVEN_UP, KEPT]):
                    return False
                answered = await self._redis.blpop([reply], timeout=self._wait * TAKEN_PATIENCE)
        except RedisError as exc:
            log.warning("web chat relay unavailable: %s", exc)
            return False
        return answered is not None and answered[1] == "1"

    async def _listen(self, deliver: Deliver, holds: Holds) -> None:
        """Serve the others' requests; reconnects after Redis trouble."""
        while True:
            try:
                async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self._channel)
                    async for message in pubsub.listen():
                        self._serve_in_turn(deliver, holds, json.loads(message["data"]))
            except RedisError as exc:
                log.warning("web chat relay: %s; resubscribing", exc)
                await asyncio.sleep(1.0)

    def _serve_in_turn(self, deliver: Deliver, holds: Holds, request: dict[str, Any]) -> None:
        """Serve the request in a task of its own, after the conversation's request before it."""
        conversation = request["conversation"]
        task = asyncio.create_task(self._serve_after(self._serving.get(conversation), deliver, holds, request))
        self._serving[conversation] = task

        def done(finished: asyncio.Task[None]) -> None:
            if self._serving.get(conversation) is finished:
                del self._serving[conversation]
        task.add_done_callback(done)

    async def _serve_after(self, previous: asyncio.Task[None] | None, deliver: Deliver, holds: Holds,
                           request: dict[str, Any]) -> None:
        if previous is not None:
            await asyncio.gather(previous, return_exceptions=True)
        try:
            await self._serve(deliver, holds, request)
        except RedisError as exc:
            log.warning("web chat relay: could not serve a request: %s", exc)

    async def _serve(self, deliver: Deliver, holds: Holds, request: dict[str, Any]) -> None:
        """Push a request for a conversation held here, unless its asker gave it up; then say whether it went."""
        reply = request["reply"]
        if not holds(request["conversation"]) or not await self._take(keys=[reply + ":state"],
                                                                       args=[TAKEN, GIVEN_UP, KEPT]):
            return
        pushed = await deliver(request["conversation"], request["frame"])
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.rpush(reply, "1" if pushed else "0")
            pipe.expire(reply, KEPT)
            await pipe.execute()

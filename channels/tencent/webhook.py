"""The callback flow both channels follow: verify → safe-parse → `Inbound` → durable intake → only then acknowledge.

A refused request answers its status (400/403/413) and reaches no intake. A verified push the hub cannot answer (no
sender) is logged and acknowledged, so the platform does not retry it, and reaches no intake either. If the intake
fails, the platform gets a 500 and retries later, which is exactly the redelivery the hub wants.
"""
from __future__ import annotations

import logging
from typing import Awaitable, Callable

from aiohttp import web

from core.envelopes import Inbound
from core.ports import IntakeSink
from channels.tencent.callback import Refused
from channels.tencent.messages import NoSender
from channels.tencent.xml import UnsafeXml, parse_flat

log = logging.getLogger(__name__)

Opener = Callable[[web.Request], Awaitable[bytes]]
"""Verifies a request (signature, freshness, size, decryption) and returns its plaintext XML."""
Parser = Callable[[bytes], Inbound]


async def accept(request: web.Request, *, channel: str, open_: Opener, parse: Parser, intake: IntakeSink,
                 ack: str) -> web.Response:
    try:
        xml = await open_(request)
        parse_flat(xml)
        inbound = parse(xml)
    except Refused as refused:
        log.warning("%s callback refused (%s): %s", channel, refused.status, refused.reason)
        return web.Response(status=refused.status, text=refused.reason)
    except NoSender as exc:
        log.warning("%s push ignored (acknowledged, not stored): %s", channel, exc)
        return web.Response(text=ack)
    except UnsafeXml as exc:
        log.warning("%s callback refused (400): bad XML: %s", channel, exc)
        return web.Response(status=400, text="bad XML")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        log.warning("%s callback refused (400): unparseable message: %r", channel, exc)
        return web.Response(status=400, text="unparseable message")
    try:
        await intake([inbound])
    except Exception:
        log.exception("%s intake failed for %s; the platform will retry", channel, inbound.external_id)
        return web.Response(status=500, text="intake unavailable")
    return web.Response(text=ack)

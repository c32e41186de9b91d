"""`上班` / `on duty` and `下班` / `off duty`: a technician says whether new jobs may be dispatched or offered to them.
Off duty, they get no offers and are not in the grab pool; the jobs they hold stay theirs (listed in the reply)."""
from __future__ import annotations

from core.domain.people import TECHNICIANS, StaffSpec
from core.envelopes import Outbound
from handlers import notices
from handlers.base import Context, Handler
from nlp import OFF_DUTY, ON_DUTY


class DutyHandler(Handler):
    name = "duty"
    roles = TECHNICIANS
    commands = frozenset({ON_DUTY, OFF_DUTY})

    async def handle(self, ctx: Context) -> list[Outbound]:
        on = ctx.understanding.intent == ON_DUTY
        await ctx.services.staff.update(ctx.person.id, StaffSpec(on_duty=on))
        held = await ctx.services.dispatch.jobs_of(ctx.person.id)
        return [ctx.reply("duty_changed", on_duty=on, jobs=await notices.jobs(ctx, held))]

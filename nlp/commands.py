"""Exact chat commands (CONTRACT.md): technicians, supervisors and customers typing or pressing a button.

A command is the whole message: `接单 SR-20261123-0001`, `decline SR-… 客户不在家`, `完工 换了主板`. Matching is
exact (case-insensitive for English, any spacing) so free text that merely contains 出发 or 确认 is never a command.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.domain.tickets import TICKET_ID, ticket_id_of

from . import understanding as u

# command word → (intent, whether a ticket id may follow, whether free text may follow)
_COMMANDS: dict[str, tuple[str, bool, bool]] = {
    "查询进度": (u.STATUS_QUERY, True, False), "查进度": (u.STATUS_QUERY, True, False),
    "进度": (u.STATUS_QUERY, True, False),
    "status": (u.STATUS_QUERY, True, False),
    "工单": (u.STATUS_QUERY, True, False), "ticket": (u.STATUS_QUERY, True, False),
    "接单": (u.ACCEPT, True, False), "accept": (u.ACCEPT, True, False),
    "拒单": (u.DECLINE, True, True), "decline": (u.DECLINE, True, True),
    "出发": (u.EN_ROUTE, True, False), "en route": (u.EN_ROUTE, True, False), "enroute": (u.EN_ROUTE, True, False),
    "到达": (u.ARRIVED, True, False), "arrived": (u.ARRIVED, True, False),
    "完工": (u.DONE, True, True), "done": (u.DONE, True, True),
    "我的工单": (u.MY_JOBS, False, False), "my jobs": (u.MY_JOBS, False, False),
    "确认": (u.ACKNOWLEDGE, True, False), "ack": (u.ACKNOWLEDGE, True, False),
    "转派": (u.TRANSFER, True, True), "transfer": (u.TRANSFER, True, True),
    "待处理": (u.QUEUE, False, False), "queue": (u.QUEUE, False, False), "my queue": (u.QUEUE, False, False),
    "待客户": (u.PENDING_CUSTOMER, True, True), "等客户": (u.PENDING_CUSTOMER, True, True),
    "pending customer": (u.PENDING_CUSTOMER, True, True), "waiting customer": (u.PENDING_CUSTOMER, True, True),
    "待配件": (u.PENDING_PARTS, True, True), "等配件": (u.PENDING_PARTS, True, True),
    "pending parts": (u.PENDING_PARTS, True, True), "waiting parts": (u.PENDING_PARTS, True, True),
    "继续": (u.RESUME, True, False), "resume": (u.RESUME, True, False),
    "用料": (u.PARTS_USED, True, True), "parts": (u.PARTS_USED, True, True),
    "parts used": (u.PARTS_USED, True, True),
    "工时": (u.LABOUR, True, True), "labour": (u.LABOUR, True, True), "labor": (u.LABOUR, True, True),
    "缺料": (u.PARTS_SHORT, True, True), "parts short": (u.PARTS_SHORT, True, True),
    "missing part": (u.PARTS_SHORT, True, True),
    "预约": (u.APPOINT, True, True), "改约": (u.APPOINT, True, True), "appointment": (u.APPOINT, True, True),
    "reschedule": (u.APPOINT, True, True),
    "上班": (u.ON_DUTY, False, False), "on duty": (u.ON_DUTY, False, False),
    "下班": (u.OFF_DUTY, False, False), "off duty": (u.OFF_DUTY, False, False),
    "取消": (u.CANCEL, True, True), "cancel": (u.CANCEL, True, True),
    "转人工": (u.HUMAN, False, False), "人工": (u.HUMAN, False, False), "人工客服": (u.HUMAN, False, False),
    "human": (u.HUMAN, False, False), "agent": (u.HUMAN, False, False),
    "已解决": (u.SOLVED, True, False), "solved": (u.SOLVED, True, False),
    "未解决": (u.NOT_FIXED, True, True), "not solved": (u.NOT_FIXED, True, True),
    "有帮助": (u.HELPFUL, False, False), "helpful": (u.HELPFUL, False, False),
    "没帮助": (u.NOT_HELPFUL, False, False), "没有帮助": (u.NOT_HELPFUL, False, False),
    "not helpful": (u.NOT_HELPFUL, False, False),
    "回复": (u.REPLY, True, True), "reply": (u.REPLY, True, True),
    "结束": (u.RELEASE, True, False), "release": (u.RELEASE, True, False),
    "绑定": (u.LINK, False, True), "关联": (u.LINK, False, True), "link": (u.LINK, False, True),
    "bind": (u.LINK, False, True),
    "验证码": (u.VERIFY, False, True), "code": (u.VERIFY, False, True),
    "设备": (u.ADD_DEVICE, True, True), "device": (u.ADD_DEVICE, True, True),
}
_COMMAND = re.compile(
    r"^/?(?P<word>" + "|".join(re.escape(w).replace(r"\ ", r"\s*") for w in sorted(_COMMANDS, key=len, reverse=True))
    + r")(?:$|[\s:：,，]+(?P<rest>.*)$|(?P<glued>SR-?\d.*)$)",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Command:
    intent: str
    ticket_id: str | None
    note: str


def match_command(text: str) -> Command | None:
    """The command `text` is, or None; arguments that do not fit the command make it not a command."""
    m = _COMMAND.match(text.strip())
    if m is None:
        return None
    word = re.sub(r"\s+", " ", m.group("word").lower())
    intent, takes_id, takes_note = _COMMANDS[word]
    rest = (m.group("rest") or m.group("glued") or "").strip()
    ticket_id = None
    if takes_id and (t := TICKET_ID.match(rest)):
        ticket_id = ticket_id_of(t)
        rest = rest[t.end():].strip(" \t:：,，")
    if rest and not takes_note:
        return None
    return Command(intent=intent, ticket_id=ticket_id, note=rest)


def note_as_typed(text: str) -> str | None:
    """The free text after a command's word and ticket id exactly as typed (understanding works on normalized
    text, which folds width and script and drops emoji): what a staff member's `回复 SR-… 文本` says to the
    customer. None when the raw text is not a command (say, typed full-width)."""
    command = match_command(text)
    if command is None:
        return None
    m = _COMMAND.match(text.strip())
    assert m is not None
    rest = (m.group("rest") or m.group("glued") or "").strip()
    if command.ticket_id and (t := TICKET_ID.match(rest)):
        rest = rest[t.end():].strip(" \t:：,，")
    return rest

"""Every message template renders in zh and en with the data its handler passes (StrictUndefined catches gaps)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2
import pytest

from templates import LOCALES, TEMPLATE_DIR, labels, phrases
from templates.render import Renderer

CODE = "SR-20240501-0007"
JOB = {"phone": "13812345678", "address": "上海市浦东新区张江路100号3栋", "time": "2024-05-02 14:00", "agreed": True,
       "serial": "SN-1001", "model": "XQG80", "warranty": "in", "purchased": ""}
NO_JOB_DETAILS = {"phone": "", "address": "", "time": "", "agreed": False, "serial": "", "model": "",
                  "warranty": "unknown", "purchased": "2025-11-11"}
DEVICE = {"serial": "SN-1001", "model": "XQG80", "product": "滚筒洗衣机", "warranty": "in", "warranty_end": "2026-02-28"}
UNKNOWN_DEVICE = {"serial": "SN-9", "model": "", "product": "", "warranty": "unknown", "warranty_end": ""}
LINK_OUTCOMES = ("sent", "linked", "already", "ambiguous", "unknown", "unreachable", "no_email", "invalid", "wrong",
                 "expired", "locked", "none")


def card(locale: str, *, status: str = "assigned", priority: str = "P2", code: str = CODE,
         type: str = "repair") -> dict[str, Any]:
    names = labels(locale)
    return {"id": code, "type": type, "type_label": names["types"][type], "status": status,
            "status_label": names["statuses"][status], "priority": priority,
            "priority_label": names["priorities"][priority], "summary": "洗衣机不脱水了，一直响",
            "entities": {"phones": [JOB["phone"]], "addresses": [JOB["address"]]},
            "created_at": "2024-05-01T09:30:00+00:00"}


ACTIONS = [{"id": "accept", "command": f"接单 {CODE}"}, {"id": "decline", "command": f"拒单 {CODE}"}]
ACK = {"id": "ack", "command": f"确认 {CODE}"}
SLOTS = [{"day": "tomorrow", "date": "12-01", "from": "14:00", "to": "16:00"},
         {"day": "", "date": "12-05", "from": "09:00", "to": "11:00"}]
PARTS = [{"sku": "PUMP-01", "name": "排水泵", "quantity": 1}, {"sku": "BELT-2", "name": "皮带", "quantity": 2}]
SHEET_LINES = [{"kind": "parts", "item": "PUMP-01", "name": "排水泵", "quantity": "1", "unit": "120.00",
                "amount": "120.00"},
               {"kind": "parts", "item": "BELT-2", "name": "皮带", "quantity": "2", "unit": "", "amount": ""},
               {"kind": "labour", "item": "labour", "name": "", "quantity": "1.50", "unit": "80.00",
                "amount": "120.00"}]
SHEETS = [{"lines": SHEET_LINES, "total": "240.00", "charged": "0.00", "free": True, "warranty": "in",
           "serial": "SN-1001"},
          {"lines": SHEET_LINES, "total": "240.00", "charged": "240.00", "free": False, "warranty": "out",
           "serial": "SN-1001"},
          {"lines": SHEET_LINES[2:], "total": "120.00", "charged": "120.00", "free": False, "warranty": "unknown",
           "serial": ""},
          {"lines": [], "total": "0.00", "charged": "0.00", "free": False, "warranty": "unknown", "serial": ""}]
QUEUED = {"id": CODE, "type": "repair", "priority": "P2", "status": "new", "summary": "洗衣机不脱水",
          "sla": {"target": "first_response", "state": "breached", "due_at": "2027-02-10 10:00"}}
HAZARDS = ["gas", "fire", "electric", "water_electric"]
ALERT_CARD = {"id": CODE, "type": "repair", "priority": "P1", "status": "assigned", "summary": "燃气灶漏气，有燃气味"}

REPORT = {"timezone": "Asia/Shanghai", "total": 42, "types": [{"value": "repair", "count": 30},
                                                            {"value": "installation", "count": 12}],
          "channels": [{"value": "网页客服", "count": 40}, {"value": "企业微信", "count": 2}],
          "sla": [{"target": "first_response", "total": 42, "met": 38, "breached": 2, "warned": 1, "rate": "95%"},
                  {"target": "resolution", "total": 42, "met": 0, "breached": 0, "warned": 0, "rate": ""}],
          "breaches": 2, "surveys": {"sent": 20, "answered": 12, "csat": "4.3", "nps": "+25"},
          "products": [{"value": "洗衣机", "count": 9}], "models": [{"value": "XQB80-1", "count": 3}],
          "repeats": [{"value": "SN8800123", "count": 2}]}


def variants(locale: str) -> dict[str, list[dict[str, Any]]]:
    """Realistic data per template, one entry per branch worth seeing."""
    t = lambda **kw: card(locale, **kw)  # noqa: E731 - short alias keeps the table readable
    return {
        "ack_done": [{"ticket": t(status="en_route"), "stopped": []},
                     {"ticket": t(status="new"), "stopped": ["first_response", "resolution"]}],
        "alert_acknowledged": [{"ticket": t(), "staff": "陈主管"}],
        "already_taken": [{"code": CODE}],
        "cancel_none": [{}],
        "cancel_refused": [{"ticket": t(status="on_site")}],
        "dispatch_notice": [{"ticket": t(), "job": JOB, "pooled": False, "actions": ACTIONS},
                            {"ticket": t(status="new", priority="P1"), "job": NO_JOB_DETAILS, "pooled": True,
                             "actions": ACTIONS}],
        "dispatch_taken": [{"ticket": t(status="accepted"), "technician": "王师傅"}],
        "job_details_changed": [{"ticket": t(status="accepted"), "job": JOB, "changed": ["phones"]},
                                {"ticket": t(status="en_route"), "job": JOB, "changed": ["phones", "addresses"]}],
        "greeting": [{}, {"upset": True}, {"machine": True, "upset": True}],
        "customer_unreachable": [{"ticket": t()}],
        "handover_alert": [{"ticket": t(status="new"), "thread_ticket": CODE, "customer": "张先生", "reason": "asked",
                            "messages": [{"customer": True, "text": "洗衣机不脱水了"},
                                         {"customer": True, "text": "转人工"}]},
                           {"ticket": t(priority="P1"), "thread_ticket": CODE, "customer": "", "reason": "angry",
                            "messages": []}],
        "handover_ended": [{"ticket": t(), "customer": "张先生"}],
        "handover_joined": [{"ticket": t(), "staff": "客服小周"}, {"ticket": t(), "staff": ""}],
        "handover_none": [{"ticket": t()}],
        "handover_relay": [{"ticket": t(), "customer": "张先生", "text": "师傅几点到？"}],
        "handover_released": [{"ticket": t()}],
        "handover_waiting": [{"ticket": t(status="new"), "again": False, "reason": "asked"},
                             {"ticket": t(status="new"), "again": True, "reason": "angry"},
                             {"ticket": t(status="new"), "again": False, "reason": "complaint"}],
        "job_withdrawn": [{"ticket": t()}],
        "release_done": [{"ticket": t()}],
        "reply_sent": [{"ticket": t()}],
        "reply_which": [{}],
        "staff_reply": [{"ticket": t(), "staff": "客服小周", "text": "师傅明天上午到，请保持电话畅通。"},
                        {"ticket": t(), "staff": "", "text": "已为您加急处理。"}],
        "help": [{}],
        "job_accepted": [{"ticket": t(status="accepted"), "job": JOB}],
        "job_declined": [{"ticket": t(status="new"), "reason": "今天排满了"}, {"ticket": t(status="new"), "reason": ""}],
        "job_illegal": [{"ticket": t(status="en_route"), "command": c}
                        for c in ("accept", "decline", "en_route", "arrived", "done", "transfer", "pending_customer",
                                  "pending_parts", "resume")],
        "job_not_yours": [{"code": CODE}],
        "job_transferred": [{"ticket": t(), "technician": "李师傅"}],
        "job_offer_expired": [{"ticket": t(), "minutes": 15}],
        "pool_claimed": [{"ticket": t(status="accepted"), "technician": "王师傅"}],
        "job_status": [{"ticket": t(status=s), "note": n, "parts": p, "sheet": sheet}
                       for s, n, p, sheet in (("en_route", "", [], None), ("on_site", "", [], None),
                                              ("resolved", "已更换排水泵", PARTS, SHEETS[0]),
                                              ("resolved", "", [], SHEETS[3]))],
        "labour_recorded": [{"ticket": t(status="on_site"), "hours": "1.50", "sheet": sheet} for sheet in SHEETS[:3]],
        "labour_bad": [{"text": "一会儿", "code": CODE}],
        "parts_recorded": [{"ticket": t(status="on_site"), "added": PARTS[:1], "parts": PARTS}],
        "parts_bad_line": [{"word": w, "command": c} for w, c in (("两个", "parts_used"), ("", "parts_short"))],
        "part_unknown": [{"sku": "PUMP-99"}],
        "parts_short_done": [{"ticket": t(status="pending_parts"), "parts": PARTS}],
        "parts_shortage_alert": [{"ticket": ALERT_CARD, "technician": "王师傅", "assignee": "王师傅",
                                  "parts": PARTS}],
        "part_out_of_stock": [{"ticket": t(status="on_site"), "sku": "PUMP-01", "name": "排水泵", "quantity": 1}],
        "low_stock_alert": [{"sku": "PUMP-01", "name": "排水泵", "stock": 2, "low_stock": 2}],
        "parts_arrived": [{"ticket": t(status="on_site")}],
        "visit_offer": [{"ticket": t(status="accepted"), "technician": "王师傅", "slots": SLOTS,
                         "actions": [{"id": "slot1", "label": "12-01 14:00", "command": f"预约 {CODE} 2024-12-01 14:00"}]}],
        "visit_agreed": [{"ticket": t(status="accepted"), "technician": "王师傅", "visit": SLOTS[0], "moved": m,
                          "by_customer": c} for m in (False, True) for c in (False, True)],
        "visit_reminder": [{"ticket": t(status="accepted"), "technician": "王师傅", "visit": SLOTS[1], "job": JOB,
                            "for_customer": c} for c in (True, False)],
        "visit_not_now": [{"ticket": t(status="on_site")}],
        "visit_none": [{}],
        "duty_changed": [{"on_duty": True, "jobs": []},
                         {"on_duty": False, "jobs": [{"ticket": t(status="accepted"), "job": JOB}]}],
        "my_jobs": [{"jobs": []}, {"jobs": [{"ticket": t(status="accepted"), "job": JOB},
                                            {"ticket": t(code="SR-20240501-0009"), "job": NO_JOB_DETAILS}]}],
        "no_active_job": [{}],
        "pause_done": [{"ticket": t(status=s), "note": n} for s, n in (("pending_customer", "客户出差，下周回来"),
                                                                       ("pending_parts", ""), ("accepted", ""))],
        "queue": [{name: {"count": 0, "tickets": []} for name in ("unassigned", "breached", "warned")},
                  {"unassigned": {"count": 12, "tickets": [QUEUED, {**QUEUED, "sla": None}]},
                   "breached": {"count": 1, "tickets": [QUEUED]}, "warned": {"count": 0, "tickets": []}}],
        "not_understood": [{}],
        "received_media": [{"kinds": ["image"]}, {"kinds": ["voice"]}, {"kinds": ["location"]}, {"kinds": []}],
        "media_not_kept": [{"kind": k, "name": n, "reason": r} for k, n, r in (
            ("image", "", "too_large"), ("file", "发票.pdf", "type_mismatch"), ("file", "logs.zip", "bomb"),
            ("voice", "", "gone"), ("video", "", "unreadable"))],
        "report_summary": [{**REPORT, "report": "daily", "first_day": "2027-02-10", "last_day": "2027-02-10"},
                           {**REPORT, "report": "weekly", "first_day": "2027-02-08", "last_day": "2027-02-14",
                            "types": [], "channels": [], "products": [], "models": [], "repeats": [],
                            "surveys": {"sent": 0, "answered": 0, "csat": "", "nps": ""}}],
        "sla_alert": [{"ticket": ALERT_CARD, "target": target, "level": level, "due_at": "2027-02-10 14:30",
                       "assignee": assignee, "actions": [] if level == 0 else [ACK]}
                      for target, level, assignee in (("first_response", 0, ""), ("first_response", 1, "王师傅"),
                                                      ("resolution", 2, ""))],
        "staff_help": [{"role": role} for role in ("technician", "agent", "supervisor", "manager", "admin")],
        "staff_status_which": [{}],
        "staff_ticket": [{"ticket": t(status="en_route"), "job": JOB, "assignee": "王师傅", "paused": False,
                          "sla": [{"target": "first_response", "state": "ok", "due_at": "2027-02-10 10:00"},
                                  {"target": "resolution", "state": "breached", "due_at": "2027-02-11 18:00"}],
                          "messages": [{"at": "2027-02-10 09:01", "author": "customer", "text": "洗衣机不脱水"},
                                       {"at": "2027-02-10 09:30", "author": "technician", "text": "明天上午到"}]},
                         {"ticket": t(status="pending_parts"), "job": NO_JOB_DETAILS, "assignee": "", "paused": True,
                          "sla": [], "messages": []}],
        "status_none": [{}],
        "status_report": [{"tickets": [{**t(), "device": None}], "visits": {}},
                          {"tickets": [{**t(status="accepted"), "device": None}],
                           "visits": {CODE: {"technician": "王师傅", **SLOTS[0]}}},
                          {"tickets": [{**t(), "device": {"serial": "SN-1001", "model": "XQG80", "warranty": w}}
                                       for w in ("in", "out", "unknown")]
                           + [{**t(status="resolved", code="SR-20240430-0002"), "device": None}], "visits": {}},
                          *({"tickets": [{**t(), "device": None}], "visits": {}, "chases": n} for n in (1, 3)),
                          {"tickets": [{**t(), "device": None, "missing": ["phone", "address"]}], "visits": {}},
                          {"tickets": [{**t(), "device": None}], "visits": {}, "unmatched": "冰箱"}],
        "ticket_chased": [{"ticket": ALERT_CARD, "chases": n, "text": "怎么还没人联系我？？都等了一上午了",
                           "assignee": name} for n, name in ((1, "王师傅"), (2, ""))],
        "device_scanned": [{"device": DEVICE, "ticket": t()}, {"device": UNKNOWN_DEVICE, "ticket": None}],
        "device_added": [{"ticket": t(), "device": DEVICE, "shared": 0},
                         {"ticket": t(), "device": {**DEVICE, "warranty": "out"}, "shared": 12}],
        "device_which": [{"serial": ""}, {"serial": "SN 1"}],
        "warranty_status": [{"device": DEVICE}, {"device": {**DEVICE, "warranty": "out"}}, {"device": UNKNOWN_DEVICE}],
        "ticket_duplicate": [{"ticket": t(), "missing": [], "safety": []},
                             {"ticket": t(status="new"), "missing": ["address"], "safety": ["gas"]}],
        "link_code": [{"code": "042917", "asker_channel": c, "minutes": 10} for c in ("webchat", "slack", "email")],
        "link_result": [{"outcome": o, "value": "13812345678", "to": "email" if o == "sent" else "",
                         "where": "ch***@example.com", "minutes": 10} for o in LINK_OUTCOMES],
        "status_unknown_ticket": [{"code": CODE}],
        "thanks": [{"thanked": True}, {"thanked": False},
                   {"thanked": True, "ticket": t(status="new"), "missing": ["phone"]},
                   {"praised": True}, {"praised": True, "kept": CODE},
                   {"praised": True, "ticket": t(status="new"), "missing": ["phone"]}],
        "ticket_cancelled": [{"ticket": t(status="cancelled")}],
        "ticket_opened": [{"ticket": t(status="new"), "missing": ["phone", "address"], "safety": [], "several": None},
                          {"ticket": t(status="new", type="inquiry"), "missing": [], "safety": [], "several": None},
                          {"ticket": t(status="new", priority="P2"), "missing": ["phone"], "safety": [], "several": None,
                           "upset": True},
                          {"ticket": t(status="new"), "missing": ["phone"], "safety": [], "several": None,
                           "chased": True},
                          {"ticket": t(status="new", priority="P1"), "missing": [], "safety": [], "several": None},
                          {"ticket": t(status="new", priority="P1"), "missing": ["address"], "safety": HAZARDS,
                           "several": None},
                          {"ticket": t(status="new"), "missing": ["phone"], "safety": [],
                           "several": {"part": 1, "of": 2}},
                          {"ticket": t(status="new"), "missing": ["phone"], "safety": [],
                           "several": {"part": 2, "of": 2}}],
        "ticket_progress": [{"ticket": t(status=s), "technician": "王师傅", "note": n}
                            for s, n in (("accepted", ""), ("en_route", ""), ("on_site", ""),
                                         ("pending_customer", "请确认购买日期"), ("pending_parts", "主板缺货"),
                                         ("resolved", "已更换排水泵"))],
        "detail_waived": [{"ticket": t(status="new"), "field": field, "missing": missing}
                          for field, missing in (("phone", ["address"]), ("time", []), ("order", []),
                                                 ("serial", []))],
        "detail_needed": [{"ticket": t(status="new"), "field": "address"}],
        "address_unknown": [{}],
        "ask_problem": [*({"kind": kind} for kind in ("repair", "installation", "maintenance", "return", "complaint",
                                                       "invoice", "")), {"kind": "", "product": "空调"},
                        {"kind": "repair", "product": "空调"},
                        {"kind": "", "noted": [["phones", "13912345678"], ["addresses", "上海市浦东新区张江路100号"]]}],
        "request_withdrawn": [{}],
        "request_filed": [{"ticket": t(status="new"), "missing": ["phone", "address"]},
                          {"ticket": t(status="new"), "missing": [], "besides": True},
                          {"ticket": t(status="new"), "missing": []}],
        "request_dropped": [{}],
        "ticket_not_visible": [{"code": CODE}],
        "ticket_unknown": [{"code": CODE}],
        "ticket_updated": [{"ticket": t(status="new"), "added": ["phones"], "missing": ["address"], "safety": []},
                           {"ticket": t(status="new"), "added": [], "missing": ["phone"], "safety": [],
                            "unread_phone": "1381234567"},
                           {"ticket": t(status="new"), "added": [], "missing": ["phone"], "safety": [],
                            "repeated": True},
                           {"ticket": t(status="assigned"), "added": [], "missing": [], "safety": [], "repeated": True},
                           {"ticket": t(status="new", type="inquiry"), "added": [], "missing": [], "safety": []},
                           {"ticket": t(status="assigned"), "added": ["addresses"], "missing": [], "safety": []},
                           {"ticket": t(status="new", priority="P1"), "added": [], "missing": [],
                            "safety": ["water_electric"]},
                           {"ticket": t(status="new"), "added": [], "missing": ["phone"], "safety": [],
                            "question": True}],
        "urgent_alert": [{"ticket": ALERT_CARD, "hazards": HAZARDS, "job": JOB},
                         {"ticket": ALERT_CARD, "hazards": [], "job": NO_JOB_DETAILS}],
        "queue_alert": [{"ticket": {**ALERT_CARD, "type": "invoice", "priority": "P3"}}],
        "question_alert": [{"ticket": ALERT_CARD, "question": "保修期多久"}],
        "job_unassignable": [{"ticket": ALERT_CARD, "reason": r, "job": JOB}
                             for r in ("no_skill", "all_declined", "unreachable", "pool_timeout")],
        "inbox_apology": [{"reference": "IN-4711"}],
        "inbox_failed": [{"reference": "IN-4711", "channel": "webchat", "sender": "张先生",
                          "text": "[点此领取补贴](http://evil.example/claim) 洗衣机不脱水"}],
        "offer_undeliverable": [{"ticket": ALERT_CARD, "job": JOB, "technician": "钱师傅", "channel": "slack",
                                 "reason": "not_configured", "moved": True},
                                {"ticket": {**ALERT_CARD, "status": "new"}, "job": NO_JOB_DETAILS, "technician": "",
                                 "channel": "wecom", "reason": "refused", "moved": False}],
        "cancel_which": [{"tickets": [t(), t(status="new", code="SR-20240501-0009")],
                          "actions": [{"id": "cancel", "label": CODE, "command": f"取消 {CODE}"}]}],
        "cancel_offered": [{"ticket": t(status="new"), "missing": ["phone"],
                            "actions": [{"id": "cancel", "command": f"取消 {CODE}"}]},
                           {"ticket": t(status="assigned"), "missing": [],
                            "actions": [{"id": "cancel", "command": f"取消 {CODE}"}]}],
        "confirm_none": [{}],
        "confirm_resolved": [{"ticket": t(status="resolved"), "technician": who, "note": n, "photos": p, "sheet": sheet,
                              "actions": [{"id": "solved", "command": f"已解决 {CODE}"},
                                          {"id": "not_fixed", "command": f"未解决 {CODE}"}]}
                             for n, p, sheet in (("已更换排水泵", ["https://service.example.com/media/" + "k" * 43],
                                                  SHEETS[0]), ("", [], SHEETS[3]), ("", [], SHEETS[1]),
                                                 ("", [], SHEETS[2])) for who in ("王师傅", "")]
                            + [{"ticket": t(status="resolved"), "retry": True,
                                "actions": [{"id": "solved", "command": f"已解决 {CODE}"}]}],
        "job_photo_added": [{"code": CODE, "count": 1}, {"code": CODE, "count": 3}],
        "photo_link": [{"link": "https://service.example.com/media/" + "k" * 43}],
        "job_cancelled": [{"ticket": t(status="cancelled"), "reason": r} for r in ("已经好了", "")],
        "job_reopened": [{"ticket": t(), "job": JOB, "pooled": False, "actions": ACTIONS, "note": "还是不脱水"},
                         {"ticket": t(status="new"), "job": NO_JOB_DETAILS, "pooled": True, "actions": ACTIONS,
                          "note": ""}],
        "kb_answer": [{"article": "return-policy", "title": "七天无理由退货", "body": "签收后 **7 天内**可以退货。",
                       "actions": [{"id": "helpful", "command": "有帮助"}, {"id": "not_helpful", "command": "没帮助"}]},
                      {"article": "return-policy", "title": "七天无理由退货", "body": "签收后 **7 天内**可以退货。",
                       "ticket": t(status="new"), "missing": ["phone"]},
                      {"article": "return-policy", "title": "七天无理由退货", "body": "签收后 **7 天内**可以退货。",
                       "beside": True}],
        "kb_thanks": [{}],
        "survey_comment": [{"code": CODE, "low": low, "actions": [{"id": "skip", "command": "跳过"}]}
                           for low in (True, False)],
        "survey_csat": [{"code": CODE, "low": False, "retry": retry, "actions": [{"id": f"csat_{n}", "command": str(n)}
                                                                                 for n in range(1, 6)]}
                        for retry in (False, True)],
        "survey_low_score": [{"code": CODE, "follow_up": "SR-20240502-0001", "csat": 1, "nps": 2,
                              "comment": "师傅迟到了两个小时"},
                             {"code": CODE, "follow_up": "SR-20240502-0001", "csat": 2, "nps": None,
                              "comment": ""}],
        "survey_nps": [{"code": CODE, "low": low, "actions": []} for low in (True, False)]
                      + [{"code": CODE, "low": False, "retry": True, "actions": []}],
        "survey_reminder": [{"code": CODE, "actions": [{"id": f"csat_{n}", "command": str(n)}
                                                         for n in range(1, 6)]}],
        "survey_thanks": [{"code": CODE, "low": low} for low in (True, False)],
        "ticket_closed": [{"ticket": t(status="closed")}, {"ticket": t(status="closed"), "remark": True,
                                                           "praised": True},
                          {"ticket": t(status="closed"), "remark": True, "praised": False}],
        "ticket_reopened": [{"ticket": t(), "technician": "王师傅"}, {"ticket": t(status="new"), "technician": ""}],
        "transfer_done": [{"ticket": t(), "technician": "李师傅", "previous": "王师傅"},
                          {"ticket": t(), "technician": "李师傅", "previous": ""}],
        "transfer_unknown": [{"name": "钱师傅"}],
        "which_ticket": [{"command": c} for c in ("acknowledge", "transfer", "pending_customer", "pending_parts",
                                                   "resume")],
        "which_job": [{"command": "arrived", "jobs": [t(status="accepted"), t(status="en_route",
                                                                             code="SR-20240501-0009")]}],
    }


def test_every_template_has_sample_data() -> None:
    assert set(Renderer().names()) == set(variants("zh"))


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", Renderer().names())
def test_template_renders(name: str, locale: str) -> None:
    renderer = Renderer()
    for data in variants(locale)[name]:
        rendered = renderer.render(name, data, locale)
        assert rendered.markdown and "{{" not in rendered.markdown and "{%" not in rendered.markdown
        assert not re.search(r"\n{3,}", rendered.markdown), rendered.markdown
        for action in rendered.actions:
            assert action.command in rendered.text and action.label != action.id


def test_dispatch_notice_shows_the_job_and_both_buttons() -> None:
    rendered = Renderer().render("dispatch_notice", variants("zh")["dispatch_notice"][0], "zh")
    assert CODE in rendered.subject and JOB["address"] in rendered.text and JOB["phone"] in rendered.text
    assert [a.label for a in rendered.actions] == ["接单", "拒单"]
    english = Renderer().render("dispatch_notice", variants("en")["dispatch_notice"][1], "en")
    assert "Open job" in english.subject and "Urgent" in english.text


@pytest.mark.parametrize(("locale", "label"), [("zh", "问题："), ("en", "Problem: ")])
def test_status_report_gives_the_problem_a_line_of_its_own(locale: str, label: str) -> None:
    rendered = Renderer().render("status_report", variants(locale)["status_report"][0], locale)
    lines = rendered.text.splitlines()
    assert [line for line in lines if label in line] == [line for line in lines if line.startswith(label)] != []


@pytest.mark.parametrize("group", sorted({p.stem for p in (TEMPLATE_DIR / "zh").glob("*.toml")}))
def test_every_phrase_exists_in_every_locale(group: str) -> None:
    def keys(table: dict, prefix: str = "") -> set[str]:
        return {f"{prefix}{k}" for k in table} | {key for k, v in table.items() if isinstance(v, dict)
                                                  for key in keys(v, f"{prefix}{k}.")}

    tables = {locale: phrases(locale, group) for locale in LOCALES}
    assert all(keys(t) == keys(tables["zh"]) for t in tables.values()), group


def test_customer_text_is_marked_for_each_channel_and_final_in_text_and_html() -> None:
    ticket = {**card("zh"), "summary": "<b>**急**</b> 见 http://evil.example/x @all"}
    rendered = Renderer().render("dispatch_taken", {"ticket": ticket, "technician": "王师傅"}, "zh")
    written = "<b>**急**</b> 见 http[:]//evil[.]example/x ＠all"
    assert f"问题：{written}" in rendered.text
    assert "&lt;b&gt;**急**&lt;/b&gt;" in rendered.page() and "<b>王师傅</b>" not in rendered.page()
    assert f"问题：«{written}»" in rendered.markup(quote=lambda text: f"«{text}»")
    assert f"问题：{written}" in rendered.markup(str.upper), "a channel's markup never reads customer text"
    assert not re.search("[\x0e\x0f]", rendered.text + rendered.page() + rendered.subject + rendered.markup())


@pytest.mark.parametrize(("locale", "lines"), [("zh", ["电话：13912345678", "时间：12-02 周三 14:00"]),
                                               ("en", ["Phone: 13912345678", "Time: 12-02 Wed 14:00"])])
def test_a_detail_added_is_read_back_so_a_mistyped_one_is_caught(locale: str, lines: list[str]) -> None:
    ticket = {**card(locale, status="new"), "entities": {
        "phones": ["13800000000", "13912345678"], "times": ["2026-12-02T06:00:00+00:00"], "products": ["洗衣机"]}}
    rendered = Renderer().render("ticket_updated", {"ticket": ticket, "added": ["phones", "times", "products"],
                                                    "missing": [], "safety": []}, locale)
    assert rendered.text.splitlines()[1:3] == lines


@pytest.mark.parametrize(("locale", "lines"), [("zh", ["您好，您的预约我们已经记录下来了。", "电话：13912345678",
                                                       "时间：12-02 周三 14:00"]),
                                               ("en", ["Thank you, we have recorded your booking.",
                                                       "Phone: 13912345678", "Time: 12-02 Wed 14:00"])])
def test_details_told_with_a_new_booking_are_read_back(locale: str, lines: list[str]) -> None:
    """"预约明天上午安装空调，地址…，电话…" was answered without a word of the time, address or phone taken."""
    ticket = {**card(locale, status="new"), "type": "installation", "entities": {
        "phones": ["13912345678"], "times": ["2026-12-02T06:00:00+00:00"], "products": ["空调"]}}
    text = Renderer().render("ticket_opened", {"ticket": ticket, "missing": [], "safety": [], "several": None},
                             locale).text.splitlines()
    assert [text[0], *text[3:5]] == lines


@pytest.mark.parametrize(("locale", "line"), [("zh", "时间：12-03 周四 09:00–12:00"),
                                              ("en", "Time: 12-03 Thu 09:00–12:00")])
def test_a_time_asked_for_as_a_span_is_read_back_as_one(locale: str, line: str) -> None:
    """"预约明天上午安装" was read back as "09:00", as if nine o'clock had been asked for."""
    ticket = {**card(locale, status="new"), "type": "installation", "entities": {
        "phones": ["13912345678"], "times": ["2026-12-03T09:00:00+08:00/2026-12-03T12:00:00+08:00"]}}
    text = Renderer().render("ticket_opened", {"ticket": ticket, "missing": [], "safety": [], "several": None},
                             locale).text.splitlines()
    assert line in text


@pytest.mark.parametrize(("locale", "line"), [("zh", "您希望的上门时间：12-03 周四 09:00–12:00，师傅接单后会与您确认。"),
                                              ("en", "The visit time you asked for: 12-03 Thu 09:00–12:00; the technician "
                                                     "confirms it on accepting the job.")])
def test_the_time_asked_for_is_in_the_status_answer_until_a_visit_is_agreed(locale: str, line: str) -> None:
    """"师傅几点到" before anyone took the job was answered "我们正在安排处理", without the time the customer asked for."""
    times = {"times": ["2026-12-03T09:00:00+08:00/2026-12-03T12:00:00+08:00"]}
    ticket = {**card(locale, status="new"), "type": "installation", "entities": times, "device": None}
    asked = Renderer().render("status_report", {"tickets": [ticket], "visits": {}}, locale).text.splitlines()
    assert line in asked
    accepted = {**ticket, "status": "accepted"}
    assert line not in Renderer().render("status_report", {"tickets": [accepted], "visits": {}}, locale).text


@pytest.mark.parametrize(("locale", "agreed", "asked"), [
    ("zh", "预约时间：2024-05-02 14:00", "客户希望上门：2024-05-02 09:00–12:00"),
    ("en", "Appointment: 2024-05-02 14:00", "Customer asked for: 2024-05-02 09:00–12:00")])
def test_a_job_offer_tells_an_agreed_visit_from_a_time_only_asked_for(locale: str, agreed: str, asked: str) -> None:
    """The offer read "预约时间" for the time the customer had only asked for, as if the visit were agreed."""
    def offer(job: dict) -> list[str]:  # type: ignore[type-arg]
        data = {"ticket": card(locale), "job": job, "pooled": False, "actions": []}
        return Renderer().render("dispatch_notice", data, locale).text.splitlines()
    assert agreed in offer(JOB)
    assert asked in offer({**JOB, "agreed": False, "time": "2024-05-02 09:00–12:00"})


@pytest.mark.parametrize(("locale", "line"), [("zh", "客服会在这里答复您。"), ("en", "Our staff will answer you here.")])
def test_more_words_on_a_question_say_staff_will_answer_each_time(locale: str, line: str) -> None:
    """"我家在郊区，能上门吗" after "你们支持以旧换新吗" got only "已补充到工单…，谢谢！": whether anyone would answer
    was said once, when the question was first filed."""
    ticket = {**card(locale, status="new"), "type": "inquiry"}
    data = {"ticket": ticket, "added": [], "missing": [], "safety": [], "completed": False}
    assert Renderer().render("ticket_updated", data, locale).text.splitlines()[-1] == line


@pytest.mark.parametrize(("locale", "line"), [("zh", "问题：热水器不加热"), ("en", "Problem: 热水器不加热")])
def test_each_ticket_of_a_message_telling_of_several_problems_says_which_it_is(locale: str, line: str) -> None:
    """"热水器和洗衣机都坏了，…" got two cards alike but for their numbers: nobody could tell which was which."""
    ticket = {**card(locale, status="new"), "summary": "热水器不加热"}
    text = Renderer().render("ticket_opened", {"ticket": ticket, "missing": [], "safety": [],
                                               "several": {"part": 1, "of": 2}}, locale).text.splitlines()
    assert line in text


def test_a_day_named_in_a_question_is_not_read_back_as_a_booking() -> None:
    """"你们周末上门吗" was answered "时间：12-05 周六 09:00", as if a visit had been booked."""
    ticket = {**card("zh", status="new"), "type": "inquiry", "entities": {"times": ["2026-12-05T01:00:00+00:00"]}}
    text = Renderer().render("ticket_opened", {"ticket": ticket, "missing": [], "safety": [], "several": None},
                             "zh").text
    assert "时间" not in text and "客服会在这里答复您" in text


def test_a_table_in_an_answer_reaches_the_chat_as_lines() -> None:
    """No chat window draws a Markdown table: each row is a line, its first cell bold, the header dropped."""
    body = "常见代码：\n\n| 代码 | 含义 | 处理 |\n|---|---|---|\n| E1 | 点火失败 | 打开燃气阀门 |\n| E4 | 传感器异常 | 断电重启 |\n\n仍不行请报修。"
    rendered = Renderer().render("kb_answer", {"article": "codes", "title": "代码", "body": body, "actions": []}, "zh")
    assert "|" not in rendered.text and "---" not in rendered.text
    assert "E1 点火失败：打开燃气阀门\nE4 传感器异常：断电重启" in rendered.text
    assert "**E4** 传感器异常：断电重启" in rendered.markdown and "仍不行请报修。" in rendered.text


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_an_address_in_latin_letters_is_read_back_without_the_region_added_for_dispatch(locale: str) -> None:
    address = "北京市朝阳区 88 Jianguo Road, Chaoyang District, Beijing"
    ticket = {**card(locale, status="new"), "entities": {"addresses": [address]}}
    rendered = Renderer().render("ticket_updated", {"ticket": ticket, "added": ["addresses"], "missing": [],
                                                    "safety": []}, locale)
    assert "88 Jianguo Road, Chaoyang District, Beijing" in rendered.text and "北京市朝阳区" not in rendered.text
    noted = Renderer().render("ask_problem", {"kind": "", "product": "", "noted": [("addresses", address)]}, locale)
    assert "北京市朝阳区" not in noted.text


def test_a_name_in_the_data_reads_its_item_and_a_name_of_a_dict_method_the_method(tmp_path: Path) -> None:
    """Items are read first for speed; Jinja's meaning stays: `.get` of a dict is its method even when the data
    has a "get" of its own, and a name the data lacks is still an error (StrictUndefined)."""
    for locale in LOCALES:
        (tmp_path / locale).mkdir()
        (tmp_path / locale / "probe.md.j2").write_text(
            "{{ ticket.priority }} {{ ticket.get('code') }} {{ ticket.entities.items()|list|length }}", "utf-8")
        (tmp_path / locale / "gap.md.j2").write_text("{{ ticket.missing }}", "utf-8")
    (tmp_path / "_action_line.j2").write_text("{{ n }}. {{ action.label }}", "utf-8")
    renderer = Renderer(template_dir=tmp_path)
    ticket = {"priority": "P1", "code": "SR-1", "get": "not the method", "entities": {"phones": ["1"]}}
    assert renderer.render("probe", {"ticket": ticket}, "zh").text == "P1 SR-1 1"
    with pytest.raises(jinja2.UndefinedError, match="missing"):
        renderer.render("gap", {"ticket": ticket}, "zh")

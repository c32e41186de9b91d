"""The customer's half of a job: asked whether it is fixed when the technician reports 完工, yes closes it, no (then
or later within the reopen window) reopens the same ticket and sends it back to the technician, silence closes it;
the satisfaction survey after closure; 取消 with several open tickets."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.services.stats import StatsService
from core.storage.models import Survey, Ticket

CUSTOMER = "web:loop"
REPAIR = "洗衣机不脱水了，一直响，电话13812345678，地址上海市浦东新区张江路100号3栋"
DAY = 86400


def _templates(out: list[dict]) -> list[str]:
    return [o["template"] for o in out]


async def _resolved(desk, customer: str = CUSTOMER) -> str:  # type: ignore[no-untyped-def]
    """A repair opened by `customer`, worked by 王师傅 to 完工; returns its code."""
    out = await desk.say("webchat", customer, REPAIR)
    code = out[0]["data"]["ticket"]["id"]
    for command in (f"接单 {code}", f"出发 {code}", f"到达 {code}"):
        await desk.say("wecom", "wangshifu", command)
    out = await desk.say("wecom", "wangshifu", f"完工 {code} 已更换排水泵")
    assert _templates(out) == ["job_status", "confirm_resolved"]
    ask = out[1]
    assert (ask["channel"], ask["recipient"], ask["conversation"]) == ("webchat", customer, customer)
    assert ask["data"]["note"] == "已更换排水泵" and ask["data"]["technician"] == "王师傅"
    assert ask["data"]["actions"] == [{"id": "solved", "command": f"已解决 {code}"},
                                      {"id": "not_fixed", "command": f"未解决 {code}"}]
    return code


def _surveys(out: list[dict]) -> list[dict]:
    """What of `out` the survey sent, without the new ticket's own job (its offer going unanswered, its SLA)."""
    return [o for o in out if o["template"].startswith("survey")]


async def _statuses(desk, code: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(e.actor, e.after["status"]) for e in await desk.events(code, "status")]


async def _survey(desk, code: str) -> Survey:  # type: ignore[no-untyped-def]
    async with desk.hub.sessions() as session:
        return await session.scalar(select(Survey).join(Ticket, Ticket.id == Survey.ticket_id)
                                    .where(Ticket.code == code))


async def test_yes_closes_then_the_survey_asks_csat_nps_and_a_comment(desk) -> None:  # type: ignore[no-untyped-def]
    code = await _resolved(desk)
    out = await desk.say("webchat", CUSTOMER, "1")
    assert _templates(out) == ["ticket_closed"]
    ticket = await desk.ticket(code)
    assert ticket.status == "closed"
    assert (await _statuses(desk, code))[-1][1] == "closed"
    assert [e.action for e in await desk.events(code)][-2:] == ["status", "survey_scheduled"]

    assert await desk.later(30) == [], "the survey waits for [survey] delay"
    [ask] = await desk.later(30)
    assert ask["template"] == "survey_csat" and ask["recipient"] == CUSTOMER
    assert [a["command"] for a in ask["data"]["actions"]] == ["1", "2", "3", "4", "5"]

    assert _templates(await desk.say("webchat", CUSTOMER, "非常满意")) == ["survey_nps"]
    assert _templates(await desk.say("webchat", CUSTOMER, "9")) == ["survey_comment"]
    assert _templates(await desk.say("webchat", CUSTOMER, "师傅很专业，准时到")) == ["survey_thanks"]
    survey = await _survey(desk, code)
    assert (survey.status, survey.csat, survey.nps, survey.comment) == ("answered", 5, 9, "师傅很专业，准时到")
    answered = [e.after for e in await desk.events(code, "survey_answered")]
    assert answered == [{"csat": 5}, {"nps": 9}, {"comment": "师傅很专业，准时到"}]

    async with desk.hub.sessions() as session:
        figures = await StatsService(session=session).satisfaction()
    assert (figures.sent, figures.answered, figures.csat_average, figures.nps) == (1, 1, 5.0, 100.0)
    assert await desk.later(4 * DAY) == [], "an answered survey is neither reminded nor expired"


async def test_the_fault_told_again_at_the_question_reopens_the_ticket(desk) -> None:  # type: ignore[no-untyped-def]
    """"还是响，晚上吵得睡不着" answering "问题解决了吗？" once opened a second ticket that asked for the address again."""
    code = await _resolved(desk)
    out = await desk.say("webchat", CUSTOMER, "还是响，晚上吵得睡不着")
    assert _templates(out)[0] == "ticket_reopened" and out[0]["data"]["ticket"]["id"] == code
    assert (await desk.said(code))[-1] == "还是响，晚上吵得睡不着"


async def test_praise_after_the_yes_closes_the_ticket_and_opens_none(desk) -> None:  # type: ignore[no-untyped-def]
    """"修好了，师傅很专业" answering "问题解决了吗？" once opened a new repair ticket asking for an address, and the job
    was never confirmed."""
    code = await _resolved(desk)
    out = await desk.say("webchat", CUSTOMER, "修好了，师傅很专业")
    assert _templates(out) == ["ticket_closed"] and out[0]["data"]["remark"]
    assert (await desk.ticket(code)).status == "closed"
    assert (await desk.said(code))[-1] == "修好了，师傅很专业"
    [ask] = await desk.later(60)
    assert ask["template"] == "survey_csat"


async def test_the_device_told_working_again_closes_the_ticket(desk) -> None:  # type: ignore[no-untyped-def]
    """"门开了，谢谢" answering "问题解决了吗？" once opened a new repair ticket asking for an address."""
    code = await _resolved(desk)
    out = await desk.say("webchat", CUSTOMER, "门开了，谢谢")
    assert _templates(out) == ["ticket_closed"]
    assert (await desk.ticket(code)).status == "closed"
    [ask] = await desk.later(60)
    assert ask["template"] == "survey_csat"


async def test_the_device_told_out_of_order_at_the_question_reopens_the_ticket(desk) -> None:  # type: ignore[no-untyped-def]
    code = await _resolved(desk)
    out = await desk.say("webchat", CUSTOMER, "不能用了")
    assert _templates(out)[0] == "ticket_reopened" and out[0]["data"]["ticket"]["id"] == code


async def test_a_number_that_is_no_answer_asks_is_it_solved_again(desk) -> None:  # type: ignore[no-untyped-def]
    """"4" (taken for a score) answering "问题解决了吗？" was met with the opening hello."""
    code = await _resolved(desk)
    [again] = await desk.say("webchat", CUSTOMER, "4")
    assert (again["template"], again["data"]["retry"]) == ("confirm_resolved", True)
    assert again["data"]["actions"] == [{"id": "solved", "command": f"已解决 {code}"},
                                        {"id": "not_fixed", "command": f"未解决 {code}"}]
    assert (await desk.ticket(code)).status == "resolved"
    out = await desk.say("webchat", CUSTOMER, "1")
    assert _templates(out) == ["ticket_closed"]


async def test_a_complaint_after_the_yes_closes_the_job_and_is_filed_on_its_own(desk) -> None:  # type: ignore[no-untyped-def]
    code = await _resolved(desk)
    out = await desk.say("webchat", CUSTOMER, "解决了，但是师傅态度太差了，还迟到一个小时")
    assert _templates(out)[:2] == ["ticket_closed", "ticket_opened"]
    assert (await desk.ticket(code)).status == "closed"
    complaint = out[1]["data"]["ticket"]
    assert complaint["type"] == "complaint" and complaint["id"] != code
    assert complaint["summary"] == "师傅态度太差了，还迟到一个小时"


async def test_the_fault_told_after_the_yes_reopens_the_ticket(desk) -> None:  # type: ignore[no-untyped-def]
    code = await _resolved(desk)
    out = await desk.say("webchat", CUSTOMER, "好了，但是又漏水了")
    assert _templates(out)[0] == "ticket_reopened" and out[0]["data"]["ticket"]["id"] == code


async def test_not_fixed_reopens_the_same_ticket_for_its_technician(desk) -> None:  # type: ignore[no-untyped-def]
    code = await _resolved(desk)
    wang = await desk.staff_id("王师傅")
    out = await desk.say("webchat", CUSTOMER, "还是不行，还是不脱水")
    assert _templates(out) == ["ticket_reopened", "job_reopened"]
    assert out[0]["data"]["technician"] == "王师傅"
    notice = out[1]
    assert (notice["channel"], notice["recipient"]) == ("wecom", "wangshifu")
    assert notice["data"]["note"] == "还是不行，还是不脱水"
    assert notice["data"]["actions"][0] == {"id": "accept", "command": f"接单 {code}"}
    ticket = await desk.ticket(code)
    assert (ticket.status, ticket.assignee_id) == ("assigned", wang)
    assert (await _statuses(desk, code))[-3:] == [(f"technician:{wang}", "resolved"),
                                                  (f"customer:{ticket.customer_id}", "new"),
                                                  ("system:dispatch", "assigned")]
    [reopened] = await desk.events(code, "reopened")
    assert reopened.after["round"] == 1 and reopened.after["technician"] == wang
    assert (await desk.said(ticket.code))[-1] == "还是不行，还是不脱水"
    assert await desk.later(3 * DAY) == [], "the reopened ticket's first auto-close is gone"
    assert (await desk.ticket(code)).status == "assigned"

    await desk.say("wecom", "wangshifu", f"接单 {code}")
    out = await desk.say("wecom", "wangshifu", f"完工 {code} 换了电机")
    assert _templates(out) == ["job_status", "confirm_resolved"]
    out = await desk.say("webchat", CUSTOMER, f"已解决 {code}")
    assert _templates(out) == ["ticket_closed"] and (await desk.ticket(code)).status == "closed"


async def test_silence_closes_at_the_end_of_the_window_and_later_words_open_a_new_ticket(desk) -> None:  # type: ignore[no-untyped-def]
    code = await _resolved(desk)
    out = await desk.say("webchat", CUSTOMER, "你好")
    assert _templates(out) == ["greeting"], "a message that is no answer is handled as usual"
    assert await desk.later(2 * DAY - 60) == []
    assert (await desk.ticket(code)).status == "resolved"
    assert await desk.later(60) == []
    assert (await _statuses(desk, code))[-1] == ("system:auto-close", "closed")
    [ask] = await desk.later(60)
    assert ask["template"] == "survey_csat"

    out = await desk.say("webchat", CUSTOMER, "洗衣机又坏了，一直响")
    assert _templates(out)[0] == "ticket_opened" and out[0]["data"]["ticket"]["id"] != code
    assert (await desk.ticket(code)).status == "closed"


async def test_a_later_not_fixed_within_the_window_still_reopens(desk) -> None:  # type: ignore[no-untyped-def]
    code = await _resolved(desk)
    assert _templates(await desk.say("webchat", CUSTOMER, "在吗")) == ["greeting"]
    await desk.later(DAY)
    out = await desk.say("webchat", CUSTOMER, "师傅走了以后洗衣机又不脱水了")
    assert _templates(out)[0] == "ticket_reopened" and out[0]["data"]["ticket"]["id"] == code


async def test_a_remark_with_the_score_is_the_comment_and_not_asked_for_again(desk) -> None:  # type: ignore[no-untyped-def]
    """"师傅很专业，给5分" once opened a complaint ticket: it is the CSAT, and its words are the comment."""
    code = await _resolved(desk)
    await desk.say("webchat", CUSTOMER, "是的")
    await desk.later(60)
    assert _templates(await desk.say("webchat", CUSTOMER, "师傅很专业，给5分")) == ["survey_nps"]
    assert _templates(await desk.say("webchat", CUSTOMER, "9分，会推荐给朋友")) == ["survey_thanks"]
    survey = await _survey(desk, code)
    assert (survey.status, survey.csat, survey.nps, survey.comment) == ("answered", 5, 9, "师傅很专业；会推荐给朋友")
    answered = [e.after for e in await desk.events(code, "survey_answered")]
    assert answered == [{"csat": 5, "comment": "师傅很专业"}, {"nps": 9, "comment": "会推荐给朋友"}]


async def test_a_remark_before_the_score_is_kept_and_the_score_asked_again(desk) -> None:  # type: ignore[no-untyped-def]
    """"师傅挺好的，就是来得有点晚" answering the CSAT question opened a complaint ("非常抱歉给您带来不好的体验") and left
    the question unanswered: a remark on the service is the survey's comment, and the score is asked for again."""
    code = await _resolved(desk)
    await desk.say("webchat", CUSTOMER, "已解决")
    await desk.later(60)
    [again] = await desk.say("webchat", CUSTOMER, "师傅很专业")
    assert (again["template"], again["data"]["remarked"], again["data"]["code"]) == ("survey_csat", True, code)
    [again] = await desk.say("webchat", CUSTOMER, "补充一下，就是来得有点晚")
    assert again["template"] == "survey_csat" and again["data"]["remarked"]
    assert _templates(await desk.say("webchat", CUSTOMER, "4")) == ["survey_nps"]
    assert _templates(await desk.say("webchat", CUSTOMER, "9")) == ["survey_thanks"], "the comment is not asked for"
    survey = await _survey(desk, code)
    assert (survey.status, survey.csat, survey.nps) == ("answered", 4, 9)
    assert survey.comment == "师傅很专业；补充一下，就是来得有点晚"
    async with desk.hub.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Ticket)) == 1, "no complaint filed"


async def test_a_low_score_with_its_reason_reaches_the_supervisors(desk) -> None:  # type: ignore[no-untyped-def]
    code = await _resolved(desk)
    await desk.say("webchat", CUSTOMER, "是的")
    await desk.later(60)
    out = await desk.say("webchat", CUSTOMER, "很差，师傅迟到两个小时还不道歉")
    assert _templates(out) == ["survey_nps", "survey_low_score"]
    assert out[1]["data"]["comment"] == "师傅迟到两个小时还不道歉" and out[1]["data"]["code"] == code
    assert (await desk.said(out[1]["data"]["follow_up"]))[-1] == "师傅迟到两个小时还不道歉"
    assert _templates(await desk.say("webchat", CUSTOMER, "2")) == ["survey_thanks"], "told once"
    assert (await _survey(desk, code)).comment == "师傅迟到两个小时还不道歉"


async def test_a_low_score_alerts_supervisors_and_opens_a_follow_up(desk) -> None:  # type: ignore[no-untyped-def]
    code = await _resolved(desk)
    await desk.say("webchat", CUSTOMER, "是的")
    await desk.later(60)
    out = await desk.say("webchat", CUSTOMER, "很差")
    assert _templates(out) == ["survey_nps", "survey_low_score"]
    alert = out[1]
    assert (alert["channel"], alert["recipient"]) == ("wecom", "chenzhuguan")
    follow_up = alert["data"]["follow_up"]
    assert alert["data"]["code"] == code and alert["data"]["csat"] == 1
    opened = await desk.ticket(follow_up)
    assert (opened.type, opened.priority, opened.status) == ("complaint", "P2", "new")
    assert [e.after for e in await desk.events(code, "follow_up")] == [{"ticket": follow_up, "csat": 1}]

    assert _templates(await desk.say("webchat", CUSTOMER, "2")) == ["survey_comment"]
    out = await desk.say("webchat", CUSTOMER, "师傅迟到了两个小时")
    assert _templates(out) == ["survey_thanks", "survey_low_score"]
    assert out[1]["data"]["comment"] == "师傅迟到了两个小时" and out[1]["data"]["nps"] == 2
    assert (await desk.said(opened.code))[-1] == "师傅迟到了两个小时"


@pytest.mark.parametrize("text", ["3分钟", "5和8", "10000"])
async def test_a_number_that_is_no_score_asks_the_question_again(  # type: ignore[no-untyped-def]
        desk, text: str) -> None:
    """Not "抱歉让您不开心了…请告诉我遇到了什么问题", and not a ticket: the customer meant to answer."""
    code = await _resolved(desk)
    await desk.say("webchat", CUSTOMER, "已解决")
    await desk.later(60)
    assert _templates(await desk.say("webchat", CUSTOMER, "4")) == ["survey_nps"]
    [again] = await desk.say("webchat", CUSTOMER, text)
    assert (again["template"], again["data"]["retry"], again["data"]["code"]) == ("survey_nps", True, code)
    assert _templates(await desk.say("webchat", CUSTOMER, "8")) == ["survey_comment"]
    assert ((await _survey(desk, code)).csat, (await _survey(desk, code)).nps) == (4, 8)


async def test_a_waiting_survey_lets_other_messages_through_reminds_once_and_expires(desk) -> None:  # type: ignore[no-untyped-def]
    code = await _resolved(desk)
    await desk.say("webchat", CUSTOMER, "已解决")
    await desk.later(60)
    out = await desk.say("webchat", CUSTOMER, "空调也坏了，不制冷")
    assert _templates(out)[0] == "ticket_opened", "a new problem opens a ticket while the survey waits"
    [reminder] = _surveys(await desk.later(DAY))
    assert reminder["template"] == "survey_reminder"
    assert _surveys(await desk.later(DAY)) == [], "one reminder only"
    await desk.later(DAY)
    survey = await _survey(desk, code)
    assert (survey.status, survey.csat) == ("expired", None)
    assert [e.action for e in await desk.events(code)][-1] == "survey_expired"
    out = await desk.say("webchat", CUSTOMER, "5")
    assert "survey_nps" not in _templates(out)
    async with desk.hub.sessions() as session:
        figures = await StatsService(session=session).satisfaction()
    assert (figures.sent, figures.answered, figures.response_rate) == (1, 0, 0.0)


@pytest.mark.parametrize("text", ["算了不用了，取消吧", "那就取消吧", "cancel it", "取消吧，不修了"])
async def test_cancel_words_with_nothing_named_cancel_the_open_ticket(  # type: ignore[no-untyped-def]
        desk, text: str) -> None:
    """Not a new ticket asking for an order number: the ticket the customer was just talking about is cancelled."""
    code = (await desk.say("webchat", CUSTOMER, "我的快递三天了还没到，订单号4200001111222233"))[0]["data"]["ticket"]["id"]
    assert _templates(await desk.say("webchat", CUSTOMER, text)) == ["ticket_cancelled"]
    assert (await desk.ticket(code)).status == "cancelled"


@pytest.mark.parametrize(("request_text", "text"), [
    ("改地址：广州市天河区体育西路103号，订单号4200005566778899", "算了不用改了，我自己去取"),
    ("我要退货，订单号4200005566778899，电话13812345678", "不用退了，我想了想还是留着吧")])
async def test_a_change_or_return_no_longer_wanted_is_cancelled(  # type: ignore[no-untyped-def]
        desk, request_text: str, text: str) -> None:
    """"算了不用改了" was thanked for as a detail of the order change, which stayed open for staff to do."""
    code = (await desk.say("webchat", CUSTOMER, request_text))[0]["data"]["ticket"]["id"]
    assert _templates(await desk.say("webchat", CUSTOMER, text)) == ["ticket_cancelled"]
    assert (await desk.ticket(code)).status == "cancelled"


async def test_cancel_with_several_open_tickets_asks_which_and_tells_the_technician(desk) -> None:  # type: ignore[no-untyped-def]
    first = (await desk.say("webchat", CUSTOMER, REPAIR))[0]["data"]["ticket"]["id"]
    second = (await desk.say("webchat", CUSTOMER, "新买的空调需要安装，明天下午3点"))[0]["data"]["ticket"]["id"]
    assert first != second
    out = await desk.say("webchat", CUSTOMER, "取消")
    assert _templates(out) == ["cancel_which"]
    assert [a["command"] for a in out[0]["data"]["actions"]] == [f"取消 {second}", f"取消 {first}"]
    assert (await desk.ticket(first)).status == "assigned"

    out = await desk.say("webchat", CUSTOMER, f"取消 {first}")
    assert _templates(out) == ["ticket_cancelled", "job_cancelled"]
    assert out[1]["recipient"] == "wangshifu" and out[1]["data"]["ticket"]["id"] == first
    assert (await desk.ticket(first)).status == "cancelled"
    out = await desk.say("webchat", CUSTOMER, "取消")
    assert _templates(out)[0] == "ticket_cancelled", "one open ticket left: no question"


async def test_another_device_out_of_order_at_the_question_is_a_new_problem(desk) -> None:  # type: ignore[no-untyped-def]
    """"电视机又坏了" while the washing machine's repair waited for its word reopened the washing machine's ticket and
    sent its technician back; the other device's fault is a ticket of its own, and the question still waits."""
    code = await _resolved(desk)
    out = await desk.say("webchat", CUSTOMER, "电视机又坏了，一直黑屏")
    assert _templates(out)[0] == "ticket_opened" and out[0]["data"]["ticket"]["id"] != code
    assert (await desk.ticket(code)).status == "resolved"
    out = await desk.say("webchat", CUSTOMER, f"还是不行 {code}")
    assert _templates(out)[0] == "ticket_reopened" and out[0]["data"]["ticket"]["id"] == code

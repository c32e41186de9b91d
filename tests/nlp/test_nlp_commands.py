import pytest

from nlp import understanding as u
from nlp.commands import match_command

TICKET = "SR-20261123-0001"


@pytest.mark.parametrize(("text", "intent", "ticket_id", "note"), [
    (f"接单 {TICKET}", u.ACCEPT, TICKET, ""),
    (f"accept {TICKET.lower()}", u.ACCEPT, TICKET, ""),
    (f"接单{TICKET}", u.ACCEPT, TICKET, ""),
    (f"拒单 {TICKET} 客户不在家", u.DECLINE, TICKET, "客户不在家"),
    (f"decline {TICKET} too far away", u.DECLINE, TICKET, "too far away"),
    ("出发", u.EN_ROUTE, None, ""),
    ("En Route", u.EN_ROUTE, None, ""),
    ("到达", u.ARRIVED, None, ""),
    ("arrived", u.ARRIVED, None, ""),
    ("完工 更换了主板，已试机", u.DONE, None, "更换了主板，已试机"),
    ("done replaced the pump", u.DONE, None, "replaced the pump"),
    ("我的工单", u.MY_JOBS, None, ""),
    ("my jobs", u.MY_JOBS, None, ""),
    (f"确认 {TICKET}", u.ACKNOWLEDGE, TICKET, ""),
    (f"ack {TICKET}", u.ACKNOWLEDGE, TICKET, ""),
    ("取消", u.CANCEL, None, ""),
    ("cancel", u.CANCEL, None, ""),
    ("转人工", u.HUMAN, None, ""),
    ("human", u.HUMAN, None, ""),
    ("查询进度", u.STATUS_QUERY, None, ""),
    (f"status {TICKET}", u.STATUS_QUERY, TICKET, ""),
    (f"工单 {TICKET}", u.STATUS_QUERY, TICKET, ""),
    (f"ticket {TICKET}", u.STATUS_QUERY, TICKET, ""),
    (f"转派 {TICKET} 李师傅", u.TRANSFER, TICKET, "李师傅"),
    (f"transfer {TICKET} Li", u.TRANSFER, TICKET, "Li"),
    ("待处理", u.QUEUE, None, ""),
    ("my queue", u.QUEUE, None, ""),
    (f"待客户 {TICKET} 客户出差，下周回来", u.PENDING_CUSTOMER, TICKET, "客户出差，下周回来"),
    ("pending customer", u.PENDING_CUSTOMER, None, ""),
    ("等配件 主板缺货", u.PENDING_PARTS, None, "主板缺货"),
    (f"waiting parts {TICKET}", u.PENDING_PARTS, TICKET, ""),
    (f"继续 {TICKET}", u.RESUME, TICKET, ""),
    ("resume", u.RESUME, None, ""),
])
def test_exact_commands(text: str, intent: str, ticket_id: str | None, note: str) -> None:
    command = match_command(text)
    assert command is not None
    assert (command.intent, command.ticket_id, command.note) == (intent, ticket_id, note)


@pytest.mark.parametrize("text", ["出发了吗师傅", "确认一下地址对不对", "status update please", "我已经到达小区门口了",
                                  "接单的师傅是谁", "done是什么意思啊", "继续等吧", "工单怎么还没处理",
                                  "ticket please"])
def test_free_text_containing_a_command_word_is_not_a_command(text: str) -> None:
    assert match_command(text) is None

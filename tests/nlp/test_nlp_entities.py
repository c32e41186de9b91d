from datetime import datetime, timezone
from pathlib import Path

import pytest

from nlp.entities import extract_entities
from nlp.entity_eval import score_file
from nlp.normalize import normalize

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in China
GOLD = Path(__file__).parent / "data" / "entities_gold.jsonl"


def entities(text: str):
    return extract_entities(normalize(text), NOW)


def test_gold_set_precision_and_recall() -> None:
    assert sum(1 for _ in GOLD.open(encoding="utf-8")) >= 200
    overall = score_file(GOLD)["all"]
    assert overall.precision >= 0.95 and overall.recall >= 0.95


def test_numbers_do_not_leak_into_each_other() -> None:
    found = entities("订单号：289374651029384756，SN: A1B2C3D4E5F6，电话138-1234-5678，型号KFR-35GW/BP3")
    assert found.order_numbers == ("289374651029384756",)
    assert found.serial_numbers == ("A1B2C3D4E5F6",)
    assert found.phones == ("13812345678",)
    assert found.models == ("KFR-35GW/BP3",)


def test_prices_and_quantities_are_not_entities() -> None:
    found = entities("买了3台，价格1999元，一共6000多，用了2年")
    assert not (found.phones or found.order_numbers or found.models or found.times)


def test_address_is_split_for_routing() -> None:
    (address,) = entities("地址：杭州西湖区文三路90号，电话13900001111").addresses
    assert (address.province, address.city, address.district, address.detail) == ("浙江省", "杭州市", "西湖区",
                                                                                   "文三路90号")


@pytest.mark.parametrize(("text", "start"), [
    ("明天下午三点", "2026-11-24T15:00:00+08:00"),
    ("周六上午", "2026-11-28T09:00:00+08:00"),
    ("下周一", "2026-11-30T09:00:00+08:00"),
    ("今晚8点半", "2026-11-23T20:30:00+08:00"),
    ("12月5号9:30", "2026-12-05T09:30:00+08:00"),
])
def test_times_resolve_against_message_time_in_china(text: str, start: str) -> None:
    (mention,) = entities(f"师傅{text}来吧").times
    assert mention.start.isoformat() == start


def test_a_time_that_does_not_work_is_not_an_appointment() -> None:
    assert [t.text for t in entities("明天不在家，后天上午可以").times] == ["后天上午"]

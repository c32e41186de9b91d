"""Concrete details in a message: phone numbers, order/serial/ticket numbers, products, models, addresses, times.

Numbers are matched with digit boundaries so an 18-digit order number never yields a phone number inside it, and
each span is claimed once: a run of digits that is a phone is not also an order number or a model.
"""
from __future__ import annotations

import re
from datetime import datetime

from .addresses import extract_addresses
from .times import extract_times
from .understanding import Entities

_EDGE_L = r"(?<![0-9A-Za-z])"
_EDGE_R = r"(?![0-9A-Za-z])"
TICKET_ID = re.compile(rf"{_EDGE_L}SR-?(\d{{8}})-?(\d{{4,6}}){_EDGE_R}", re.IGNORECASE)
_MOBILE = re.compile(rf"{_EDGE_L}(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{{4}})[- ]?(\d{{4}}){_EDGE_R}")
_LANDLINE = re.compile(rf"{_EDGE_L}(?:\((0\d{{2,3}})\)|(0\d{{2,3}}))[- ]?([2-9]\d{{6,7}}){_EDGE_R}")
_HOTLINE = re.compile(rf"{_EDGE_L}([48]00)[- ]?(\d{{3}})[- ]?(\d{{4}}){_EDGE_R}")
_ORDER_KEYED = re.compile(
    rf"(?:(?<!快递)(?<!运)(?:订单编号|订单号|订单|单号)|order\s*(?:no\.?|number|id|#)?)\s*(?:是|为)?[:：#]?\s*"
    rf"([A-Za-z]{{0,4}}\d[\dA-Za-z-]{{5,29}}){_EDGE_R}",
    re.IGNORECASE,
)
_ORDER_BARE = re.compile(rf"{_EDGE_L}(\d{{15,22}}){_EDGE_R}")
_SERIAL = re.compile(
    rf"(?:{_EDGE_L}S/?N|序列号|机身码|机身编号|出厂编号|条码|串号|IMEI|serial(?:\s*(?:no\.?|number))?)"
    rf"\s*(?:号|码)?(?:是|为)?[:：#]?\s*([A-Za-z0-9][A-Za-z0-9-]{{5,29}}){_EDGE_R}",
    re.IGNORECASE,
)
_MODEL_KEYED = re.compile(
    rf"(?:型号|model)\s*(?:是|为)?[:：#]?\s*([A-Za-z0-9][A-Za-z0-9./+-]{{1,29}}[A-Za-z0-9]){_EDGE_R}", re.IGNORECASE
)
_MODEL_BARE = re.compile(rf"{_EDGE_L}(?<![@.])([A-Za-z0-9][A-Za-z0-9/+-]{{3,24}}[A-Za-z0-9]){_EDGE_R}(?![@.])")

# Product words in the customer's wording → the name a ticket uses.
_PRODUCTS = {
    "中央空调": "中央空调", "空调": "空调", "冷气机": "空调", "挂机": "空调", "柜机": "空调", "冰箱": "冰箱",
    "冰柜": "冰柜", "洗衣机": "洗衣机", "烘干机": "烘干机", "干衣机": "烘干机", "热水器": "热水器", "壁挂炉": "壁挂炉",
    "燃气灶": "燃气灶", "煤气灶": "燃气灶", "抽油烟机": "油烟机", "油烟机": "油烟机", "吸油烟机": "油烟机",
    "集成灶": "集成灶", "洗碗机": "洗碗机", "消毒柜": "消毒柜", "净水器": "净水器", "净水机": "净水器",
    "饮水机": "饮水机", "电视机": "电视", "电视": "电视", "投影仪": "投影仪", "扫地机器人": "扫地机器人",
    "扫地机": "扫地机器人", "吸尘器": "吸尘器", "空气净化器": "空气净化器", "加湿器": "加湿器", "除湿机": "除湿机",
    "电饭煲": "电饭煲", "电饭锅": "电饭煲", "微波炉": "微波炉", "烤箱": "烤箱", "蒸烤箱": "蒸烤箱", "破壁机": "破壁机",
    "豆浆机": "豆浆机", "电磁炉": "电磁炉", "电风扇": "电风扇", "风扇": "电风扇", "取暖器": "取暖器", "地暖": "地暖",
    "智能马桶": "智能马桶", "马桶": "马桶", "智能门锁": "门锁", "门锁": "门锁", "浴霸": "浴霸", "新风系统": "新风系统",
    "新风机": "新风系统", "路由器": "路由器", "手机": "手机", "笔记本电脑": "电脑", "电脑": "电脑", "平板": "平板电脑",
    "耳机": "耳机", "手表": "手表", "air conditioner": "空调", "aircon": "空调", "fridge": "冰箱",
    "refrigerator": "冰箱", "washing machine": "洗衣机", "water heater": "热水器", "tv": "电视",
}
_PRODUCT = re.compile(
    "|".join(re.escape(k) for k in sorted(_PRODUCTS, key=len, reverse=True)).replace("tv", r"\btv\b"),
    re.IGNORECASE,
)


def _free(taken: list[tuple[int, int]], span: tuple[int, int]) -> bool:
    return all(span[1] <= a or span[0] >= b for a, b in taken)


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _claim(pattern: re.Pattern[str], text: str, taken: list[tuple[int, int]], group: int = 1) -> list[re.Match[str]]:
    """Matches of `pattern` whose value span no earlier kind has claimed; claims them."""
    matches = [m for m in pattern.finditer(text) if _free(taken, m.span(group))]
    taken.extend(m.span(group) for m in matches)
    return matches


def _is_model(token: str) -> bool:
    letters = sum(c.isalpha() for c in token)
    digits = sum(c.isdigit() for c in token)
    longest_run = max((len(run) for run in re.findall(r"\d+", token)), default=0)
    # Tracking and account numbers are long digit runs behind a short prefix (SF1234567890); models are not.
    return letters >= 1 and digits >= 2 and len(token) >= 5 and longest_run <= 8


def extract_entities(text: str, now: datetime) -> Entities:
    """All entities of normalized `text`; `now` (the message time) anchors relative times."""
    taken: list[tuple[int, int]] = []
    tickets = [f"SR-{m.group(1)}-{m.group(2)}" for m in _claim(TICKET_ID, text, taken, 0)]
    serials = [m.group(1).upper() for m in _claim(_SERIAL, text, taken)]
    orders = [m.group(1) for m in _claim(_ORDER_KEYED, text, taken)]
    phones = ["".join(m.groups()) for m in _claim(_MOBILE, text, taken, 0)]
    phones += [f"{m.group(1) or m.group(2)}-{m.group(3)}" for m in _claim(_LANDLINE, text, taken, 0)]
    phones += ["-".join(m.groups()) for m in _claim(_HOTLINE, text, taken, 0)]
    orders += [m.group(1) for m in _claim(_ORDER_BARE, text, taken)]
    models = [m.group(1).upper() for m in _claim(_MODEL_KEYED, text, taken)]
    models += [m.group(1).upper() for m in _MODEL_BARE.finditer(text)
               if _is_model(m.group(1)) and _free(taken, m.span(1))]
    products = [_PRODUCTS[m.group(0).lower()] for m in _PRODUCT.finditer(text)]
    addresses = extract_addresses(text)
    # "8号" inside "高新南一道8号" is a house number, not the 8th of the month.
    times = tuple(t for t in extract_times(text, now) if not any(t.text in a.text for a in addresses))
    return Entities(
        phones=_unique(phones), order_numbers=_unique(orders), serial_numbers=_unique(serials),
        ticket_ids=_unique(tickets), products=_unique(products), models=_unique(models),
        addresses=addresses, times=times,
    )

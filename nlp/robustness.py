"""How much a message's type depends on the contact details written after it (the flip rate).

Real customers finish a request with their phone, address, name or a time to come; none of that says what the
request is about. `with_contact_details` appends such details the ways people type them (deterministic per index,
so every run measures the same set) and `flip_rate` counts the messages whose type changes because of them.
"""
from __future__ import annotations

from typing import Callable, Sequence

_PHONES = ("13912345678", "138 0013 8000", "186-2233-4455", "15900001111", "0755-26618888", "17788889999")
_ADDRESSES = ("北京市朝阳区建国路88号", "上海浦东新区锦绣路1001弄12号302室", "广州天河区体育西路191号",
              "杭州市西湖区文三路90号", "成都武侯区人民南路四段27号", "南京市江宁区双龙大道1688号3栋",
              "深圳市南山区科技园南区8栋1单元", "武汉洪山区珞喻路1037号")
_NAMES = ("王女士", "张先生", "联系人李明", "收货人：陈小姐", "刘先生")
_TIMES = ("明天下午在家", "周六上午都可以", "后天下午三点以后有人", "今晚7点后")
_SHAPES: tuple[str, ...] = (
    "，电话{phone}，地址{address}",
    " 手机{phone} 地址：{address}",
    "。{name} {phone}",
    "，我的电话是{phone}",
    "，地址是{address}，{time}",
    "\n联系方式：{phone}\n收货地址：{address}",
    "，{address}，{name}，{phone}",
    " {phone}",
    "，家住{address}，{time}，电话{phone}",
    "，{name}，手机号{phone}",
)


def with_contact_details(text: str, index: int) -> str:
    """`text` followed by the `index`-th way of giving contact details (cycles through shapes and values)."""
    shape = _SHAPES[index % len(_SHAPES)]
    return text + shape.format(phone=_PHONES[index % len(_PHONES)], address=_ADDRESSES[index % len(_ADDRESSES)],
                               name=_NAMES[index % len(_NAMES)], time=_TIMES[index % len(_TIMES)])


def flip_rate(classify: Callable[[str], str], texts: Sequence[str]) -> tuple[float, list[str]]:
    """Share of `texts` whose type changes once contact details are appended, and the changed messages."""
    flipped = [text for i, text in enumerate(texts) if classify(text) != classify(with_contact_details(text, i))]
    return (len(flipped) / len(texts) if texts else 0.0), flipped

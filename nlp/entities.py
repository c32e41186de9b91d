"""Concrete details in a message: phone numbers, order/serial/ticket numbers, products, models, addresses, times,
and what an invoice needs (its title, the buyer's tax id, an e-mail, `nlp.invoices`).

Numbers are matched with digit boundaries so an 18-digit order number never yields a phone number inside it, and
each span is claimed once: a run of digits that is a phone is not also an order number or a model. `find_entities`
also returns where each detail was written (kind + span, money and tax ids included), so the type model can read
the message with the details blanked out (`nlp.placeholders`).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

import phonenumbers

from core.domain.tickets import TICKET_ID, ticket_id_of

from .addresses import extract_addresses
from .english_addresses import english_addresses
from .english_times import english_times
from .invoices import emails, invoice_requests, invoice_titles, tax_ids
from .purchases import purchase_dates
from .patterns import quick
from .times import extract_times
from .understanding import Entities, TimeMention

_DIGIT = re.compile(r"\d")
_LATIN = re.compile(r"[A-Za-z]")
_EDGE_L = r"(?<![0-9A-Za-z])"
_EDGE_R = r"(?![0-9A-Za-z])"
_MOBILE = quick(rf"{_EDGE_L}(?:(?:\+|00)?86[- ]?)?(1[3-9]\d)[- ]?(\d{{4}})[- ]?(\d{{4}}){_EDGE_R}")
# Area codes are 010, 02X or 0XXX; the local number (7–8 digits) is often typed in two groups, an extension after 转.
_AREA = r"0(?:10|2\d|[3-9]\d\d)"
_LANDLINE = re.compile(
    rf"{_EDGE_L}(?:\(({_AREA})\)|({_AREA}))[- ]?([1-9]\d{{2,3}})[- ]?(\d{{4}})"
    rf"(?:\s*(?:转|-|分机|ext\.?)\s*(\d{{1,5}}))?{_EDGE_R}",
    re.IGNORECASE,
)
_COUNTRY_CODE = re.compile(r"\+\s?[1-9]")
_NO_REGION = "ZZ"
"""libphonenumber's "unknown region": only numbers written with their country code are read."""
_HOTLINE = re.compile(rf"{_EDGE_L}([48]00)[- ]?(\d{{3}})[- ]?(\d{{4}}){_EDGE_R}")
# A number as typed after its label: letters, digits and dashes, digit groups sometimes spaced ("JD 2026 1120 8899").
_CODE = r"((?:[A-Za-z]{1,4}[- ]?)?\d[\dA-Za-z-]*(?: \d{3,}(?![\dA-Za-z]))*|[A-Za-z][A-Za-z0-9-]{5,29}(?<![A-Za-z-]))"
_ORDER_KEYED = quick(
    rf"(?:(?<!快递)(?<!运)(?<!物流)(?:订单编号|订单号码|订单号|订单|单号)|order\s*(?:no\.?|number|id|#)?)"
    rf"\s*(?:是|为|is)?\s*[:：#]*\s*{_CODE}{_EDGE_R}",
    re.IGNORECASE,
)
_ORDER_BARE = re.compile(rf"{_EDGE_L}(\d{{15,22}}){_EDGE_R}")
# Long digit runs that are somebody's card or ID, a parcel or a payment: not an order of ours.
_NOT_ORDER = re.compile(r"(?:身份证|卡号|银行卡|信用卡|快递|运单|物流|交易号|流水号|发票|税号|账号)[^，。,;；]{0,8}$")
_SERIAL = quick(
    rf"(?:{_EDGE_L}S/?N|序列号|机身码|机身号|机身编号|机器编号|产品编号|出厂编号|条形码|条码|串号|IMEI"
    rf"|serial(?:\s*(?:no\.?|number))?)"
    rf"\s*(?:号|码)?\s*(?:是|为)?[:：#]?(?:[\u4e00-\u9fff]{{1,8}}\s)?\s*"
    rf"(\d+(?: \d+)+|[A-Za-z0-9][A-Za-z0-9-]*){_EDGE_R}",
    re.IGNORECASE,
)
_MODEL_KEYED = re.compile(
    rf"(?:型号|model)\s*(?:是|为)?[:：#]?\s*([A-Za-z0-9][A-Za-z0-9./+-]{{1,29}}[A-Za-z0-9]){_EDGE_R}", re.IGNORECASE
)
# Amounts of money: 1999元, ¥49.9, 30块, 三百块钱, 两千多元; bare numbers stay numbers ("碎成三块" is not money).
_MONEY = re.compile(
    r"[¥￥]\s*\d+(?:\.\d+)?|\d+(?:\.\d+)?\s*(?:[百千万]多?|多)?\s*(?:元|块钱?|rmb|人民币)"
    r"|[一二两三四五六七八九十百千万几]+多?\s*(?:元|块钱|人民币)",
    re.IGNORECASE,
)
# Whom to ask for: 联系人王女士, 收货人: 李明, 张先生 — and a bare name of a common surname beside a mobile number,
# as shipping details are pasted ("罗满早。13908449785。湖南省…", "张三 139…", "…新开河镇15941720168孟月").
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
             "崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_SEPARATOR = r"[\s,，。.;；:：、]"
_NAME = re.compile(r"(?:联系人|收货人|收件人|姓名)\s*(?:是|为)?[:：]?\s*(?![改换写填错不要的和是])[\u4e00-\u9fff]{1,3}(?:先生|女士|小姐)?"
                   r"|[\u4e00-\u9fff](?:先生|女士|小姐)(?![\u4e00-\u9fff]{0,1}[说讲问])"
                   rf"|(?:^|(?<={_SEPARATOR}))[{_SURNAMES}][\u4e00-\u9fff]{{1,2}}(?={_SEPARATOR}*(?:\+?86)?1[3-9]\d{{9}}(?!\d))"
                   rf"|(?:(?<=1[3-9]\d{{9}})|(?<=1[3-9]\d{{9}}{_SEPARATOR}))[{_SURNAMES}][\u4e00-\u9fff]{{1,2}}(?=$|{_SEPARATOR})")
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
    "refrigerator": "冰箱", "washing machine": "洗衣机", "washer": "洗衣机", "water heater": "热水器", "tv": "电视",
    "television": "电视", "dishwasher": "洗碗机", "microwave": "微波炉", "oven": "烤箱", "dryer": "烘干机",
    "range hood": "油烟机", "cooker hood": "油烟机", "stove": "燃气灶", "cooktop": "燃气灶", "boiler": "壁挂炉",
    "freezer": "冰柜", "water purifier": "净水器", "water filter": "净水器", "robot vacuum": "扫地机器人",
    "vacuum": "吸尘器", "ac": "空调", "router": "路由器", "wifi router": "路由器", "air purifier": "空气净化器",
    "humidifier": "加湿器", "dehumidifier": "除湿机", "rice cooker": "电饭煲", "blender": "破壁机",
    "induction cooker": "电磁炉", "induction hob": "电磁炉", "projector": "投影仪", "laptop": "电脑",
    "smart lock": "门锁", "door lock": "门锁", "smart toilet": "智能马桶", "bath heater": "浴霸",
}
# English words only as whole words: "ac" is not the one in "vacuum".
_LABEL_AFTER = {"手机": r"号|码|\s*(?:是|为)?\s*[:：]?\s*(?:\+?86[- ]?)?1[3-9]\d"}
"""Product names that lead the label of a detail instead ("手机号13700001111", "手机18951234567" name no phone to
repair)."""
_PRODUCT = quick(
    "|".join(re.escape(k) + (f"(?!{_LABEL_AFTER[k]})" if k in _LABEL_AFTER else "")
             for k in sorted(_PRODUCTS, key=len, reverse=True) if not k.isascii())
    + r"|\b(?:" + "|".join(re.escape(k) for k in sorted(_PRODUCTS, key=len, reverse=True) if k.isascii()) + r")s?\b",
    re.IGNORECASE,
)


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def product_mentions(text: str) -> list[tuple[int, int]]:
    """Where `text` names a product: (start, end) of each mention, in order."""
    return [m.span() for m in _PRODUCT.finditer(text)]


def products_named(text: str) -> tuple[str, ...]:
    """The products `text` names, by the name a ticket uses, in order of first mention."""
    return _unique([_PRODUCTS.get(m.group(0).lower()) or _PRODUCTS[m.group(0).lower()[:-1]]
                    for m in _PRODUCT.finditer(text)])


@dataclass(frozen=True, slots=True)
class Span:
    """Where one detail was written: `kind` is a placeholder name (see `nlp.placeholders.PLACEHOLDERS`), or one the
    type model reads as written (`invoice_title`, `email`)."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Found:
    entities: Entities
    spans: tuple[Span, ...]


class _Claims:
    """Spans of `text` already taken by an earlier kind, with their kinds, so each character belongs to one detail."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: list[Span] = []
        self.numbered = _DIGIT.search(text) is not None
        """Whether `text` has a digit at all: most messages have none, and phone, order, serial and ticket numbers
        cannot match without one, so their patterns are not run."""

    def free(self, span: tuple[int, int]) -> bool:
        return all(span[1] <= s.start or span[0] >= s.end for s in self.spans)

    def take(self, kind: str, span: tuple[int, int]) -> None:
        self.spans.append(Span(kind, *span))

    def claim(self, kind: str, pattern: re.Pattern[str], group: int = 1,
              value: Callable[[re.Match[str]], str | None] = lambda m: m.group(1), *,
              needs_digit: bool = False) -> list[tuple[int, str]]:
        """(position, value) of the matches of `pattern` whose span is still free; claims their spans. A pattern
        that `needs_digit` (no match, or no value, without one) is skipped on a text without digits."""
        found: list[tuple[int, str]] = []
        if needs_digit and not self.numbered:
            return found
        for m in pattern.finditer(self.text):
            if self.free(m.span(group)) and (v := value(m)) is not None:
                self.take(kind, m.span(group))
                found.append((m.start(), v))
        return found

    def claim_found(self, kind: str, found: Iterable[tuple[int, int, str]]) -> list[tuple[int, str]]:
        """`claim` for details another reader found, as (start, end, value): (start, value) of those whose span is
        still free; claims their spans."""
        kept: list[tuple[int, str]] = []
        for start, end, value in found:
            if self.free((start, end)):
                self.take(kind, (start, end))
                kept.append((start, value))
        return kept


def _in_order(*found: list[tuple[int, str]]) -> tuple[str, ...]:
    """The values of several kinds of match in the order they appear, each once."""
    return tuple(dict.fromkeys([v for _, v in sorted(chain(*found))])) if any(found) else ()


def _is_model(token: str) -> bool:
    letters = sum(c.isalpha() for c in token)
    digits = sum(c.isdigit() for c in token)
    longest_run = max((len(run) for run in re.findall(r"\d+", token)), default=0)
    # Tracking and account numbers are long digit runs behind a short prefix (SF1234567890); models are not.
    return letters >= 1 and digits >= 2 and len(token) >= 5 and longest_run <= 8


def _code(value: str, min_digits: int) -> str | None:
    """A labelled number without the spaces people type into it, if it has enough digits to be one."""
    value = value.replace(" ", "")
    return value if 6 <= len(value) <= 30 and sum(c.isdigit() for c in value) >= min_digits else None


# "电话是199…77 不是199…78": the number a customer corrects away from is not theirs.
_NOT_MINE_BEFORE = re.compile(r"(?:不是|别打|不要打)\s*$")
_NOT_MINE_AFTER = re.compile(r"\s*(?:不对|错了|是错的|停机了|停用了|已停机|不用了)")


def _mine(m: re.Match[str], text: str) -> bool:
    return not (_NOT_MINE_BEFORE.search(text, 0, m.start()) or _NOT_MINE_AFTER.match(text, m.end()))


def _landline(m: re.Match[str]) -> str:
    number = f"{m.group(1) or m.group(2)}-{m.group(3)}{m.group(4)}"
    return f"{number}-{m.group(5)}" if m.group(5) else number


def _all_times(text: str, now: datetime) -> tuple[TimeMention, ...]:
    """The times written in Chinese and in English, in order; a clock time inside an English mention ("9:30" of
    "Saturday, 9:30") is that mention's, and a clock time alone ("11:30" of "明天9:00-11:30") is read in Chinese,
    ranges and all."""
    chinese = extract_times(text, now)
    english = [t for t in english_times(text, now) if _LATIN.search(t.text)]
    if not english:
        return chinese
    kept = [t for t in chinese if not any(t.text in e.text for e in english)]
    return tuple(sorted([*kept, *english], key=lambda t: text.find(t.text)))


def extract_entities(text: str, now: datetime) -> Entities:
    """All entities of normalized `text`; `now` (the message time) anchors relative times."""
    return find_entities(text, now).entities


def international_phones(text: str) -> list[tuple[int, int, str]]:
    """(start, end, E.164 number) of each phone number written with its country code ("+852 9123 4567",
    "+1 415-555-0134"): a customer in Hong Kong or abroad gives one when asked for a phone. libphonenumber's metadata
    tells a valid number from other digits after a plus; a message without "+digit" is not searched."""
    if not _COUNTRY_CODE.search(text):
        return []
    return [(m.start, m.end, phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164))
            for m in phonenumbers.PhoneNumberMatcher(text, _NO_REGION, leniency=phonenumbers.Leniency.VALID)]


_NUMBER_RUN = re.compile(r"(?<![0-9A-Za-z])\+?\(?\d(?:[\d ()-]*\d)?(?![0-9A-Za-z])")
_NUMBER_LABEL = re.compile(r"我的|手机号?码?|电话号?码?|联系方式|号码|是|my|mobile|phone|number|is|[\s:：,，.。]",
                           re.IGNORECASE)


def number_tried(text: str) -> str | None:
    """The number a message is made of when it is a try at a phone number that reads as none ("1381234567", a
    digit short; "07911 123456" without its country code): whoever asked for a phone says why it will not do,
    rather than thanking for a detail. None when the message says more than a label and a number."""
    for m in _NUMBER_RUN.finditer(text):
        if 5 <= len(_DIGIT.findall(m.group())) <= 16 and not _NUMBER_LABEL.sub("", text.replace(m.group(), "")):
            return m.group().strip()
    return None


def find_entities(text: str, now: datetime, *, asked: str = "") -> Found:
    """The entities of normalized `text` and the span of every detail written in it, in order of position. `asked`
    is the detail the bot waits for: an `address` reads a street and its number alone ("建国路88号5号楼") as one, a
    `title` or a `tax_id` reads the whole answer as that ("个人", "91330106MA2B3C4D5E")."""
    claims = _Claims(text)
    tickets = claims.claim("ticket", TICKET_ID, 0, ticket_id_of, needs_digit=True)
    # An order label wins over "SN" inside its value ("单号是 SN2026…" is a Suning order number).
    keyed_orders = claims.claim("order", _ORDER_KEYED, value=lambda m: _code(m.group(1), 5), needs_digit=True)
    mails = claims.claim_found("email", emails(text))  # "13912345678@163.com" is no phone
    taxes = claims.claim_found("tax_id", tax_ids(text, asked=asked == "tax_id") if claims.numbered else [])
    titles = claims.claim_found("invoice_title", invoice_titles(text, asked=asked == "title"))
    serials = claims.claim("serial", _SERIAL, value=lambda m: (v := _code(m.group(1), 2)) and v.upper(),
                           needs_digit=True)
    mobiles = claims.claim("phone", _MOBILE, 0, lambda m: "".join(m.groups()) if _mine(m, text) else None,
                           needs_digit=True)
    landlines = claims.claim("phone", _LANDLINE, 0, lambda m: _landline(m) if _mine(m, text) else None,
                             needs_digit=True)
    hotlines = claims.claim("phone", _HOTLINE, 0, lambda m: "-".join(m.groups()), needs_digit=True)
    abroad = claims.claim_found("phone", international_phones(text))
    bare_orders = claims.claim("order", _ORDER_BARE,
                               value=lambda m: None if _NOT_ORDER.search(text, 0, m.start()) else m.group(1),
                               needs_digit=True)
    models = claims.claim("model", _MODEL_KEYED, value=lambda m: m.group(1).upper())
    models += claims.claim("model", _MODEL_BARE, value=lambda m: m.group(1).upper() if _is_model(m.group(1)) else None,
                           needs_digit=True)  # a bare model has two digits
    addresses = extract_addresses(text, asked=asked == "address") or english_addresses(text)
    # "8号" inside "高新南一道8号" is a house number, not the 8th of the month.
    times = tuple(t for t in _all_times(text, now) if not any(t.text in a.text for a in addresses))
    for kind, written in (("address", [a.text for a in addresses]), ("time", [t.text for t in times])):
        _locate(claims, kind, text, written)
    claims.claim("money", _MONEY, 0, lambda m: m.group(0))
    claims.claim("name", _NAME, 0, lambda m: m.group(0))
    entities = Entities(
        phones=_in_order(mobiles, landlines, hotlines, abroad), order_numbers=_in_order(keyed_orders, bare_orders),
        serial_numbers=_in_order(serials), ticket_ids=_in_order(tickets), products=products_named(text),
        models=_in_order(models), addresses=addresses, times=times, invoice_titles=_in_order(titles),
        tax_ids=_in_order(taxes), emails=_in_order(mails), invoice_requests=_unique(invoice_requests(text)),
        purchase_dates=purchase_dates(text, now),
    )
    return Found(entities, tuple(sorted(claims.spans, key=lambda s: s.start)))


def _locate(claims: _Claims, kind: str, text: str, written: list[str]) -> None:
    """Claim the free parts of each written mention, searched left to right (mentions come in text order)."""
    pos = 0
    for mention in written:
        for piece in mention.split(" "):
            at = text.find(piece, pos) if piece else -1
            if at < 0:
                continue
            span = (at, at + len(piece))
            if claims.free(span):
                claims.take(kind, span)
            pos = span[1]

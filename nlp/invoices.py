"""What an invoice request says: whom the invoice is made out to (its title, 发票抬头), the buyer's tax id, the e-mail
an electronic invoice goes to, and whether an invoice is to be issued (again) at all.

Each reader returns (start, end, value) for `nlp.entities`, which gives every span of the message to one detail. A
title is read after its label ("抬头：杭州某某科技有限公司", "开给个人", "invoice title: Acme Trading Co., Ltd.") or,
when the bot asked for it, as the whole answer ("杭州某某科技有限公司", "个人"); a tax id after its label, as the whole
answer when it was asked for, or alone when it is a unified social credit code whose check character is right
(GB 32100-2015), so a model number or an order number is never taken for one.
"""
from __future__ import annotations

import re

from core.domain.invoices import ORGANISATION_ENDINGS, ORGANISATION_ENDINGS_EN

from .patterns import quick

Found = list[tuple[int, int, str]]

_EDGE_L = r"(?<![0-9A-Za-z])"
_EDGE_R = r"(?![0-9A-Za-z])"
_PERSONAL = r"个人|personal|individual"
_ORG_CN = rf"(?![我咱你贵本这那该])[\u4e00-\u9fffA-Za-z0-9（）()·&]{{2,40}}(?:{'|'.join(ORGANISATION_ENDINGS)})"
_ORG_EN = rf"(?-i:[A-Z])[A-Za-z0-9&'().-]*(?:[ ,]+[A-Za-z0-9&'().-]+){{0,8}}?\s+(?:{ORGANISATION_ENDINGS_EN})"
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
             "崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤康牛樊葛邢乔伍"
             "庞颜倪庄聂章鲁岳翟殷詹欧耿焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕季裴霍涂苗谷盛曲翁冉骆蓝辛靳管柴蒙鲍喻祁蒲房"
             "滕屈饶牟艾尤穆卓缪麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂佟臧闵苟邬卞姬仇栾隋刁巫寇桑郎甄丛仲虞敖巩佘池")
"""Common surnames: a person's name (the title of a personal invoice) starts with one; a word of two characters
("稍等", "写错", "谢谢") does not."""
_NAME_CN = rf"(?![\u4e00-\u9fff]*(?:错|改|换|开|要|的|了|吗|呢|吧|不|没|好|行|等|谢谢|发票|抬头|写|对))[{_SURNAMES}][\u4e00-\u9fff]{{1,3}}"
_NAME_EN = r"(?-i:[A-Z][a-z]+(?: [A-Z][a-z]+){1,2})"
_END = r"(?=$|[\s,，。.;；!！?？、]|税号|纳税|识别号|信用代码|发到|发送|邮箱)"
_TITLE = quick(
    rf"(?:发票抬头|抬头|开给|单位名称|公司名称|单位全称|公司全称|购买方名称|购方名称|购买方)\s*(?:写成|改成|改为|换成|是|为|写|用|开)?"
    rf"\s*[:：]?\s*(?P<cn>{_ORG_CN}|个人)(?=$|[^\u4e00-\u9fff]|的|发票|抬头|税号|纳税|识别号|信用代码|发到|发送|邮箱)"
    rf"|(?:发票抬头|抬头)\s*(?:写成|改成|改为|换成|是|为|写|用)?\s*[:：]\s*(?P<name>{_NAME_CN}){_END}"
    rf"|(?:发票抬头|抬头)(?:写成|改成|改为|换成|是|为)(?P<named>{_NAME_CN}){_END}"
    rf"|(?P<own>个人)(?=发票|抬头|普票|的发票)"
    rf"|\b(?:invoice\s+title|title\s+of\s+the\s+invoice|(?:made|make)\s+(?:it\s+)?out\s+to|company\s+name|"
    rf"bill(?:ed)?\s+to|"
    rf"invoice\s+(?:it\s+)?to)\s*(?:is|should\s+be|:)?\s*:?\s*"
    rf"(?P<en>{_ORG_EN}|{_PERSONAL}|{_NAME_EN})(?![A-Za-z])",
    re.IGNORECASE,
)
_ANSWER_OPENING = re.compile(r"(?:(?:发票)?抬头)?(?:写成|是|为|写|开|就|用)?\s*[:：]?\s*")
_ANSWER = re.compile(rf"(?:{_ORG_CN}|{_ORG_EN}|{_PERSONAL}|{_NAME_CN}|{_NAME_EN})(?=(?:的|吧|就行|就可以|就好|即可|抬头|发票)*{_END})",
                     re.IGNORECASE)
_TAX_LABEL = (r"(?:纳税人识别号|纳税识别号|识别号|税号|统一社会信用代码|社会信用代码|信用代码|"
              r"\btax\s*(?:id|no\.?|number|code)|\bvat\s*(?:id|no\.?|number)|\btin\b)")
_TAX_KEYED = quick(rf"{_TAX_LABEL}\s*(?:是|为|is|:)?\s*[:：]?\s*([0-9A-Za-z]{{15,20}}){_EDGE_R}", re.IGNORECASE)
_TAX_ALONE = re.compile(rf"{_EDGE_L}([0-9A-Za-z]{{15,20}}){_EDGE_R}")
_BEFORE_TAX_ID = re.compile(rf"(?<![\u4e00-\u9fffA-Za-z0-9（）()·&]){_ORG_CN}(?=\s*[，,:：]?\s*{_TAX_LABEL})",
                            re.IGNORECASE)
"""An organisation's name written just before its tax id, unlabelled ("杭州某某科技有限公司 税号9133…"): the title."""
_TAX_WORDS = ("税号", "识别号", "信用代码")
_TAX_ANSWER = re.compile(rf"^\s*(?:{_TAX_LABEL}\s*(?:是|为|is)?\s*[:：]?)?\s*([0-9A-Za-z]{{15,20}})[\s。.!！]*$",
                         re.IGNORECASE)
_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The alphabet of a unified social credit code (no I, O, S, V, Z), in the order of their values."""
_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
                    r"\.[A-Za-z]{2,})(?![A-Za-z0-9-])")
_REQUEST = quick(
    r"(?:补|重新|重|再|换|改)?开(?:具|一?张|个|一下|下)?(?:个人|公司|单位)?的?(?:增值税)?(?:专用|普通|电子|纸质)?(?:发票|专票|普票)"
    r"|(?:要|需要)(?:一?张|个)?(?:发票|专票|普票)"
    r"|(?:补|重|再)开|开票|红冲|(?:换|改|更换|修改|变更)(?:一下|个)?(?:发票)?抬头|抬头.{0,6}(?:改|换)(?:成|为|一下)?"
    r"|开(?:个人|公司|单位|企业)的?抬头|抬头(?:开|写)(?:成|给|为)"
    r"|\b(?:issue|reissue|re-issue|need|want|request|send\s+me|make\s+out)"
    r"(?:\s+(?:a|an|the|my|our|new|vat|tax|proper|correct|another|me|us|it|again))*\s+invoices?\b"
    r"|\binvoice\s+(?:re-?issued|issued|corrected|changed)\b|\b(?:vat|tax|special)\s+invoice",
    re.IGNORECASE,
)


def invoice_titles(text: str, *, asked: bool = False) -> Found:
    """Where `text` names whom an invoice is made out to, and the title as it goes on the invoice; with `asked`,
    the answer to "what is the invoice title?" is one too, alone or before the rest ("杭州某某科技有限公司，税号…")."""
    opening = _ANSWER_OPENING.match(text.lstrip()) if asked else None
    answer = _ANSWER.match(text.lstrip(), opening.end()) if opening is not None else None
    if answer is not None:
        start = len(text) - len(text.lstrip()) + answer.start()
        return [(start, start + len(answer.group(0)), answer.group(0))]
    found: Found = []
    for m in _TITLE.finditer(text):
        group = next(g for g in ("cn", "name", "named", "own", "en") if m.group(g))
        found.append((m.start(group), m.end(group), m.group(group).strip()))
    if any(word in text for word in _TAX_WORDS):
        found += [(m.start(), m.end(), m.group(0)) for m in _BEFORE_TAX_ID.finditer(text)
                  if not any(s < m.end() and m.start() < e for s, e, _ in found)]
    return sorted(found)


def tax_ids(text: str, *, asked: bool = False) -> Found:
    """Where `text` gives a buyer's tax id, upper-cased: after its label, as the whole answer when `asked`, or a
    unified social credit code alone whose check character is right."""
    if asked and (answer := _TAX_ANSWER.match(text)) is not None:
        return [(answer.start(1), answer.end(1), answer.group(1).upper())]
    keyed = [(m.start(1), m.end(1), m.group(1).upper()) for m in _TAX_KEYED.finditer(text)]
    alone = [(m.start(1), m.end(1), m.group(1).upper()) for m in _TAX_ALONE.finditer(text)
             if credit_code(m.group(1).upper()) and not any(s <= m.start(1) < e for s, e, _ in keyed)]
    return sorted(keyed + alone)


def credit_code(code: str) -> bool:
    """Whether `code` is a unified social credit code (统一社会信用代码) with a letter in it and its check character
    right: an 18-digit number is read as an order number, as before."""
    if len(code) != 18 or code.isdigit() or any(c not in _CODE_CHARS for c in code):
        return False
    total = sum(_CODE_CHARS.index(c) * w for c, w in zip(code, _CODE_WEIGHTS))
    return _CODE_CHARS[(31 - total % 31) % 31] == code[-1]


def emails(text: str) -> Found:
    """Where `text` gives an e-mail address (lower-cased): where an electronic invoice is sent."""
    return [(m.start(1), m.end(1), m.group(1).lower()) for m in _EMAIL.finditer(text)] if "@" in text else []


def invoice_requests(text: str) -> list[str]:
    """The words of `text` that ask for an invoice to be issued or issued again ("开发票", "补开", "换抬头"); none
    in "发票还没收到"."""
    return [m.group(0).strip() for m in _REQUEST.finditer(text)]

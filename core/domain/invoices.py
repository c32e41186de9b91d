"""Invoices: whom an invoice is made out to (its title, 发票抬头) and what staff need before they can issue one.

An invoice to a company or any other organisation must carry the buyer's tax id (纳税人识别号, today the 18-character
unified social credit code); one to a person (个人, or their name) carries none. An organisation is told by the legal
form its name ends with (…有限公司, …研究所, … Co., Ltd.), which is how it is registered and printed on the invoice.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

ORGANISATION_ENDINGS = (
    "股份有限公司", "有限责任公司", "有限公司", "分公司", "公司", "集团", "研究所", "研究院", "设计院", "事务所", "工作室",
    "合作社", "中心", "协会", "基金会", "委员会", "学校", "大学", "学院", "中学", "小学", "幼儿园", "医院", "卫生院", "诊所",
    "银行", "酒店", "宾馆", "商行", "商店", "超市", "门市部", "经营部", "加工厂", "工厂", "厂", "店", "馆", "局",
)
"""What the name of a Chinese organisation ends with, longest first."""
ORGANISATION_ENDINGS_EN = r"Co\.?,?\s*Ltd\.?|Ltd\.?|Limited|Inc\.?|LLC|Corp\.?|Corporation|Company|GmbH|PLC|Group|" \
                          r"University|College|School|Hospital|Institute|Bank|Hotel"
"""What the name of an organisation written in English ends with."""
_ORGANISATION = re.compile(rf"(?:{'|'.join(ORGANISATION_ENDINGS)}|\b(?:{ORGANISATION_ENDINGS_EN}))\s*$", re.IGNORECASE)

TITLE_ENTITY = "invoice_titles"
TAX_ID_ENTITY = "tax_ids"
REQUEST_ENTITY = "invoice_requests"
"""Ticket entities: the customer's words asking for an invoice to be issued or issued again ("开票", "重开",
"换抬头", "issue an invoice"); an invoice that has not arrived is asked after with none of them."""


def is_organisation(title: str) -> bool:
    """Whether an invoice made out to `title` goes to an organisation (and so needs its tax id)."""
    return bool(_ORGANISATION.search(title.strip()))


def invoice_fields(entities: Mapping[str, Any]) -> tuple[str, ...]:
    """The details an invoice ticket needs besides its order, first to ask first: none to chase an invoice already
    issued ("发票还没收到"); the title for one to issue or issue again, then the tax id when the title names an
    organisation. A title given unasked says an invoice is to be issued under it."""
    titles = entities.get(TITLE_ENTITY) or ()
    if not (titles or entities.get(REQUEST_ENTITY)):
        return ()
    return ("title", "tax_id") if titles and is_organisation(str(titles[-1])) else ("title",)

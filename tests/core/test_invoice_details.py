"""What an invoice ticket needs before staff can issue the invoice: the order always, the title when an invoice is
to be issued (again), the tax id when that title is an organisation's; nothing more to chase one already issued."""
from __future__ import annotations

import pytest

from core.domain.details import missing_details
from core.domain.invoices import is_organisation


@pytest.mark.parametrize(("entities", "missing"), [
    ({}, ["order"]),
    ({"order_numbers": ["4200001234567890"]}, []),
    ({"invoice_requests": ["开发票"]}, ["order", "title"]),
    ({"invoice_requests": ["重开"], "order_numbers": ["4200001234567890"]}, ["title"]),
    ({"invoice_requests": ["开发票"], "invoice_titles": ["个人"]}, ["order"]),
    ({"invoice_requests": ["开发票"], "invoice_titles": ["王芳"], "order_numbers": ["4200001234567890"]}, []),
    ({"invoice_titles": ["杭州某某科技有限公司"], "order_numbers": ["4200001234567890"]}, ["tax_id"]),
    ({"invoice_titles": ["杭州某某科技有限公司"], "tax_ids": ["91330106MA2B3C4D5E"]}, ["order"]),
    ({"invoice_titles": ["Acme Trading Co., Ltd."], "order_numbers": ["1"]}, ["tax_id"]),
    ({"invoice_titles": ["个人", "杭州某某科技有限公司"], "order_numbers": ["1"]}, ["tax_id"]),
    ({"invoice_requests": ["开发票"], "order_numbers": ["1"], "waived": ["title"]}, []),
])
def test_an_invoice_ticket_needs_what_issuing_it_needs(entities: dict[str, list[str]], missing: list[str]) -> None:
    assert missing_details("invoice", entities) == missing


def test_other_types_do_not_ask_for_invoice_details() -> None:
    assert missing_details("logistics", {"invoice_requests": ["开发票"], "order_numbers": ["1"]}) == []


@pytest.mark.parametrize(("title", "organisation"), [
    ("杭州某某科技有限公司", True), ("浙江省某某研究所", True), ("杭州市第一人民医院", True), ("某某中学", True),
    ("Acme Trading Co., Ltd.", True), ("Contoso Inc", True), ("个人", False), ("王芳", False), ("John Smith", False),
    ("personal", False),
])
def test_an_organisation_is_told_by_its_legal_form(title: str, organisation: bool) -> None:
    assert is_organisation(title) is organisation

from nlp.tokenize import domain_terms, words


def test_domain_dictionary_keeps_after_sales_terms_whole() -> None:
    tokens = words("我家空调不制冷了，外机还有异响，想报修")
    assert {"空调", "不制冷", "外机", "异响", "报修"} <= set(tokens)
    assert "燃气味" in domain_terms()

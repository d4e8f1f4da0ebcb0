from datetime import date
from decimal import Decimal as D

import pytest

from huikuan.sales.plans import build_plan
from huikuan.sales.vocabulary import item_kind_of, payment_method_of


@pytest.mark.parametrize("method", ["lump_sum", "mortgage", "provident_fund", "combination", "installment"])
def test_every_plan_sums_exactly_to_the_price(method):
    lines = build_plan(method, D("1234567.89"), date(2026, 1, 31), deposit=D("50000.00"))
    assert sum(line.amount for line in lines) == D("1234567.89")
    assert lines[0].kind == "deposit"


def test_mortgage_plan_is_deposit_down_payment_and_loan():
    lines = build_plan("mortgage", D("2000000.00"), date(2026, 3, 2), deposit=D("50000.00"))
    assert [(line.kind, line.amount, line.due_date) for line in lines] == [
        ("deposit", D("50000.00"), date(2026, 3, 2)),
        ("down_payment", D("550000.00"), date(2026, 3, 9)),
        ("mortgage_loan", D("1400000.00"), date(2026, 4, 1)),
    ]


def test_combination_caps_the_provident_part():
    lines = build_plan("combination", D("3000000.00"), date(2026, 3, 2))
    kinds = {line.kind: line.amount for line in lines}
    assert kinds == {"down_payment": D("900000.00"), "provident_loan": D("1200000.00"),
                     "mortgage_loan": D("900000.00")}


def test_installments_month_end_dates_clamp():
    lines = build_plan("installment", D("1000000.00"), date(2026, 11, 30))
    dates = [line.due_date for line in lines if line.kind == "installment"]
    assert dates == [date(2027, 2, 28), date(2027, 5, 30), date(2027, 8, 30), date(2027, 11, 30)]


@pytest.mark.parametrize(("text", "expected"), [
    ("一次性", "lump_sum"), ("商业按揭", "mortgage"), ("按揭", "mortgage"), ("公积金贷款", "provident_fund"),
    ("组合贷", "combination"), ("分期", "installment"), ("Lump Sum", "lump_sum"), ("Provident fund", "provident_fund"),
])
def test_payment_method_names(text, expected):
    assert payment_method_of(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("定金", ("deposit", 1)), ("首付款", ("down_payment", 1)), ("首付", ("down_payment", 1)),
    ("按揭款", ("mortgage_loan", 1)), ("公积金贷款", ("provident_loan", 1)), ("分期款3", ("installment", 3)),
    ("尾款", ("final_payment", 1)), ("房款", ("full_payment", 1)), ("车位费", ("other", 1)),
    ("Installment 2", ("installment", 2)),
])
def test_item_names(text, expected):
    assert item_kind_of(text) == expected

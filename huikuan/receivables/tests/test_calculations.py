"""The pure ledger arithmetic, with exact Decimal expectations."""

from datetime import date
from decimal import Decimal as D

from huikuan.core.calendar import BusinessCalendar
from huikuan.receivables.calculations import (
    Line,
    Payment,
    Terms,
    apply_oldest_first,
    contract_position,
    late_fee_total,
)

TERMS = Terms(daily_rate=D("0.0005"), grace_days=0, cap=None)


def test_payments_cover_oldest_due_first():
    lines = [Line("b", date(2026, 4, 1), D("300.00")), Line("a", date(2026, 3, 1), D("200.00"))]
    states = apply_oldest_first(lines, [Payment(date(2026, 3, 5), D("250.00"))])
    assert [(s.line.key, s.unpaid) for s in states] == [("a", D("0.00")), ("b", D("250.00"))]


def test_late_fee_is_rate_times_overdue_principal_times_days():
    # given 100,000 due 2026-03-02 (a Monday), unpaid
    lines = [Line(1, date(2026, 3, 2), D("100000.00"))]
    # when we look 10 days later
    states = apply_oldest_first(lines, [])
    # then 100,000 × 0.05 % × 10 = 500.00
    assert late_fee_total(states, TERMS, date(2026, 3, 12)) == D("500.00")


def test_late_fee_stops_on_the_day_each_part_was_paid():
    lines = [Line(1, date(2026, 3, 2), D("100000.00"))]
    states = apply_oldest_first(lines, [Payment(date(2026, 3, 7), D("60000.00"))])
    # 60,000 × 5 days + 40,000 × 10 days = 700,000 principal-days × 0.0005 = 350.00
    assert late_fee_total(states, TERMS, date(2026, 3, 12)) == D("350.00")


def test_grace_days_cost_nothing_and_the_cap_holds():
    lines = [Line(1, date(2026, 3, 2), D("100000.00"))]
    states = apply_oldest_first(lines, [])
    assert late_fee_total(states, Terms(D("0.0005"), grace_days=3), date(2026, 3, 12)) == D("350.00")
    assert late_fee_total(states, Terms(D("0.0005"), grace_days=15), date(2026, 3, 12)) == D("0.00")
    assert late_fee_total(states, Terms(D("0.0005"), cap=D("123.45")), date(2026, 3, 12)) == D("123.45")


def test_bank_loan_lines_accrue_no_late_fee():
    lines = [Line(1, date(2026, 3, 2), D("700000.00"), accrues_late_fee=False)]
    assert late_fee_total(apply_oldest_first(lines, []), TERMS, date(2026, 6, 1)) == D("0.00")


def test_due_date_on_a_holiday_rolls_to_the_next_business_day():
    # 2026-10-01 is National Day; the holiday runs to 10-07 (data as the calendar table would hold it)
    cal = BusinessCalendar.of(holidays=[date(2026, 10, d) for d in range(1, 8)])
    lines = [Line(1, date(2026, 10, 1), D("10000.00"))]
    pos = contract_position(lines, [], TERMS, date(2026, 10, 8), roll=cal.roll_forward)
    assert pos.overdue == D("0.00")          # due in effect on 10-08, not yet late
    assert pos.due == D("10000.00")
    pos = contract_position(lines, [], TERMS, date(2026, 10, 9), roll=cal.roll_forward)
    assert (pos.overdue, pos.late_fee) == (D("10000.00"), D("5.00"))


def test_position_counts_refunds_and_ignores_future_receipts():
    lines = [Line(1, date(2026, 3, 1), D("500.00")), Line(2, date(2026, 5, 1), D("500.00"))]
    payments = [Payment(date(2026, 2, 1), D("600.00")), Payment(date(2026, 2, 10), D("-100.00")),
                Payment(date(2026, 7, 1), D("400.00"))]
    pos = contract_position(lines, payments, TERMS, date(2026, 6, 1))
    assert pos.received == D("500.00")
    assert pos.due == D("1000.00")
    assert pos.overdue == D("500.00")
    assert pos.late_fee == D("7.75")   # line 2: 500 × 31 days (05-01 → 06-01) × 0.0005

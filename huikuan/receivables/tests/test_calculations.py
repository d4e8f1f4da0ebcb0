"""The pure ledger arithmetic, with exact Decimal expectations."""

from datetime import date
from decimal import Decimal as D

from huikuan.core.calendar import BusinessCalendar
from huikuan.receivables.calculations import Line, Payment, Terms, contract_position

TERMS = Terms(daily_rate=D("0.0005"), grace_days=0, cap=None)


def position(lines, payments, as_of, terms=TERMS, **kw):
    return contract_position(lines, payments, terms, as_of, **kw)


def test_payments_cover_oldest_due_first():
    lines = [Line("b", date(2026, 4, 1), D("300.00")), Line("a", date(2026, 3, 1), D("200.00"))]
    pos = position(lines, [Payment(date(2026, 3, 5), D("250.00"))], date(2026, 3, 6))
    assert [(r.key, r.unpaid) for r in pos.lines] == [("a", D("0.00")), ("b", D("250.00"))]


def test_late_fee_is_rate_times_overdue_principal_times_days():
    # given 100,000 due 2026-03-02 (a Monday), unpaid; 10 days later
    pos = position([Line(1, date(2026, 3, 2), D("100000.00"))], [], date(2026, 3, 12))
    # then 100,000 × 0.05 % × 10 = 500.00
    assert (pos.late_fee, pos.overdue, pos.lines[0].days_late) == (D("500.00"), D("100000.00"), 10)


def test_late_fee_stops_on_the_day_each_part_was_paid():
    pos = position([Line(1, date(2026, 3, 2), D("100000.00"))], [Payment(date(2026, 3, 7), D("60000.00"))],
                   date(2026, 3, 12))
    # 60,000 × 5 days + 40,000 × 10 days = 700,000 principal-days × 0.0005 = 350.00
    assert pos.late_fee == D("350.00")


def test_grace_days_cost_nothing_and_the_cap_holds():
    lines = [Line(1, date(2026, 3, 2), D("100000.00"))]
    assert position(lines, [], date(2026, 3, 12), Terms(D("0.0005"), grace_days=3)).late_fee == D("350.00")
    assert position(lines, [], date(2026, 3, 12), Terms(D("0.0005"), grace_days=15)).late_fee == D("0.00")
    assert position(lines, [], date(2026, 3, 12), Terms(D("0.0005"), cap=D("123.45"))).late_fee == D("123.45")


def test_each_lines_fee_rounds_half_up_to_the_cent():
    # 33.33 × 0.0005 × 1 day = 0.016665 → 0.02
    pos = position([Line(1, date(2026, 3, 2), D("33.33"))], [], date(2026, 3, 3))
    assert pos.late_fee == D("0.02")


def test_bank_loan_lines_accrue_no_late_fee():
    lines = [Line(1, date(2026, 3, 2), D("700000.00"), accrues_late_fee=False)]
    assert position(lines, [], date(2026, 6, 1)).late_fee == D("0.00")


def test_due_date_on_a_holiday_rolls_to_the_next_business_day():
    # 2026-10-01 is National Day; the holiday runs to 10-07 (data as the calendar table would hold it)
    cal = BusinessCalendar.of(holidays=[date(2026, 10, d) for d in range(1, 8)])
    lines = [Line(1, date(2026, 10, 1), D("10000.00"))]
    pos = position(lines, [], date(2026, 10, 8), roll=cal.roll_forward)
    assert (pos.overdue, pos.due) == (D("0.00"), D("10000.00"))   # due in effect on 10-08, not yet late
    pos = position(lines, [], date(2026, 10, 9), roll=cal.roll_forward)
    assert (pos.overdue, pos.late_fee) == (D("10000.00"), D("5.00"))


def test_position_counts_refunds_and_ignores_future_receipts():
    lines = [Line(1, date(2026, 3, 1), D("500.00")), Line(2, date(2026, 5, 1), D("500.00"))]
    payments = [Payment(date(2026, 2, 1), D("600.00")), Payment(date(2026, 2, 10), D("-100.00")),
                Payment(date(2026, 7, 1), D("400.00"))]
    pos = position(lines, payments, date(2026, 6, 1))
    assert (pos.received, pos.due, pos.overdue) == (D("500.00"), D("1000.00"), D("500.00"))
    assert pos.late_fee == D("7.75")   # line 2: 500 × 31 days (05-01 → 06-01) × 0.0005


def test_over_payment_is_left_over_not_spread():
    pos = position([Line(1, date(2026, 3, 2), D("100.00"))], [Payment(date(2026, 3, 1), D("150.00"))],
                   date(2026, 4, 1))
    assert (pos.received, pos.overdue, pos.lines[0].unpaid) == (D("150.00"), D("0.00"), D("0.00"))

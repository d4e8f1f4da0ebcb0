"""The pure engines: buckets, levels, step timing (with the real 2026 calendar), priority."""

from datetime import date
from decimal import Decimal

import pytest

from huikuan.core.services import business_calendar
from huikuan.dunning import aging, levels, policy, priority
from huikuan.dunning.aging import Bucket


def test_days_overdue_counts_from_the_effective_due_date():
    # given a line due (after rolling) on 2026-03-09
    # when / then: the due day itself is not late, the next day is day 1
    assert aging.days_overdue(date(2026, 3, 9), date(2026, 3, 9)) == 0
    assert aging.days_overdue(date(2026, 3, 9), date(2026, 3, 10)) == 1
    assert aging.days_overdue(date(2026, 3, 9), date(2026, 3, 1)) == 0


@pytest.mark.parametrize(("days", "label"), [
    (0, ""), (1, "1-30"), (30, "1-30"), (31, "31-60"), (60, "31-60"), (61, "61-90"), (90, "61-90"),
    (91, "91-180"), (180, "91-180"), (181, "181-365"), (365, "181-365"), (366, ">365"), (4000, ">365"),
])
def test_default_buckets_edges(days, label):
    assert aging.bucket_for(days) == label


def test_configured_buckets_are_used_and_checked():
    # given two custom buckets
    buckets = [Bucket("短期", 1, 10), Bucket("长期", 11, None)]
    # then they bucket days and pass the gap check; a gap is refused
    assert aging.bucket_for(10, buckets) == "短期"
    assert aging.bucket_for(11, buckets) == "长期"
    aging.check_buckets(buckets)
    with pytest.raises(ValueError, match="starts at day 12, expected 11"):
        aging.check_buckets([Bucket("a", 1, 10), Bucket("b", 12, None)])


RULES = levels.DEFAULT_RULES


@pytest.mark.parametrize(("days", "amount", "kind", "risk", "level"), [
    (0, "100.00", "installment", "normal", ""),            # not late
    (1, "100.00", "installment", "normal", "blue"),
    (30, "100.00", "installment", "normal", "blue"),
    (31, "100.00", "installment", "normal", "yellow"),     # over 30 days
    (8, "500000.00", "installment", "normal", "yellow"),   # large amount over 7 days
    (7, "500000.00", "installment", "normal", "blue"),
    (8, "100.00", "installment", "high", "yellow"),        # risky customer
    (31, "100.00", "installment", "high", "red"),
    (90, "100.00", "installment", "normal", "yellow"),
    (91, "100.00", "installment", "normal", "red"),
    (60, "3000000.00", "mortgage_loan", "normal", "blue"),  # a late bank is judged on its own ladder
    (61, "3000000.00", "mortgage_loan", "normal", "yellow"),
    (181, "3000000.00", "mortgage_loan", "high", "red"),
])
def test_default_levels(days, amount, kind, risk, level):
    verdict = levels.evaluate(RULES, levels.Facts(days, Decimal(amount), kind, risk))
    assert verdict.level == level


@pytest.mark.parametrize(("days", "sla_over", "kind", "level"), [
    (0, 0, "mortgage_loan", ""),          # the bank within its deadline and its stage SLA
    (0, 1, "mortgage_loan", "blue"),      # a stage past its SLA: late before the deadline
    (0, 9, "provident_loan", "blue"),
    (0, 10, "mortgage_loan", "yellow"),   # 10 business days over
    (61, 1, "mortgage_loan", "yellow"),   # past the deadline: the more serious rule wins
    (0, 12, "installment", ""),           # only bank loans have a bank to be late
])
def test_a_bank_over_its_stage_sla_warns_before_the_deadline(days, sla_over, kind, level):
    facts = levels.Facts(days, Decimal("800000.00"), kind, "normal", sla_over)
    assert levels.evaluate(RULES, facts).level == level
    assert levels.Judge(RULES).judge(facts).level == level


def test_the_reason_of_a_bank_warning_says_how_far_over_its_sla():
    verdict = levels.evaluate(RULES, levels.Facts(0, Decimal("800000.00"), "mortgage_loan", "normal", 3))
    assert verdict == levels.Verdict("blue", "bank over its stage SLA: 0 days, 800000.00 overdue, mortgage_loan, "
                                             "risk normal, bank 3 business days over its stage SLA")


def test_level_reason_names_the_rule_and_facts():
    verdict = levels.evaluate(RULES, levels.Facts(95, Decimal("1200.50"), "down_payment", "normal"))
    assert verdict == levels.Verdict("red", "over 90 days: 95 days, 1200.50 overdue, down_payment, risk normal")


def test_a_rule_limited_by_amount_and_kind():
    # given a single rule: red from 10,000.00 on installments only
    rules = [levels.Rule("big installment", "red", min_days=1, min_amount=Decimal("10000.00"),
                         kinds=frozenset({"installment"}))]
    # then
    assert levels.evaluate(rules, levels.Facts(5, Decimal("10000.00"), "installment")).level == "red"
    assert levels.evaluate(rules, levels.Facts(5, Decimal("9999.99"), "installment")).level == ""
    assert levels.evaluate(rules, levels.Facts(5, Decimal("10000.00"), "down_payment")).level == ""


@pytest.mark.django_db
def test_step_timing_across_the_2026_national_day_holiday():
    # given the calendar table seeded with 2026: 10-01..10-07 holidays, 09-20 and 10-10 make-up workdays
    cal = business_calendar()
    assert not cal.is_business_day(date(2026, 10, 5))
    assert cal.is_business_day(date(2026, 10, 10))  # Saturday, 调休
    due = date(2026, 9, 29)  # Tuesday
    # when / then: 2 calendar days after due lands on 10-01 and moves to the first day back, 10-08
    assert policy.step_date(policy.Timing("after_due", 2), due=due, previous=None, calendar=cal) == date(2026, 10, 8)
    # 3 business days after due: 09-30, 10-08, 10-09
    assert policy.step_date(policy.Timing("after_due", 3, True), due=due, previous=None,
                            calendar=cal) == date(2026, 10, 9)
    # 1 business day after a step on 10-09 (Friday) is the make-up Saturday 10-10
    assert policy.step_date(policy.Timing("after_previous", 1, True), due=due, previous=date(2026, 10, 9),
                            calendar=cal) == date(2026, 10, 10)
    # a courtesy reminder 3 days before a 10-08 due date would fall on 10-05: it moves back to 09-30
    assert policy.step_date(policy.Timing("before_due", 3), due=date(2026, 10, 8), previous=None,
                            calendar=cal) == date(2026, 9, 30)
    # a due date on a holiday is due on the next business day; steps count from there
    assert policy.step_date(policy.Timing("after_due", 1), due=date(2026, 10, 3), previous=None,
                            calendar=cal) == date(2026, 10, 9)


@pytest.mark.django_db
def test_a_schedule_chains_after_previous_steps():
    # given the standard ladder's first blue steps for a line due 2026-09-28 (Monday)
    cal = business_calendar()
    timings = [policy.Timing("after_due", 1), policy.Timing("after_previous", 3),
               policy.Timing("after_previous", 5, True)]
    # when
    days = policy.schedule(timings, due=date(2026, 9, 28), calendar=cal)
    # then: sms 09-29; e-mail 10-02 is a holiday → 10-08; call 5 business days on: 10-09, 10-10, 10-12, 10-13, 10-14
    assert days == [date(2026, 9, 29), date(2026, 10, 8), date(2026, 10, 14)]


def test_priority_is_amount_times_days_times_risk():
    assert priority.score(Decimal("1000.00"), 10) == Decimal("10000")
    assert priority.score(Decimal("1000.00"), 10, "high", "red") == Decimal("40000")
    assert priority.score(Decimal("1000.00"), 0) == Decimal("0")

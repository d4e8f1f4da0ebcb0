"""Disbursement deadlines and stage SLAs across the 2026 National Day holiday and its make-up days.

2026: Mid-Autumn 25–27 Sep, National Day 1–7 Oct (holidays); Sun 20 Sep and Sat 10 Oct are
make-up working days (调休). The DB calendar is seeded with them by core's migration.
"""

from datetime import date
from decimal import Decimal as D

import pytest

from huikuan.core.calendar import WEEKENDS_ONLY
from huikuan.core.services import business_calendar
from huikuan.mortgages import deadlines
from huikuan.mortgages.choices import LoanKind, Stage


@pytest.fixture
def cal(db):  # type: ignore[no-untyped-def]
    return business_calendar()


def test_commercial_deadline_is_30_days_rolled_past_national_day(cal):
    # given a contract signed on 1 Sep 2026; +30 days is Thu 1 Oct, a holiday
    # then the deadline rolls forward to the first business day after the holiday, Thu 8 Oct
    assert deadlines.disbursement_deadline(date(2026, 9, 1), LoanKind.COMMERCIAL, cal) == date(2026, 10, 8)


def test_provident_deadline_is_60_days(cal):
    # 2 Aug + 60 days = 1 Oct (holiday) → 8 Oct; 10 Jul + 60 = 8 Sep (a Tuesday, no roll)
    assert deadlines.disbursement_deadline(date(2026, 8, 2), LoanKind.PROVIDENT, cal) == date(2026, 10, 8)
    assert deadlines.disbursement_deadline(date(2026, 7, 10), LoanKind.PROVIDENT, cal) == date(2026, 9, 8)


def test_project_days_replace_the_default(cal):
    # given a project that allows 45 days for commercial loans: 1 Sep + 45 = Fri 16 Oct
    days = {LoanKind.COMMERCIAL: 45, LoanKind.PROVIDENT: None}
    assert deadlines.disbursement_deadline(date(2026, 9, 1), LoanKind.COMMERCIAL, cal, days) == date(2026, 10, 16)
    # a kind the project leaves empty keeps the default
    assert deadlines.disbursement_deadline(date(2026, 7, 10), LoanKind.PROVIDENT, cal, days) == date(2026, 9, 8)


def test_stage_sla_skips_the_holiday_and_counts_the_saturday_make_up_day(cal):
    # given a stage entered on Tue 29 Sep with an SLA of 5 business days:
    # Wed 30 Sep (1), [1–7 Oct holiday], Thu 8 (2), Fri 9 (3), Sat 10 make-up (4), Mon 12 (5)
    assert deadlines.stage_due(date(2026, 9, 29), 5, cal) == date(2026, 10, 12)
    # on a weekends-only calendar the same SLA would end on Tue 6 Oct
    assert deadlines.stage_due(date(2026, 9, 29), 5, WEEKENDS_ONLY) == date(2026, 10, 6)


def test_sla_breach_starts_the_business_day_after_the_due_date(cal):
    assert deadlines.is_breached(date(2026, 9, 29), 5, date(2026, 10, 12), cal) is False
    assert deadlines.is_breached(date(2026, 9, 29), 5, date(2026, 10, 13), cal) is True
    # days in stage during the holiday do not grow
    assert deadlines.business_days_in_stage(date(2026, 9, 29), date(2026, 10, 7), cal) == 1


def test_sunday_make_up_day_counts_as_a_business_day(cal):
    # entered Fri 18 Sep with a 1-day SLA: Sun 20 Sep is a make-up working day
    assert deadlines.stage_due(date(2026, 9, 18), 1, cal) == date(2026, 9, 20)
    # and the Mid-Autumn holiday Fri 25 Sep does not count: entered Thu 24, 1 day → Mon 28 Sep
    assert deadlines.stage_due(date(2026, 9, 24), 1, cal) == date(2026, 9, 28)


def test_untimed_stage_is_never_breached(cal):
    assert deadlines.stage_sla_days(Stage.CLOSED) is None
    assert deadlines.is_breached(date(2026, 1, 5), None, date(2026, 12, 31), cal) is False


def test_bank_sla_overrides_the_default():
    assert deadlines.stage_sla_days(Stage.APPROVAL) == 10
    assert deadlines.stage_sla_days(Stage.APPROVAL, {Stage.APPROVAL: 7}) == 7


def test_average_and_p90_to_one_place():
    # p90 of 10, 20, 30, 40: rank 0.9 × 3 = 2.7 → 30 + 0.7 × 10 = 37.0
    assert deadlines.percentile([40, 10, 30, 20], 90) == D("37.0")
    assert deadlines.average([10, 20, 31]) == D("20.3")
    assert deadlines.percentile([12], 90) == D("12.0")
    assert deadlines.average([]) is None and deadlines.percentile([], 90) is None

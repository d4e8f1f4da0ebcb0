"""The business-day calendar: weekends, public holidays and make-up working days, as editable data."""

from datetime import date

import pytest

from huikuan.core.calendar import BusinessCalendar, parse_day
from huikuan.core.models import CalendarDay
from huikuan.core.services import business_calendar, refresh_business_calendar


def test_pure_calendar_rolls_and_counts():
    cal = BusinessCalendar.of(holidays=[date(2026, 10, d) for d in range(1, 8)], workdays=[date(2026, 10, 10)])
    assert cal.roll_forward(date(2026, 10, 1)) == date(2026, 10, 8)
    assert cal.is_business_day(date(2026, 10, 10))           # a Saturday worked in lieu
    assert cal.add_business_days(date(2026, 9, 30), 2) == date(2026, 10, 9)
    assert cal.business_days_between(date(2026, 9, 30), date(2026, 10, 12)) == 4   # 8, 9, 10 (Sat), 12


@pytest.mark.django_db
def test_seeded_table_knows_2026_national_day_and_its_make_up_days():
    cal = business_calendar()
    assert not cal.is_business_day(date(2026, 10, 5))
    assert cal.is_business_day(date(2026, 9, 20))            # Sunday, worked for National Day
    assert cal.roll_forward(date(2026, 10, 1)) == date(2026, 10, 8)


@pytest.mark.django_db
def test_an_administrator_can_add_next_years_days_without_a_release():
    # 2028 is beyond the libraries: a person enters the published days
    assert business_calendar().is_business_day(date(2028, 1, 31))
    CalendarDay.objects.create(day=date(2028, 1, 31), kind="holiday", name="春节")
    CalendarDay.objects.create(day=date(2028, 2, 5), kind="workday", name="春节调休")
    cal = business_calendar()
    assert not cal.is_business_day(date(2028, 1, 31))
    assert cal.is_business_day(date(2028, 2, 5))


@pytest.mark.django_db
def test_library_refresh_is_idempotent_and_keeps_manual_edits():
    CalendarDay.objects.filter(day=date(2026, 10, 1)).update(name="国庆（手工）", source="manual", kind="holiday")
    CalendarDay.objects.filter(day=date(2026, 10, 2)).delete()
    assert refresh_business_calendar([2026]) == 1            # only the missing day comes back
    assert refresh_business_calendar([2026]) == 0
    assert CalendarDay.objects.get(day=date(2026, 10, 1)).name == "国庆（手工）"


def test_a_day_given_as_text_falls_back_to_the_default_when_missing_or_not_a_date():
    default = date(2026, 3, 1)
    assert parse_day("2026-03-31", default) == date(2026, 3, 31)
    assert parse_day("", default) == default and parse_day(None, default) == default
    assert parse_day("2026-02-30", default) == default and parse_day("next week", default) == default

"""Core services: the business-day calendar, the audit trail, document numbers."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from .calendar import BusinessCalendar
from .choices import CalendarDayKind, CalendarSource
from .models import AuditEvent, CalendarDay, Sequence

# --- business calendar ----------------------------------------------------------------------

_calendar_lock = threading.Lock()
_calendar_cache: BusinessCalendar | None = None


def business_calendar() -> BusinessCalendar:
    """The calendar as the table says now (cached per process, dropped when a row changes)."""
    global _calendar_cache
    with _calendar_lock:
        if _calendar_cache is None:
            holidays: list[date] = []
            workdays: list[date] = []
            for day, kind in CalendarDay.objects.values_list("day", "kind"):
                (holidays if kind == CalendarDayKind.HOLIDAY else workdays).append(day)
            _calendar_cache = BusinessCalendar.of(holidays, workdays)
        return _calendar_cache


def forget_calendar() -> None:
    global _calendar_cache
    with _calendar_lock:
        _calendar_cache = None


@receiver(post_save, sender=CalendarDay)
@receiver(post_delete, sender=CalendarDay)
def _calendar_changed(**_: Any) -> None:
    forget_calendar()


def library_calendar_days(years: Iterable[int]) -> dict[date, tuple[str, str]]:
    """Holidays and make-up days the libraries know: chinesecalendar (with 调休, up to its last
    year), then `holidays` for later years (public holidays only; make-up days are entered by hand
    when published)."""
    import chinese_calendar.constants as cc
    import holidays as holidays_lib

    wanted = set(years)
    days: dict[date, tuple[str, str]] = {}
    covered = {d.year for d in cc.holidays}
    for day, name in cc.holidays.items():
        if day.year in wanted:
            days[day] = (CalendarDayKind.HOLIDAY, str(name))
    for day, name in cc.workdays.items():
        if day.year in wanted:
            days[day] = (CalendarDayKind.WORKDAY, str(name))
    later = sorted(wanted - covered)
    if later:
        for day, name in holidays_lib.China(years=later).items():
            days[day] = (CalendarDayKind.HOLIDAY, str(name))
    return days


@transaction.atomic
def refresh_business_calendar(years: Iterable[int]) -> int:
    """Add or update library days for `years`; rows a person entered are left as they are.
    Returns how many rows were written. Running it twice writes nothing the second time."""
    days = library_calendar_days(years)
    existing = {c.day: c for c in CalendarDay.objects.filter(day__in=list(days))}
    to_create: list[CalendarDay] = []
    to_update: list[CalendarDay] = []
    for day, (kind, name) in sorted(days.items()):
        row = existing.get(day)
        if row is None:
            to_create.append(CalendarDay(day=day, kind=kind, name=name, source=CalendarSource.LIBRARY))
        elif row.source == CalendarSource.LIBRARY and (row.kind, row.name) != (kind, name):
            row.kind, row.name = kind, name
            to_update.append(row)
    CalendarDay.objects.bulk_create(to_create)
    CalendarDay.objects.bulk_update(to_update, ["kind", "name"])
    forget_calendar()
    return len(to_create) + len(to_update)


# --- audit ----------------------------------------------------------------------------------


def record(actor: Any, action: str, obj: models.Model, **data: Any) -> AuditEvent:
    """Append an audit event; call it inside the transaction that made the change."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        data={key: _jsonable(value) for key, value in data.items()},
    )


def record_many(actor: Any, events: Iterable[tuple[str, str, Any, dict[str, Any]]]) -> int:
    """`record` for many events at once (one INSERT run many times): each event is (action, object type as
    `app_label.model`, object id, data). Call it inside the transaction that made the changes."""
    from .bulk import insert_rows, json_adapter

    user = getattr(actor, "pk", None)
    as_json = json_adapter()
    rows = ((action, label, str(pk), as_json({key: value if type(value) is str else _jsonable(value)
                                              for key, value in data.items()}))
            for action, label, pk, data in events)
    return insert_rows(AuditEvent, ["action", "object_type", "object_id", "data"], rows,
                       same={"actor": user, "at": timezone.now()})


def _jsonable(value: Any) -> Any:
    """Text, whole numbers, booleans and None as they are; dicts (keys as text) and lists of them; anything
    else (a Decimal, a date, a float) as its text. Plain text skips the call (most values are)."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, dict):
        return {str(k): v if type(v) is str else _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [v if type(v) is str else _jsonable(v) for v in value]
    return str(value)


# --- numbering ------------------------------------------------------------------------------


def next_number(prefix: str, year: int, width: int = 6) -> str:
    """`PREFIX-YEAR-000001`, gap-free, safe under concurrency (the counter row is locked)."""
    return next_numbers(prefix, year, 1, width)[0]


def next_numbers(prefix: str, year: int, count: int, width: int = 6) -> list[str]:
    """The next `count` numbers of `PREFIX-YEAR`, taken as one block (one locked counter update)."""
    key = f"{prefix}-{year}"
    if count <= 0:
        return []
    with transaction.atomic():
        Sequence.objects.get_or_create(key=key)
        seq = Sequence.objects.select_for_update().get(key=key)
        first = seq.last + 1
        seq.last += count
        seq.save(update_fields=["last"])
    return [f"{key}-{n:0{width}d}" for n in range(first, first + count)]

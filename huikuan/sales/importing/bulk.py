"""Fast inserts for imports: one prepared INSERT run with executemany over plain tuples.

`bulk_create` builds a model instance and a fresh SQL string per batch; over half a million plan
lines that costs most of an import's time. Here values are passed as the database driver takes them
(Decimal, date, str, int, None — Django registers the SQLite adapters; psycopg adapts them natively)
and auto-now timestamps are filled once. Rows get their ids back through `ids_by`, by natural key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

BATCH = 5000
LOOKUP_CHUNK = 900    # values per IN (…): below every database's parameter limit


def insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """INSERT `rows` (tuples in the order of `fields`) into `model`'s table. Every other column gets
    the model's default (computed once), auto_now(_add) columns the current time. Returns the count."""
    meta = model._meta
    now = timezone.now()
    rest = [f for f in meta.concrete_fields if f.name not in fields and not f.primary_key]
    extra = []
    for f in rest:
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            extra.append(f.get_db_prep_save(now, connection))
        else:
            extra.append(f.get_db_prep_save(f.get_default(), connection))
    columns = [str(meta.get_field(name).column) for name in fields]  # type: ignore[union-attr]
    columns += [str(f.column) for f in rest]
    quote = connection.ops.quote_name
    # table and column names come from the model; every value is a bound parameter
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(meta.db_table), ", ".join(quote(c) for c in columns), ", ".join(["%s"] * len(columns)))
    tail = tuple(extra)
    written = 0
    batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append((*row, *tail))
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def ids_by(queryset: models.QuerySet | models.Manager, field: str, keys: Iterable[Any]) -> dict[Any, int]:
    """{natural key: pk} for the rows of `queryset` whose `field` is one of `keys`."""
    wanted = list(keys)
    found: dict[Any, int] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start:start + LOOKUP_CHUNK]
        found.update(queryset.filter(**{f"{field}__in": chunk}).values_list(field, "pk"))
    return found

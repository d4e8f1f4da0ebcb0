"""Many-row writes as one prepared statement run many times — for imports and the nightly scan.

Django's `bulk_update` builds a CASE WHEN per row and field, and `bulk_create` builds a model instance
and prepares every value through the compiler — fine for dozens of rows, slow for the half a million
plan lines of an import or the late lines a nightly scan touches. These take plain tuples instead:
values go in as the database driver takes them (int, str, Decimal, date, None — Django registers the
SQLite adapters; psycopg adapts them natively), and a value the same for every row (a timestamp, a
default) is prepared once by its field. Rows get their ids back through `ids_by`, by natural key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any

import orjson
from django.db import connection, models
from django.utils import timezone

BATCH = 5_000
LOOKUP_CHUNK = 900    # values per IN (…): below every database's parameter limit


def _quoted(model: type[models.Model], fields: Sequence[str]) -> tuple[str, list[str]]:
    meta = model._meta
    qn = connection.ops.quote_name
    return qn(meta.db_table), [qn(str((meta.pk if name == "pk" else meta.get_field(name)).column))  # type: ignore[union-attr]
                               for name in fields]


def _run(sql: str, rows: Iterable[Sequence[Any]], batch: int) -> int:
    done = 0
    chunk: list[Sequence[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                cursor.executemany(sql, chunk)
                done, chunk = done + len(chunk), []
        if chunk:
            cursor.executemany(sql, chunk)
            done += len(chunk)
    return done


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]], *,
                same: Mapping[str, Any] | None = None, fill_defaults: bool = False, ignore_conflicts: bool = False,
                batch: int = BATCH) -> int:
    """INSERT `rows` (tuples in the order of `fields`); `same` holds values shared by every row (each
    prepared once by its field). With `fill_defaults`, every other column gets the model's default
    (computed once) and auto_now(_add) columns the current time; without, columns named nowhere must
    have a database default or be nullable. With `ignore_conflicts`, a row that breaks a unique
    constraint is skipped. Returns the number of rows sent."""
    same = dict(same or {})
    meta = model._meta
    if fill_defaults:
        now = timezone.now()
        for f in meta.concrete_fields:
            if f.primary_key or f.name in fields or f.name in same:
                continue
            stamped = getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
            same[f.name] = now if stamped else f.get_default()
    tail = tuple(meta.get_field(name).get_db_prep_save(value, connection)  # type: ignore[union-attr]
                 for name, value in same.items())
    table, columns = _quoted(model, [*fields, *same])
    values = ", ".join(["%s"] * len(columns))
    suffix = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""  # SQLite 3.24+, PostgreSQL
    # names come from the model (quoted), values are parameters
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values}){suffix}"  # noqa: S608
    return _run(sql, ((*row, *tail) for row in rows), batch)


def ids_by(queryset: models.QuerySet | models.Manager, field: str, keys: Iterable[Any]) -> dict[Any, int]:
    """{natural key: pk} for the rows of `queryset` whose `field` is one of `keys`."""
    wanted = list(keys)
    found: dict[Any, int] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start:start + LOOKUP_CHUNK]
        found.update(queryset.filter(**{f"{field}__in": chunk}).values_list(field, "pk"))
    return found


def rows_in(model: type[models.Model], fields: Sequence[str], key: str, keys: Iterable[Any]) -> list[tuple]:
    """SELECT `fields` of the rows whose `key` is one of `keys`, as the database driver returns them (for ids
    and text: no Django conversion, and no per-value lookup preparation — thousands of keys cost little)."""
    wanted = list(dict.fromkeys(keys))
    table, columns = _quoted(model, fields)
    _, (column,) = _quoted(model, [key])
    found: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            chunk = wanted[start:start + LOOKUP_CHUNK]
            # names come from the model (quoted), values are parameters
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table} "  # noqa: S608
                           f"WHERE {column} IN ({', '.join(['%s'] * len(chunk))})", chunk)
            found += cursor.fetchall()
    return found


def rows_after(model: type[models.Model], fields: Sequence[str], after: int) -> list[tuple]:
    """SELECT `fields` of the rows with a primary key above `after` (the rows inserted since `last_pk`),
    as the database driver returns them."""
    table, columns = _quoted(model, fields)
    pk = connection.ops.quote_name(model._meta.pk.column)  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE {pk} > %s", [after])  # noqa: S608
        return cursor.fetchall()


def last_pk(model: type[models.Model]) -> int:
    """The highest primary key now (0 for an empty table): rows inserted after this call have higher ones."""
    return model._default_manager.order_by("-pk").values_list("pk", flat=True).first() or 0


def json_adapter() -> Callable[[Any], Any]:
    """value (plain JSON: str, int, float, bool, None, lists and dicts of them) → a JSON column's value as the
    database driver takes it (what `JSONField.get_db_prep_save` gives); get it once for many rows. On SQLite,
    where that value is the JSON text, orjson writes it (a tenth of the time of `json.dumps`; the same JSON,
    non-ASCII text as UTF-8 rather than escaped)."""
    if connection.vendor == "sqlite":
        return _json_text
    return partial(connection.ops.adapt_json_value, encoder=None)


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()  # keys as text, as json.dumps makes them


def update_values(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]],
                  batch: int = BATCH) -> int:
    """UPDATE by primary key: each row is the new values in the order of `fields`, then the pk."""
    table, columns = _quoted(model, fields)
    pk = connection.ops.quote_name(model._meta.pk.column)  # type: ignore[union-attr]
    sql = f"UPDATE {table} SET {', '.join(f'{c} = %s' for c in columns)} WHERE {pk} = %s"  # noqa: S608
    return _run(sql, rows, batch)


def update_rows(objs: Sequence[models.Model], fields: Sequence[str], batch: int = BATCH) -> int:
    """UPDATE model instances by primary key; values go through each field's own `get_db_prep_save`,
    so types stay exact."""
    if not objs:
        return 0
    concrete = [type(objs[0])._meta.get_field(name) for name in fields]
    rows = ([f.get_db_prep_save(getattr(obj, f.attname), connection) for f in concrete]  # type: ignore[union-attr]
            + [obj.pk] for obj in objs)
    return update_values(type(objs[0]), fields, rows, batch)


def delete_ids(model: type[models.Model], ids: Sequence[Any], batch: int = 500) -> int:
    """DELETE rows by primary key, a few hundred per statement (no cascade collection: for tables
    nothing points at)."""
    if not ids:
        return 0
    table, _ = _quoted(model, [])
    pk = connection.ops.quote_name(model._meta.pk.column)  # type: ignore[union-attr]
    done = 0
    with connection.cursor() as cursor:
        for start in range(0, len(ids), batch):
            chunk = ids[start:start + batch]
            cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({', '.join(['%s'] * len(chunk))})",  # noqa: S608
                           list(chunk))
            done += cursor.rowcount
    return done

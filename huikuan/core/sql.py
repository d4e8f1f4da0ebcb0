"""Reading many rows fast, for the passes over the whole ledger: streamed, and money as integer cents."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import connection

FETCH = 10_000


def stream_rows(sql: str, params: list[Any]) -> Iterator[tuple]:
    """Rows of a query read in chunks (a server-side cursor on PostgreSQL)."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH):
            yield from rows


def cents_sql(column: str) -> str:
    """A money column (or sum) as integer cents, computed by the database (no Decimal per row)."""
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


def ordinal_sql(column: str) -> str:
    """A date column as Python's day ordinal, computed by the database (no date objects per row)."""
    if connection.vendor == "sqlite":
        return f"CAST(julianday({column}) - 1721424.5 AS INTEGER)"
    return f"({column} - DATE '0001-01-01' + 1)"

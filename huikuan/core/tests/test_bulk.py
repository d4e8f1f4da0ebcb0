"""Many-row reads and writes (core.bulk), numbers taken as a block, audit events in bulk, the collector paused."""

import gc
import json
from decimal import Decimal as D

import pytest

from huikuan.core.bulk import insert_rows, last_pk, rows_after, rows_in
from huikuan.core.memory import collector_paused
from huikuan.core.models import AuditEvent, Sequence
from huikuan.core.services import next_number, next_numbers, record_many
from huikuan.testing.factories import staff

pytestmark = pytest.mark.django_db


def test_rows_in_reads_by_key_across_chunks_and_rows_after_reads_what_was_inserted():
    # given 2,000 sequences (more than one IN chunk) and the highest id before them
    before = last_pk(Sequence)
    insert_rows(Sequence, ["key", "last"], ((f"K{n}", n) for n in range(2000)))
    # when read back by key (asking for some twice and for one that does not exist) and by id range
    keys = ["K5", "K1999", "K5", "nope", *[f"K{n}" for n in range(950)]]
    found = dict(rows_in(Sequence, ["key", "last"], "key", keys))
    inserted = rows_after(Sequence, ["pk", "key"], before)
    # then each existing key once, and exactly the new rows
    assert (len(found), found["K5"], found["K1999"], "nope" in found) == (951, 5, 1999, False)
    assert len(inserted) == 2000 and {key for _, key in inserted} == {f"K{n}" for n in range(2000)}
    assert last_pk(Sequence) == max(pk for pk, _ in inserted)
    assert rows_in(Sequence, ["key"], "pk", []) == []


def test_numbers_are_taken_as_one_gap_free_block():
    assert next_number("SK", 2026) == "SK-2026-000001"
    assert next_numbers("SK", 2026, 3) == ["SK-2026-000002", "SK-2026-000003", "SK-2026-000004"]
    assert next_numbers("SK", 2026, 0) == []
    assert next_number("SK", 2026) == "SK-2026-000005"


def test_record_many_writes_one_event_per_item_with_the_actor_and_plain_json():
    user = staff("finance")
    written = record_many(user, [("x.done", "core.sequence", 7, {"amount": D("1.50"), "lines": {1: D("2")}}),
                                 ("x.done", "core.sequence", 8, {"note": None})])
    events = list(AuditEvent.objects.filter(action="x.done").order_by("object_id"))
    assert written == 2
    assert [(e.object_type, e.object_id, e.actor, e.data) for e in events] == [
        ("core.sequence", "7", user, {"amount": "1.50", "lines": {"1": "2"}}),
        ("core.sequence", "8", user, {"note": None})]


def test_the_collector_is_paused_inside_and_restored_after_even_when_nested():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_json_values_read_back_as_written():
    from django.db import connection

    from huikuan.core.bulk import json_adapter

    # given the JSON of a value with Chinese text, a float, nesting and a whole-number key
    value = {"reasons": ["合同 HT-2026-0012 在附言中", "x"], "confidence": 0.9731, "lines": {7: "100.00"}, "none": None}
    text = json_adapter()(value)
    # then the database reads it as JSON (SQLite: the text; PostgreSQL: the adapter's value), keys as text
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s", [text])
        stored = cursor.fetchone()[0]
    assert json.loads(stored if isinstance(stored, str) else json.dumps(stored)) == {
        "reasons": ["合同 HT-2026-0012 在附言中", "x"], "confidence": 0.9731, "lines": {"7": "100.00"}, "none": None}

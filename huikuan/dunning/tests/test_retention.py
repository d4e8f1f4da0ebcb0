"""Old daily overdue snapshots are dropped; each month's last scan and the recent window stay."""

from datetime import date

import pytest

from huikuan.dunning.models import OverdueSnapshot
from huikuan.dunning.retention import dates_to_prune, prune_snapshots
from huikuan.dunning.services import scan_overdue
from huikuan.dunning.tasks import prune_overdue_snapshots

from .conftest import lump_sum

pytestmark = pytest.mark.django_db
SCANNED = [date(2026, 3, 10), date(2026, 3, 20), date(2026, 3, 31), date(2026, 4, 15), date(2026, 4, 29),
           date(2026, 6, 1), date(2026, 6, 2)]


def scan_dates():
    return sorted(set(OverdueSnapshot.objects.values_list("as_of", flat=True)))


def test_old_dates_keep_only_their_months_last_scan(project):
    # given one contract, late from 2026-03-09, scanned on seven dates
    lump_sum(project)
    for day in SCANNED:
        scan_overdue(day)
    assert scan_dates() == SCANNED
    # when pruned on 2026-06-02 keeping 45 days (cut-off 2026-04-18)
    assert dates_to_prune(date(2026, 6, 2), days=45) == [date(2026, 3, 10), date(2026, 3, 20), date(2026, 4, 15)]
    assert prune_snapshots(date(2026, 6, 2), days=45) == {"dates": 3, "rows": 3}
    # then March keeps only its last scan; April 15 goes (April 29 is the month's last, and in the window)
    assert scan_dates() == [date(2026, 3, 31), date(2026, 4, 29), date(2026, 6, 1), date(2026, 6, 2)]
    # and again: nothing more to do
    assert prune_snapshots(date(2026, 6, 2), days=45) == {"dates": 0, "rows": 0}


def test_the_weekly_task_uses_the_setting(project, settings):
    lump_sum(project)
    for day in SCANNED:
        scan_overdue(day)
    settings.HUIKUAN = {**settings.HUIKUAN, "OVERDUE_SNAPSHOT_DAYS": 1}
    assert prune_overdue_snapshots.delay("2026-06-03").get() == {"dates": 4, "rows": 4}
    assert scan_dates() == [date(2026, 3, 31), date(2026, 4, 29), date(2026, 6, 2)]

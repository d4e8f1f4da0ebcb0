from datetime import date
from decimal import Decimal as D

import pytest

from huikuan.reports.measures import Scope, collections, contribution, cycle, dso, overdue, sales_kpis
from huikuan.reports.periods import Period

from .kpi_world import build_world

pytestmark = pytest.mark.django_db
Q3 = Period(2026, 3)


def test_collections_total_by_method_and_against_last_year_and_last_quarter():
    # given 2026Q3 receipts 600,000 (lump sum) + 300,000 + 700,000 (mortgage); 2025Q3 500,000; 2026Q2 1,000,000
    build_world()
    # then
    assert collections.collections_total(Q3) == D("1600000.00")
    assert collections.collections_by_method(Q3) == {
        "lump_sum": D("600000.00"), "mortgage": D("1000000.00"), "provident_fund": D("0.00"),
        "combination": D("0.00"), "installment": D("0.00")}
    assert collections.collections_by_method_share(Q3)["mortgage"] == D("0.6250")
    assert collections.collections_yoy(Q3) == D("2.2000")        # (1.6m − 0.5m) / 0.5m
    assert collections.collections_qoq(Q3) == D("0.6000")        # (1.6m − 1.0m) / 1.0m
    assert collections.collections_target_completion(Q3) == D("0.8000")   # 1.6m / 2.0m


def test_transfers_between_contracts_are_not_collections():
    # given the world and 100,000 moved onto c1 from another contract (a unit swap)
    world = build_world()
    from huikuan.receivables.models import Receipt

    Receipt.objects.create(number="T-1", contract=world.c1, amount=D("100000.00"), received_on=date(2026, 8, 1),
                           method="transfer")
    # then
    assert collections.collections_total(Q3) == D("1600000.00")


def test_collection_rate_is_collected_share_of_what_fell_due_by_the_quarters_end():
    # given due by 2026-09-30: 0.5m + 0.6m + 1.0m + 2.0m = 4.1m; collected of it 0.5 + 0.6 + 1.0 + 1.0 = 3.1m
    build_world()
    # then
    assert collections.collection_rate(Q3) == D("0.7561")
    assert collections.collection_rate_by_project(Q3) == {"P1": D("1.0000"), "P2": D("0.5000")}


def test_overdue_over_30_days_ratio_and_its_change_from_last_quarter():
    # given c3's installment of 1,000,000 due 2026-06-15 never paid; 4.1m due by 2026-09-30
    build_world()
    # then
    assert overdue.overdue_over_30_amount(Q3) == D("1000000.00")
    assert overdue.overdue_over_30_ratio(Q3) == D("0.2439")
    # and on 2026-06-30 the installment was only 15 days late: nothing over 30 days of 2.5m due
    assert overdue.overdue_over_30_ratio_previous(Q3) == D("0.0000")
    assert overdue.overdue_over_30_ratio_change(Q3) == D("0.2439")


def test_overdue_by_warning_level_is_not_available_without_a_scan():
    # given no overdue scan ran in the quarter
    build_world()
    # when
    result = overdue.overdue_by_warning_level(Q3)
    # then
    assert not result
    assert result.note.startswith("not available")


def test_collection_cycle_average_distribution_and_p90():
    # given c1 completed 5 days after signing, c2 40 days (both residential)
    build_world()
    # then
    assert cycle.collection_cycle_days(Q3) == D("22.50")
    assert cycle.collection_cycle_by_product_line(Q3) == {"residential": D("22.50")}
    assert cycle.collection_cycle_by_method(Q3) == {"lump_sum": D("5.00"), "mortgage": D("40.00")}
    assert cycle.collection_cycle_p90(Q3) == D("36.50")     # 5 + (40 − 5) × 0.9
    assert cycle.collection_cycle_distribution(Q3) == {
        "residential": {"0-15": 1, "16-30": 0, "31-60": 1, "61-90": 0, ">90": 0}}


def test_signing_to_down_payment_and_arrival_rate():
    # given c1 paid its full payment 5 days after signing (due in 7), c2 its down payment after 4 (due in 7)
    build_world()
    # then
    assert sales_kpis.signing_to_down_payment_days(Q3) == D("4.50")
    assert sales_kpis.down_payment_arrival_rate(Q3) == D("1.0000")
    assert sales_kpis.down_payment_arrival_rate_by_agent(Q3) == {"": D("1.0000")}


def test_project_contribution_share_and_rank():
    # given all of 2026Q3's collections are P1's
    build_world()
    # then
    assert contribution.project_collections_share(Q3) == {"P1": D("1.0000")}
    assert contribution.project_collections_rank(Q3) == {"P1": 1}
    assert contribution.project_collections_rank(Q3.previous()) == {"P2": 1}
    assert contribution.vip_repeat_purchase_share(Q3) == {"P1": D("0.0000")}


def test_dso_countback():
    # given 1,000,000 owed at 2026-09-30; September billed nothing, August billed 1,000,000
    build_world()
    # then 30 days of September + 1.0m / 1.0m × 31 days of August
    assert dso.dso(Q3) == D("61.00")


def test_empty_scope_gives_zero_amounts_and_no_ratios():
    # given the world, but a scope with no projects
    build_world()
    nobody = Scope(frozenset())
    # then
    assert collections.collections_total(Q3, nobody) == D("0.00")
    assert collections.collections_yoy(Q3, nobody) is None
    assert collections.collection_rate(Q3, nobody) is None
    assert overdue.overdue_over_30_ratio(Q3, nobody) is None
    assert cycle.collection_cycle_days(Q3, nobody) is None
    assert dso.dso(Q3, nobody) is None
    assert sales_kpis.down_payment_arrival_rate(Q3, nobody) is None


def test_overdue_over_30_days_counts_a_line_at_what_it_is_worth_at_the_quarters_end():
    # given c3's unpaid installment (1,000,000 due 2026-06-15), 400,000 of it waived on 2026-09-10 — after
    # 08-30 (D − 31), before the quarter's end
    world = build_world()
    from huikuan.receivables.models import LedgerEntry

    line = world.c3.receivables.get(kind="installment")
    LedgerEntry.objects.create(contract=world.c3, receivable=line, kind="waiver", amount=D("-400000.00"),
                               posted_on=date(2026, 9, 10))
    # then 600,000 is still owed, more than 30 days late, of 3,700,000 due by 2026-09-30
    assert overdue.overdue_over_30_amount(Q3) == D("600000.00")
    assert overdue.overdue_over_30_ratio(Q3) == D("0.1622")
    assert collections.collection_rate(Q3) == D("0.8378")      # 3.1m collected of 3.7m due
    # and on 2026-06-30 the waiver had not happened: nothing over 30 days yet, of 2.5m due
    assert overdue.overdue_over_30_ratio_previous(Q3) == D("0.0000")


def test_measures_of_a_quarter_with_nothing_in_it():
    # given the world, and 2024Q1 — before any contract
    build_world()
    empty = Period(2024, 1)
    # then amounts are zero and ratios, means and percentiles have nothing to divide by
    assert collections.collections_total(empty) == D("0.00")
    assert collections.collection_rate(empty) is None
    assert overdue.overdue_over_30_amount(empty) == D("0.00")
    assert overdue.overdue_over_30_ratio(empty) is None
    assert cycle.collection_cycle_days(empty) is None
    assert cycle.collection_cycle_p90(empty) is None
    assert cycle.collection_cycle_distribution(empty) == {}
    assert dso.dso(empty) is None

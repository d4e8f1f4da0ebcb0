from decimal import Decimal as D

import pytest

from huikuan.reports.measures import Scope, targets
from huikuan.reports.periods import Period

from .kpi_world import build_world

pytestmark = pytest.mark.django_db
Q3 = Period(2026, 3)


def test_signed_amount_and_units_count_live_contracts_signed_in_the_quarter():
    # given the hand-made ledger (c1 600,000 and c2 1,000,000 signed in 2026Q3)
    build_world()
    # then
    assert targets.signed_amount(Q3) == D("1600000.00")
    assert targets.signed_units(Q3) == 2


def test_target_completion_per_project_region_product_line_and_total():
    # given targets P1 1,000,000 and P2 2,000,000; P1 signed 1,600,000, P2 nothing
    build_world()
    # then
    assert targets.target_completion(Q3) == {"P1": D("1.6000"), "P2": D("0.0000")}
    assert targets.target_completion_total(Q3) == D("0.5333")
    assert targets.target_completion_by_region(Q3) == {"CORE": D("1.6000"), "NEW": D("0.0000")}
    assert targets.target_completion_by_product_line(Q3) == {"commercial": D("0.0000"), "residential": D("1.6000")}
    assert targets.target_units_completion(Q3) == {"P1": D("1.0000"), "P2": D("0.0000")}
    assert targets.signed_share_by_product_line(Q3) == {"residential": D("1.0000")}


def test_sell_through_counts_units_sold_by_the_quarters_end():
    # given P1 has 5 units, 3 sold by 2026-09-30; P2 has 2 units, 1 sold
    build_world()
    # then
    assert targets.sell_through(Q3) == {"P1": D("0.6000"), "P2": D("0.5000")}


def test_project_scope_narrows_every_target_measure():
    # given the world, scoped to P2 only
    world = build_world()
    scope = Scope(frozenset({world.p2.pk}))
    # then
    assert targets.signed_amount(Q3, scope) == D("0.00")
    assert targets.target_completion(Q3, scope) == {"P2": D("0.0000")}
    assert targets.target_completion_total(Q3, scope) == D("0.0000")


def test_an_empty_quarter_has_no_completion_rather_than_a_division_error():
    # given nothing at all
    period = Period(2030, 1)
    # then
    assert targets.signed_amount(period) == D("0.00")
    assert targets.target_completion_total(period) is None
    assert targets.target_completion(period) == {}
    assert targets.signed_share_by_product_line(period) == {}

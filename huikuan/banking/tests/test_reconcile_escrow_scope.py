"""An all-accounts reconciliation narrows each line arriving on an account tied to a project to that project."""

from datetime import date
from decimal import Decimal as D

import pytest

from huikuan.banking.choices import MatchStatus
from huikuan.banking.models import Match
from huikuan.banking.services.reconciliation import reconcile
from huikuan.testing.factories import ProjectFactory

from .helpers import account, bank_lines, outstanding, sold

pytestmark = pytest.mark.django_db

DEPOSIT = [("deposit", "定金", date(2026, 3, 5), "20000.00")]


def test_a_namesake_in_another_project_does_not_compete_for_an_escrow_line():
    # given two buyers named 王芳 owing the same deposit, one in each project, each project with its escrow account
    east, west = ProjectFactory(), ProjectFactory()
    in_east = sold("HT-2026-0101", "王芳", DEPOSIT, project=east, number="1101")
    in_west = sold("HT-2026-0102", "王芳", DEPOSIT, project=west, number="1102")
    account("6222000000000001", project=west, is_escrow=True)
    account("6222000000000002")  # the developer's general account, no project
    # when 王芳 pays 20,000 with no reference into the general account
    bank_lines(("2026-03-06", "20000.00", "王芳", "", "房款", "G1"), account="6222000000000002", name="g.csv")
    reconcile()
    # then, with two equal namesakes, the line is left unidentified with both as candidates
    general = Match.objects.live().get(transaction__key="G1")
    assert general.status == MatchStatus.EXCEPTION and general.exception_kind == "unidentified"
    assert sorted(c["contract_id"] for c in general.candidates) == sorted([in_east.pk, in_west.pk])
    # when 王芳 pays 20,000 with no reference into the west escrow account
    bank_lines(("2026-03-07", "20000.00", "王芳", "", "房款", "W1"), account="6222000000000001", name="w.csv")
    reconcile()
    # then it can only be the west buyer's: her name and the exact amount due, allocated at once
    west_match = Match.objects.live().get(transaction__key="W1")
    assert west_match.status == MatchStatus.AUTO
    assert [(line.receivable.contract_id, line.amount) for line in west_match.lines.all()] == [
        (in_west.pk, D("20000.00"))]
    assert (outstanding(in_east), outstanding(in_west)) == ([D("20000.00")], [D("0.00")])

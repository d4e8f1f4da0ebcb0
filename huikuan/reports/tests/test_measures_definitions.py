"""One definition per measure, used everywhere: days to disbursement (kpis = `report mortgages`), the
reconciliation auto-match rate (kpis = `report reconciliation`), and the dashboard's stored per-project facts
(= `report kpis` for any scope). Hand-made data on top of kpi_world, every figure worked out by hand."""

import io
import json
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.management import call_command

from huikuan.reports.kpis import DASHBOARD_MEASURES, dashboard_data, kpis_data
from huikuan.reports.measures import Scope, banks, tools
from huikuan.reports.measures.base import NotAvailable
from huikuan.reports.measures.facts import Facts, compute_all
from huikuan.reports.periods import Period

from .kpi_world import build_world

pytestmark = pytest.mark.django_db
Q2, Q3 = Period(2026, 2), Period(2026, 3)


def loan_application(number, contract, bank, *, opened, disbursed=None, rejected=None, replaces=None):  # type: ignore[no-untyped-def]
    from huikuan.mortgages.models import LoanApplication

    stage = "disbursed" if disbursed else "rejected" if rejected else "approval"
    return LoanApplication.objects.create(
        number=number, contract=contract, project=contract.project, loan_kind="commercial", bank=bank,
        amount=D("700000.00"), stage=stage, stage_entered_on=disbursed or rejected or opened, opened_on=opened,
        expected_disbursement_on=date(2026, 9, 30), disbursed_on=disbursed, rejected_on=rejected, replaces=replaces,
        disbursed_amount=D("700000.00") if disbursed else None)


@pytest.fixture
def loans():  # type: ignore[no-untyped-def]
    """c2 (signed 2026-08-01): ICBC got the application on 08-20 and paid on 09-10 — 21 days.
    c3 (signed 2026-04-01): CMB refused on 2026-06-20; the backup bank ICBC got it on 09-01 and paid on
    09-15 — 14 days (from signing it would be 167 days, the refusal's delay counted against ICBC)."""
    from huikuan.mortgages.models import Bank

    world = build_world()
    icbc = Bank.objects.get(code="ICBC")
    cmb = Bank.objects.create(code="CMB", name="招商银行成都分行", short_name="招商银行")
    loan_application("LA-1", world.c2, icbc, opened=date(2026, 8, 20), disbursed=date(2026, 9, 10))
    refused = loan_application("LA-2", world.c3, cmb, opened=date(2026, 4, 5), rejected=date(2026, 6, 20))
    loan_application("LA-3", world.c3, icbc, opened=date(2026, 9, 1), disbursed=date(2026, 9, 15), replaces=refused)
    return world


def test_days_to_disbursement_are_timed_from_the_banks_own_application(loans):
    # then ICBC: (21 + 14) / 2; p90 14 + (21 − 14) × 0.9
    assert banks.bank_disbursement_days(Q3) == {"ICBC": D("17.50")}
    assert banks.bank_disbursement_days_p90(Q3) == {"ICBC": D("20.30")}
    assert banks.disbursement_days_all_banks(Q3) == D("17.50")
    # and the previous quarter disbursed nothing: no bank, and no mean (nothing to divide by)
    assert banks.bank_disbursement_days_previous(Q3) == {}
    assert banks.disbursement_days_all_banks_previous(Q3) is None


def test_days_to_disbursement_equal_the_mortgages_report(loans):
    # given the same quarter in both reports
    from huikuan.mortgages.reports import mortgages_report

    report = mortgages_report(Q3.start, Q3.end)
    icbc = next(row for row in report["banks"] if row["bank"] == "ICBC")
    # then the same loans and the same days (the mortgages report prints one place)
    assert (icbc["disbursed"], icbc["avg_days_application_to_disbursement"],
            icbc["p90_days_application_to_disbursement"]) == (2, "17.5", "20.3")
    assert report["totals"]["avg_days_application_to_disbursement"] == \
        f"{banks.disbursement_days_all_banks(Q3):.1f}"
    assert f"{banks.bank_disbursement_days(Q3)['ICBC']:.1f}" == icbc["avg_days_application_to_disbursement"]


def test_days_to_disbursement_of_a_project_without_loans():
    # given applications in P1 only
    world = build_world()
    from huikuan.mortgages.models import Bank

    loan_application("LA-1", world.c2, Bank.objects.get(code="ICBC"), opened=date(2026, 8, 20),
                     disbursed=date(2026, 9, 10))
    p2 = Scope(frozenset({world.p2.pk}))
    # then P2 has no pipeline at all: not available; P1's quarter before had no disbursement: empty
    assert banks.bank_disbursement_days(Q3, p2) == NotAvailable(banks.NO_APPLICATIONS)
    assert banks.bank_disbursement_days(Q2, Scope(frozenset({world.p1.pk}))) == {}


# --- reconciliation ----------------------------------------------------------------------------------


@pytest.fixture
def bank_lines():  # type: ignore[no-untyped-def]
    """P1's escrow account, 2026Q3: A auto-matched on import; B an unidentified exception first, then matched
    automatically from the bank's disbursement list; C suggested and confirmed by the clerk; D not matched;
    a debit (money out) and a Q2 line that do not count."""
    from huikuan.banking.models import BankAccount, BankTransaction, Match, Statement

    world = build_world()
    account = BankAccount.objects.create(account_no="6222000011112222", project=world.p1, is_escrow=True)
    statement = Statement.objects.create(account=account, file_name="q3.csv", sha256="0" * 64, format="csv")

    def line(key: str, day: date, amount: str, direction: str = "credit") -> BankTransaction:
        return BankTransaction.objects.create(statement=statement, account=account, key=key, date=day,
                                              amount=D(amount), direction=direction)

    a, b, c = line("A", date(2026, 9, 14), "300000.00"), line("B", date(2026, 9, 15), "700000.00"), \
        line("C", date(2026, 9, 16), "100000.00")
    line("D", date(2026, 9, 17), "86000.00")
    line("OUT", date(2026, 9, 18), "-5000.00", "debit")
    old = line("Q2", date(2026, 6, 18), "50000.00")
    Match.objects.create(transaction=a, status="auto")
    Match.objects.create(transaction=b, status="rejected", exception_kind="unidentified")
    Match.objects.create(transaction=b, status="auto", note="disbursement list")
    Match.objects.create(transaction=c, status="confirmed")
    Match.objects.create(transaction=old, status="auto")
    return world


def test_auto_match_rate_counts_what_is_settled_automatically_now(bank_lines):
    # then A and B of the four money-in lines; only A on the engine's first pass
    assert tools.reconciliation_auto_match_rate(Q3) == D("0.5000")
    assert tools.reconciliation_first_pass_auto_rate(Q3) == D("0.2500")


def test_auto_match_rate_equals_the_reconciliation_report(bank_lines):
    # given the reconciliation report of the same quarter
    out = io.StringIO()
    call_command("report", "reconciliation", "--from", "2026-07-01", "--to", "2026-09-30", "--json", stdout=out)
    accounts = json.loads(out.getvalue())["accounts"]
    auto = sum(a["auto"]["count"] for a in accounts)
    imported = sum(a["imported"]["count"] for a in accounts)
    # then the same lines, the same ratio
    assert (auto, imported) == (2, 4)
    assert tools.reconciliation_auto_match_rate(Q3) == D(auto) / D(imported)


def test_auto_match_rate_without_bank_lines_is_not_available(bank_lines):
    # given no line at all in 2026Q1 (nothing to divide by)
    q1 = Period(2026, 1)
    # then
    assert tools.reconciliation_auto_match_rate(q1) == NotAvailable("no bank transactions imported for 2026Q1")
    assert tools.reconciliation_first_pass_auto_rate(q1) == NotAvailable("no bank transactions imported for 2026Q1")


# --- the dashboard's stored facts ----------------------------------------------------------------------


@pytest.mark.parametrize("which", ["all", "P1", "P2", "CORE", "NEW", "nobody"])
def test_stored_facts_give_the_kpis_reports_numbers_for_any_scope(loans, which):
    # given the facts of 2026Q3 for every project, stored as JSON
    stored = json.loads(json.dumps(compute_all(Q3, today=date(2026, 10, 20))))
    scope = {"all": Scope(), "nobody": Scope(frozenset())}.get(which) or \
        Scope.of(project=which if which.startswith("P") else None, region=None if which.startswith("P") else which)
    # when the dashboard's document is made from them and the report is computed live
    page = dashboard_data(Facts.stored(Q3, stored, scope), "2026-10-20T00:00:00+08:00")
    live = json.loads(json.dumps(kpis_data(Q3, scope), default=str))
    # then every value the dashboard shows is the report's, to the cent
    for key in DASHBOARD_MEASURES:
        if key == "cash_forecast":    # the report's "actual" weeks end on the real today, the facts' on 10-20
            assert page[key]["forecast_total"] == live[key]["forecast_total"]
            continue
        assert page[key] == live[key], key
    assert page["projects"] == live["projects"] and page["regions"] == live["regions"]


def test_stored_facts_cash_forecast_equals_the_live_one_for_the_same_day(loans):
    # given the facts computed on 2026-10-20 (two weeks of 2026Q4 over)
    stored = json.loads(json.dumps(compute_all(Q3, today=date(2026, 10, 20))))
    # then the forecast, and what arrived in the weeks that ended, are the live measure's for that day
    from huikuan.reports.measures.forecast import cash_forecast, cash_forecast_of

    assert cash_forecast_of(Facts.stored(Q3, stored, Scope())) == cash_forecast(Q3, today=date(2026, 10, 20))


def test_no_helper_inside_a_transaction_or_for_a_small_scope():
    # given the hand-made ledger (4 contracts) inside the test's transaction
    build_world()
    from huikuan.reports.measures.facts import start_helper
    from huikuan.reports.measures.ledger import shared_positions

    # then the pass is done here, as without a helper
    with shared_positions():
        assert start_helper(Q3, Scope()) is False
        assert kpis_data(Q3, Scope(), parallel=True)["overdue_over_30_ratio_previous"] == "0.0000"

"""seed_demo: deterministic, idempotent with --if-empty, consistent books (each yuan posted once), the
loan pipeline, the bank statements and the dunning work in place, working demo logins."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Sum
from django.test import override_settings

from huikuan.banking.models import BankAccount, BankTransaction, Match, TransactionReceipt
from huikuan.core.choices import Role
from huikuan.core.demo import DEMO_LOGINS, PASSWORD, build_demo, plan_demo
from huikuan.core.demo.plan import lines_of
from huikuan.dunning.models import CollectionCase, Dispute, PromiseToPay
from huikuan.mortgages.choices import Stage
from huikuan.mortgages.models import Bank, BankPolicy, Guarantee, LoanApplication, StageChange
from huikuan.org.models import Project, StaffProfile
from huikuan.receivables.choices import PLAN_KINDS, EntryKind, ReceiptMethod
from huikuan.receivables.models import LedgerEntry, Receipt, Receivable
from huikuan.sales.models import Contract
from huikuan.testing.factories import contract

SMALL = 80


def _books() -> tuple:
    return (list(Contract.objects.order_by("contract_no").values_list("contract_no", flat=True)),
            Contract.objects.aggregate(s=Sum("price"))["s"], Receipt.objects.aggregate(s=Sum("amount"))["s"],
            list(Receipt.objects.order_by("number").values_list("number", "amount", "received_on")),
            list(LoanApplication.objects.order_by("number").values_list("number", "bank__code", "stage")),
            list(Match.objects.order_by("transaction__key", "pk").values_list("transaction__key", "status")),
            list(CollectionCase.objects.order_by("contract__contract_no", "opened_on")
                 .values_list("contract__contract_no", "level", "status")),
            list(PromiseToPay.objects.order_by("made_on", "pk").values_list("amount", "status")))


class _Undo(Exception):
    pass


def test_the_plan_is_the_same_for_the_same_seed_and_differs_for_another():
    # given two plans from one seed and one from another
    first, second, other = plan_demo(SMALL, 7), plan_demo(SMALL, 7), plan_demo(SMALL, 8)

    # then contract numbers, prices, plan lines and the loans' pipeline agree exactly; another seed differs
    assert [(d.contract_no, d.price) for d in first.deals] == [(d.contract_no, d.price) for d in second.deals]
    assert [lines_of(d) for d in first.deals] == [lines_of(d) for d in second.deals]
    assert first.loans == second.loans and first.casework_seed == second.casework_seed
    assert [d.price for d in first.deals] != [d.price for d in other.deals]


@pytest.mark.django_db
def test_if_empty_skips_a_database_with_contracts_and_a_plain_run_refuses():
    # given a database that already holds a contract
    contract()
    before = Contract.objects.count()

    # when seed_demo runs with --if-empty
    out = StringIO()
    call_command("seed_demo", contracts=SMALL, if_empty=True, stdout=out)

    # then nothing changes, and without --if-empty it refuses with a clear message
    assert "nothing to do" in out.getvalue()
    assert Contract.objects.count() == before
    with pytest.raises(CommandError, match="already holds contracts"):
        call_command("seed_demo", contracts=SMALL, stdout=StringIO())


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The demo written twice with one seed (the first run rolled back), once for the whole module and
    rolled back after it; yields the first run's books and the command's output."""
    media = tmp_path_factory.mktemp("media")            # lawyer letters are PDF files
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), pytest.raises(_Undo), \
            transaction.atomic():
        try:
            with transaction.atomic():
                build_demo(SMALL, seed=11, progress=False)
                first = _books()
                raise _Undo
        except _Undo:
            assert not Contract.objects.exists()
        out = StringIO()
        call_command("seed_demo", contracts=SMALL, seed=11, verbosity=0, stdout=out)
        yield first, out.getvalue()
        raise _Undo


@pytest.mark.django_db
def test_the_same_seed_writes_the_same_books_and_the_figures_are_printed(demo):
    # given the demo written twice with the same seed
    first, out = demo

    # then contracts, receipts, loan applications, matches, cases and promises are the same
    assert _books() == first
    assert len(first[0]) >= SMALL
    assert "completion_pct" in out and "first_pass_auto_rate_pct" in out and "cases_open_by_level" in out


@pytest.mark.django_db
def test_each_yuan_is_posted_once(demo):
    # given the demo
    # then no contract received more than its price (refunds and transfers counted with their sign)
    prices = dict(Contract.objects.values_list("pk", "price"))
    received = Receipt.objects.filter(contract__isnull=False).values("contract").annotate(s=Sum("amount"))
    assert all(row["s"] <= prices[row["contract"]] for row in received)
    # and every loan disbursement is an application's (the pipeline's), at most one per loan line
    loans = Receipt.objects.filter(method=ReceiptMethod.LOAN_DISBURSEMENT)
    assert loans.exists()
    assert loans.filter(loan_application__isnull=True).count() == 0
    per_line = (LoanApplication.objects.exclude(disbursement_receipt=None).values("receivable")
                .annotate(n=Count("pk")).filter(n__gt=1))
    assert not per_line.exists()
    # and a statement line is posted at most once: its receipts never exceed it
    for txn in BankTransaction.objects.filter(amount__gt=0):
        posted = TransactionReceipt.objects.filter(transaction=txn).aggregate(s=Sum("receipt__amount"))["s"]
        assert (posted or Decimal("0")) <= txn.amount
    # and each contract's plan lines sum to its price (a restructuring closes old lines with adjustments)
    plan_sums = dict(Receivable.objects.filter(kind__in=PLAN_KINDS).values("contract")
                     .annotate(s=Sum("amount")).values_list("contract", "s"))
    adjusted = dict(LedgerEntry.objects.filter(kind=EntryKind.ADJUSTMENT).values("contract")
                    .annotate(s=Sum("amount")).values_list("contract", "s"))
    assert {pk: s + adjusted.get(pk, Decimal("0")) for pk, s in plan_sums.items()} == prices


@pytest.mark.django_db
def test_the_loan_pipeline_tells_its_story(demo):
    # given the demo
    apps = LoanApplication.objects.all()

    # then every loan line of a financed contract has its application, at the five partner banks
    loan_lines = Receivable.objects.filter(kind__in=["mortgage_loan", "provident_loan"]).count()
    assert apps.values("receivable").distinct().count() == loan_lines
    assert Bank.objects.filter(is_partner=True, green_channel=True).count() == 5
    assert apps.values("bank").distinct().count() == 5
    # and the timelines pass through every stage of the happy path and the rejection
    happy = {s for s in Stage.values if s != Stage.WITHDRAWN}
    assert happy <= set(StageChange.objects.values_list("to_stage", flat=True))
    # and some were rejected and switched to a backup bank, keeping the rejected one
    switched = apps.filter(replaces__isnull=False, replaces__stage=Stage.CLOSED, replaces__way_out="backup_bank")
    assert switched.exists()
    assert all(a.replaces.rejected_on is not None for a in switched)
    # and some were accepted with documents missing, guarantees run and were released, a policy changed in Q3
    assert apps.filter(conditionally_accepted=True).exists()
    assert Guarantee.objects.filter(status="released").exists() and Guarantee.objects.filter(status="active").exists()
    assert BankPolicy.objects.filter(effective_from__range=("2026-07-01", "2026-09-30")).exclude(diff={}).exists()


@pytest.mark.django_db
def test_statements_dunning_and_logins(demo, client):
    # given the demo
    # then each project has its escrow account, with a statement reconciled partly automatically
    assert BankAccount.objects.filter(is_escrow=True).count() == Project.objects.count()
    assert Match.objects.filter(status="auto").exists()
    assert Match.objects.filter(status="exception", exception_kind="unidentified").exists()
    # and the dunning rounds opened cases; promises were made; a dispute was opened
    assert CollectionCase.objects.exists()
    assert PromiseToPay.objects.filter(status="kept").exists()
    assert Dispute.objects.exists()

    # and every demo login signs in with the demo password; each role has its person and group
    for username, _description in DEMO_LOGINS:
        assert client.login(username=username, password=PASSWORD), username
    for role in Role:
        profile = StaffProfile.objects.get(user__username=next(u for u, r in _role_users() if r == role))
        assert profile.user.groups.filter(name=role.value).exists()
    assert StaffProfile.objects.get(user__username="sales").projects.get().code == "JJXF"
    assert StaffProfile.objects.get(user__username="collector").regions.get().code == "NEW"


def _role_users() -> list[tuple[str, str]]:
    from huikuan.core.demo.users import STAFF

    return [(username, role) for username, role, _name, _scope in STAFF]

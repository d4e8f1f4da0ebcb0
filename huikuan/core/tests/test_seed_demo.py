"""seed_demo: deterministic, idempotent with --if-empty, consistent books, working demo logins."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Sum

from huikuan.core.choices import Role
from huikuan.core.demo import DEMO_LOGINS, PASSWORD, build_demo, plan_demo
from huikuan.core.demo.plan import lines_of
from huikuan.mortgages.models import Bank
from huikuan.org.models import StaffProfile
from huikuan.receivables.choices import PLAN_KINDS
from huikuan.receivables.models import Receipt, Receivable
from huikuan.sales.models import Contract

SMALL = 80


def _books() -> tuple[list[str], Decimal, Decimal, list[str]]:
    return (list(Contract.objects.order_by("contract_no").values_list("contract_no", flat=True)),
            Contract.objects.aggregate(s=Sum("price"))["s"], Receipt.objects.aggregate(s=Sum("amount"))["s"],
            list(Receipt.objects.order_by("number").values_list("number", flat=True)))


class _Undo(Exception):
    pass


def test_the_plan_is_the_same_for_the_same_seed_and_differs_for_another():
    # given two plans from one seed and one from another
    first, second, other = plan_demo(SMALL, 7), plan_demo(SMALL, 7), plan_demo(SMALL, 8)

    # then contract numbers, prices and plan lines agree exactly; another seed gives other prices
    assert [(d.contract_no, d.price) for d in first.deals] == [(d.contract_no, d.price) for d in second.deals]
    assert [lines_of(d) for d in first.deals] == [lines_of(d) for d in second.deals]
    assert [d.price for d in first.deals] != [d.price for d in other.deals]


@pytest.mark.django_db
def test_two_runs_with_the_same_seed_write_the_same_books():
    # given a run that is rolled back after its books are read
    with pytest.raises(_Undo), transaction.atomic():
        build_demo(SMALL, seed=11, progress=False)
        first = _books()
        raise _Undo
    assert not Contract.objects.exists()

    # when the demo is written again with the same seed
    build_demo(SMALL, seed=11, progress=False)

    # then contract numbers, the signed total, the received total and receipt numbers are the same
    assert _books() == first
    assert len(first[0]) >= SMALL


@pytest.mark.django_db
def test_if_empty_loads_once_and_a_second_plain_run_refuses():
    # given a first load
    call_command("seed_demo", contracts=SMALL, seed=3, if_empty=True, verbosity=0, stdout=StringIO())
    books = _books()

    # when it runs again with --if-empty
    out = StringIO()
    call_command("seed_demo", contracts=SMALL, seed=4, if_empty=True, stdout=out)

    # then nothing changes, and without --if-empty it refuses with a clear message
    assert "nothing to do" in out.getvalue()
    assert _books() == books
    with pytest.raises(CommandError, match="already holds contracts"):
        call_command("seed_demo", contracts=SMALL, stdout=StringIO())


@pytest.mark.django_db
def test_every_contract_plan_sums_to_its_price_and_the_banks_are_partners(client):
    # given the demo
    out = StringIO()
    call_command("seed_demo", contracts=SMALL, seed=5, verbosity=0, stdout=out)

    # then each contract's plan lines sum to its price
    plan_sums = dict(Receivable.objects.filter(kind__in=PLAN_KINDS).values("contract")
                     .annotate(s=Sum("amount")).values_list("contract", "s"))
    prices = dict(Contract.objects.values_list("pk", "price"))
    assert plan_sums == prices
    # and five partner banks with green channels exist, and the figures were printed
    assert Bank.objects.filter(is_partner=True, green_channel=True).count() == 5
    assert "completion_pct" in out.getvalue()

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

from datetime import date
from decimal import Decimal

import pytest

from huikuan.receivables.services import post_receipt
from huikuan.sales.plans import PlanLine
from huikuan.testing.factories import ProjectFactory, UnitFactory, contract


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def sent(monkeypatch):  # type: ignore[no-untyped-def]
    """Messages handed to the notifications app (faked: a list of the calls)."""
    calls: list[dict] = []

    def enqueue(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs)
        return f"msg-{len(calls)}"

    from huikuan.dunning import outbound

    monkeypatch.setattr(outbound, "_enqueue", lambda: enqueue)
    return calls


@pytest.fixture
def no_channel(monkeypatch):  # type: ignore[no-untyped-def]
    from huikuan.dunning import outbound

    monkeypatch.setattr(outbound, "_enqueue", lambda: None)


def plan(*lines: tuple[str, date, str]) -> list[PlanLine]:
    return [PlanLine(kind, i, kind, due, Decimal(amount)) for i, (kind, due, amount) in enumerate(lines, start=1)]


@pytest.fixture
def project():  # type: ignore[no-untyped-def]
    return ProjectFactory(name="江湾府")


def lump_sum(project, price: str = "1000000.00", **kwargs):  # type: ignore[no-untyped-def]
    """One line, due 2026-03-09 (signed 2026-03-02, lump sum in 7 days)."""
    return contract(price=price, unit=UnitFactory(building__project=project), **kwargs)


def planned(project, *lines, **kwargs):  # type: ignore[no-untyped-def]
    total = sum((Decimal(amount) for _, _, amount in lines), Decimal("0"))
    return contract(price=str(total), method="installment", plan=plan(*lines),
                    unit=UnitFactory(building__project=project), **kwargs)


@pytest.fixture
def two_contracts(project):
    # A: 1,000,000.00 due 2026-03-09, nothing paid. B: down payment paid, an installment 2026-04-20 unpaid.
    a = lump_sum(project)
    b = planned(project, ("down_payment", date(2026, 3, 9), "300000.00"),
                ("installment", date(2026, 4, 20), "100000.00"), ("installment", date(2026, 7, 20), "100000.00"))
    post_receipt(actor=None, amount="300000.00", received_on=date(2026, 3, 9), contract=b)
    return a, b

"""Receipts list: row scope and unallocated amounts."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from huikuan.core.choices import Role
from huikuan.receivables import services
from huikuan.testing.factories import BuildingFactory, ProjectFactory, UnitFactory, contract, staff

pytestmark = pytest.mark.django_db


def test_receipts_list_is_scoped_and_shows_unallocated_credit(client):
    # given a 1,000.00 contract in A paid 1,200.00 (200.00 left as credit) and a receipt in B
    a, b = ProjectFactory(), ProjectFactory()
    clerk = staff(Role.FINANCE, all_projects=True)
    ca = contract(unit=UnitFactory(building=BuildingFactory(project=a)), price="1000.00")
    cb = contract(unit=UnitFactory(building=BuildingFactory(project=b)), price="1000.00")
    mine = services.post_receipt(actor=clerk, contract=ca, amount="1200.00", received_on=date(2026, 3, 3),
                                 reference="REF-A")
    services.post_receipt(actor=clerk, contract=cb, amount="500.00", received_on=date(2026, 3, 3),
                          reference="REF-B")
    client.force_login(staff(Role.SALES, projects=[a]))
    # when the agent of A opens the receipts list
    response = client.get(reverse("receipt-list"))
    # then only A's receipt is listed, with 200.00 unallocated
    receipts = list(response.context["receipts"])
    assert [r.pk for r in receipts] == [mine.pk]
    assert receipts[0].unallocated == D("200.00")
    assert "REF-A" in response.text and "REF-B" not in response.text

"""A small hand-made ledger for the measure tests, with every figure worked out by hand in the tests.

2025Q3  c0  P1 residential lump sum 500,000 signed 2025-07-01, paid 2025-07-05
2026Q2  c3  P2 commercial installments 2,000,000 signed 2026-04-01: down 1,000,000 due 04-10 (paid 04-10),
            installment 1,000,000 due 06-15 (never paid)
2026Q3  c1  P1 lump sum 600,000 signed 07-10, full payment due 07-17, paid 07-15
        c2  P1 mortgage 1,000,000 signed 08-01: down 300,000 due 08-08 (paid 08-05), loan 700,000 due 08-31
            (disbursed by 工商银行 on 09-10)
Targets 2026Q3: P1 1,000,000 / 2 units / collect 1,500,000; P2 2,000,000 / 1 unit / collect 500,000.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal as D

from huikuan.core.choices import Role
from huikuan.mortgages.models import Bank
from huikuan.org.models import Project, SalesTarget
from huikuan.receivables import services
from huikuan.sales.models import Contract
from huikuan.sales.plans import PlanLine
from huikuan.testing.factories import BuildingFactory, ProjectFactory, RegionFactory, UnitFactory, contract, staff


@dataclass
class World:
    p1: Project
    p2: Project
    c0: Contract
    c1: Contract
    c2: Contract
    c3: Contract
    clerk: object


def build_world() -> World:
    clerk = staff(Role.FINANCE, all_projects=True)
    Bank.objects.create(code="ICBC", name="中国工商银行成都分行", short_name="工商银行")
    p1 = ProjectFactory(code="P1", name="学府一号", region=RegionFactory(code="CORE", name="主城区"),
                        product_line="residential")
    p2 = ProjectFactory(code="P2", name="商业中心", region=RegionFactory(code="NEW", name="新区"),
                        product_line="commercial")
    b1, b2 = BuildingFactory(project=p1), BuildingFactory(project=p2)
    for _ in range(2):
        UnitFactory(building=b1)       # unsold stock: P1 has 5 units, 3 sold
    UnitFactory(building=b2)           # P2 has 2 units, 1 sold
    SalesTarget.objects.create(project=p1, year=2026, quarter=3, units=2, amount_signed=D("1000000"),
                               amount_collected=D("1500000"))
    SalesTarget.objects.create(project=p2, year=2026, quarter=3, units=1, amount_signed=D("2000000"),
                               amount_collected=D("500000"))
    c0 = contract(unit=UnitFactory(building=b1), price="500000.00", method="lump_sum", sign_date=date(2025, 7, 1),
                  plan=[PlanLine("full_payment", 1, "房款", date(2025, 7, 8), D("500000.00"))])
    c3 = contract(unit=UnitFactory(building=b2), price="2000000.00", method="installment",
                  sign_date=date(2026, 4, 1),
                  plan=[PlanLine("down_payment", 1, "首付款", date(2026, 4, 10), D("1000000.00")),
                        PlanLine("installment", 1, "分期款1", date(2026, 6, 15), D("1000000.00"))])
    c1 = contract(unit=UnitFactory(building=b1), price="600000.00", method="lump_sum", sign_date=date(2026, 7, 10),
                  plan=[PlanLine("full_payment", 1, "房款", date(2026, 7, 17), D("600000.00"))])
    c2 = contract(unit=UnitFactory(building=b1), price="1000000.00", method="mortgage", sign_date=date(2026, 8, 1),
                  plan=[PlanLine("down_payment", 1, "首付款", date(2026, 8, 8), D("300000.00")),
                        PlanLine("mortgage_loan", 1, "按揭款", date(2026, 8, 31), D("700000.00"))])
    pay = services.post_receipt
    pay(actor=clerk, contract=c0, amount="500000.00", received_on=date(2025, 7, 5))
    pay(actor=clerk, contract=c3, amount="1000000.00", received_on=date(2026, 4, 10))
    pay(actor=clerk, contract=c1, amount="600000.00", received_on=date(2026, 7, 15))
    pay(actor=clerk, contract=c2, amount="300000.00", received_on=date(2026, 8, 5))
    pay(actor=clerk, contract=c2, amount="700000.00", received_on=date(2026, 9, 10), method="loan_disbursement",
        source="bank", reference="ICBC0001", payer_name="中国工商银行成都分行")
    return World(p1, p2, c0, c1, c2, c3, clerk)

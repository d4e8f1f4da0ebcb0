"""The demo's sales story as plain data: who bought which unit, when, how they pay, who pays late.

Nothing here touches the database; `writer` turns a `Story` into contracts and receipts through the
real services, and `calibrate` tunes it so that the review quarter tells the story of DEMO.md.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from huikuan.customers.choices import CustomerKind, CustomerType
from huikuan.org.choices import ProductLine
from huikuan.sales.choices import PaymentMethod

from .catalogue import BANKS, PROJECTS, UnitPlanner, UnitSpec
from .people import People
from .timeline import GREEN_CHANNEL_FROM, PERIODS, PUSH_WEEK

M = PaymentMethod
# deals per period and project at the default size of 600 contracts
DEALS = {
    "2025Q2": {"A": 8, "C": 4, "D": 3},
    "2025Q3": {"A": 45, "C": 45, "D": 60, "E": 15, "B": 5},
    "2025Q4": {"A": 10, "C": 8, "D": 10, "E": 4, "B": 3},
    "2026Q1": {"A": 8, "C": 8, "D": 10, "E": 6, "B": 3},
    "2026Q2": {"A": 24, "C": 20, "D": 33, "E": 7, "B": 14},
    "2026Q3": {"A": 34, "C": 50, "D": 56, "E": 4, "B": 28},       # outside the push week
    "2026Q4": {"A": 5, "C": 5, "D": 12, "B": 6, "E": 2},
}
# the push week: (project, units, of which under the limited-time offer)
PUSH = {"A": (4, 0), "C": (5, 0), "D": (18, 14), "B": (14, 12), "E": (2, 0)}
DEFAULT_SIZE = sum(sum(v.values()) for v in DEALS.values()) + sum(u for u, _ in PUSH.values())
SELL_THROUGH = {"A": Decimal("0.92"), "B": Decimal("0.40"), "C": Decimal("0.70"), "D": Decimal("0.80"),
                "E": Decimal("0.22")}
METHOD_WEIGHTS = {
    "A": {M.MORTGAGE: 55, M.COMBINATION: 12, M.PROVIDENT_FUND: 18, M.LUMP_SUM: 12, M.INSTALLMENT: 3},
    "C": {M.MORTGAGE: 70, M.INSTALLMENT: 20, M.LUMP_SUM: 10},
    "D": {M.MORTGAGE: 33, M.PROVIDENT_FUND: 50, M.COMBINATION: 10, M.LUMP_SUM: 3, M.INSTALLMENT: 4},
    "B": {M.PROVIDENT_FUND: 50, M.MORTGAGE: 35, M.INSTALLMENT: 10, M.LUMP_SUM: 5},
    "E": {M.MORTGAGE: 60, M.LUMP_SUM: 25, M.INSTALLMENT: 15},
}
DEPOSITS = {"A": Decimal("50000"), "C": Decimal("100000"), "D": Decimal("30000"), "B": Decimal("20000"),
            "E": Decimal("50000")}
OFFER = "限时签约优惠"
KEY_ACCOUNT_EVENT = "大客户认购会"
TALENT_SUBSIDY = "人才购房补贴"
VIP_REPEAT = "VIP老业主复购优惠"
BULK_DISCOUNT = "批量购买优惠"
TALENT_FROM = date(2026, 6, 1)
AGENTS = {"A": "sales", "C": "agent_c", "D": "agent_d", "B": "agent_b", "E": "agent_e"}


@dataclass
class CustomerSpec:
    key: int
    kind: str
    name: str
    id_number: str
    phone: str
    customer_type: str
    is_vip: bool = False
    referred_by: int | None = None
    advisor: str | None = None


@dataclass
class Incident:
    """A plan line (index into the deal's plan) left unpaid: a share of it, paid later on `cured_on`
    (by the customer, or for a loan by a backup bank) or never (`cured_on` None)."""

    line: int
    share: Decimal
    cured_on: date | None
    reason: str


@dataclass
class Deal:
    key: int
    period: str
    project: str
    unit: UnitSpec
    buyer: int
    sign_date: date
    method: str
    co_buyer: int | None = None
    subscribed_on: date | None = None
    channel: str = ""
    deposit: Decimal = Decimal("0")
    discounts: list[tuple[str, Decimal]] = field(default_factory=list)   # (name, share of list price)
    fixed_discounts: list[tuple[str, Decimal]] = field(default_factory=list)  # (name, yuan)
    down_ratio: Decimal = Decimal("0.30")
    lump_sum_days: int = 7
    bank: str = "ICBC"
    backup_bank: str = "CMB"
    loan_days: int = 20             # signing → commercial loan disbursement
    provident_days: int = 60        # signing → provident-fund loan disbursement
    early_days: int = 2             # customer pays this many days before the due date
    incident: Incident | None = None
    credit: Decimal = Decimal("0")  # money moved in from a unit swap, settling the first lines
    tags: set[str] = field(default_factory=set)   # bulk, offer, vip_repeat, cancel, swap_from, …
    contract_no: str = ""

    @property
    def list_price(self) -> Decimal:
        return self.unit.list_price

    @property
    def discount_amounts(self) -> list[tuple[str, Decimal]]:
        amounts = [(name, (self.list_price * share / 10000).quantize(Decimal("1")) * 100)
                   for name, share in self.discounts]
        return amounts + list(self.fixed_discounts)

    @property
    def price(self) -> Decimal:
        return self.list_price - sum((a for _, a in self.discount_amounts), Decimal("0"))

    @property
    def product_line(self) -> str:
        return str(PROJECTS[self.project].product_line)

    @property
    def region(self) -> str:
        return PROJECTS[self.project].region

    @property
    def live(self) -> bool:
        return not ({"cancel", "swap_from"} & self.tags)


@dataclass
class Story:
    customers: list[CustomerSpec]
    deals: list[Deal]
    units: UnitPlanner
    scale: Decimal
    loans: dict[int, list] = field(default_factory=dict)   # deal key → its `loans.LoanOp`s
    casework_seed: float = 0.0                               # seeds the dunning case work

    def customer(self, key: int) -> CustomerSpec:
        return self.customers[key]


def scaled(count: int, scale: Decimal) -> int:
    return max(1, int((Decimal(count) * scale).quantize(Decimal("1")))) if count else 0


class StoryBuilder:
    def __init__(self, rng: random.Random, contracts: int) -> None:
        self.rng = rng
        self.scale = Decimal(contracts) / Decimal(DEFAULT_SIZE)
        self.people = People(rng)
        self.units = UnitPlanner(rng)
        self.customers: list[CustomerSpec] = []
        self.deals: list[Deal] = []
        self.institutions: list[int] = []

    # --- customers ---------------------------------------------------------------------------

    def new_person(self, project: str) -> int:
        line = PROJECTS[project].product_line
        if line == ProductLine.RESIDENTIAL:
            kind = self.rng.choices([CustomerType.FIRST_HOME, CustomerType.UPGRADE, CustomerType.INVESTOR],
                                    [45, 45, 10])[0]
        elif line == ProductLine.LOFT:
            kind = self.rng.choices([CustomerType.FIRST_HOME, CustomerType.INVESTOR], [70, 30])[0]
        else:
            kind = CustomerType.INVESTOR
        spec = CustomerSpec(len(self.customers), CustomerKind.INDIVIDUAL, self.people.person_name(),
                            self.people.resident_id(), self.people.phone(), kind)
        self.customers.append(spec)
        return spec.key

    def new_company(self) -> int:
        spec = CustomerSpec(len(self.customers), CustomerKind.COMPANY, self.people.company_name(),
                            self.people.credit_code(), self.people.phone(), CustomerType.INSTITUTION)
        self.customers.append(spec)
        self.institutions.append(spec.key)
        return spec.key

    # --- deals -------------------------------------------------------------------------------

    def deal(self, period: str, project: str, sign_date: date, *, buyer: int | None = None,
             method: str | None = None) -> Deal:
        rng = self.rng
        line = PROJECTS[project].product_line
        buyer = self.new_person(project) if buyer is None else buyer
        method = method or rng.choices(list(METHOD_WEIGHTS[project]), list(METHOD_WEIGHTS[project].values()))[0]
        deal = Deal(len(self.deals), period, project, self.units.next_unit(project), buyer, sign_date, method)
        if rng.random() < 0.9:
            deal.subscribed_on = sign_date - timedelta(days=rng.randint(2, 9))
            deal.deposit = DEPOSITS[project]
        if line == ProductLine.RESIDENTIAL and rng.random() < 0.35:
            deal.co_buyer = self.new_person(project)
        if line != ProductLine.RESIDENTIAL:
            deal.down_ratio = Decimal("0.50")      # commercial property loans need half down
        if project == "B" and sign_date >= TALENT_FROM:
            deal.fixed_discounts.append((TALENT_SUBSIDY, Decimal("30000")))
        banks = [b.code for b in BANKS]
        deal.bank = rng.choice(banks)
        deal.backup_bank = rng.choice([b for b in banks if b != deal.bank])
        fast = sign_date >= GREEN_CHANNEL_FROM
        deal.loan_days = rng.randint(10, 18) if fast else rng.randint(16, 26)
        deal.provident_days = rng.randint(48, 66)
        deal.early_days = rng.choice((0, 1, 2, 3, 4, 5))
        self.deals.append(deal)
        return deal

    def build(self) -> Story:
        for period, per_project in DEALS.items():
            for project, count in per_project.items():
                for _ in range(scaled(count, self.scale)):
                    avoid = PUSH_WEEK if period == "2026Q3" else None
                    day = PERIODS[period].random_day(self.rng, avoid)
                    if period == "2026Q3" and project == "A":   # the school-district project sells out early
                        day = PERIODS[period].start + timedelta(days=(day - PERIODS[period].start).days * 3 // 5)
                    self.deal(period, project, day)
        self.push_week()
        self.institutional_buyers()
        self.vip_repeat_buyers()
        self.unwound_sales()
        self.deals.sort(key=lambda d: (d.sign_date, d.key))
        self.number_contracts()
        self.unsold_units()
        return Story(self.customers, self.deals, self.units, self.scale)

    def push_week(self) -> None:
        start, end = PUSH_WEEK
        for project, (units, offers) in PUSH.items():
            for i in range(scaled(units, self.scale)):
                day = start + timedelta(days=self.rng.randrange((end - start).days + 1))
                deal = self.deal("2026Q3", project, day)
                if i < scaled(offers, self.scale) and offers:
                    deal.tags.add("offer")
                    deal.discounts.append((OFFER, Decimal("3")))
                    deal.subscribed_on = start - timedelta(days=self.rng.randint(1, 3))  # the event weekend
                    deal.deposit = DEPOSITS[project]
                    deal.channel = KEY_ACCOUNT_EVENT

    def institutional_buyers(self) -> None:
        """Project C: institutions buy in bulk (several units on one day) and singly; they pay in full."""
        by_period: dict[str, list[Deal]] = {}
        for deal in self.deals:
            if deal.project == "C" and not PUSH_WEEK[0] <= deal.sign_date <= PUSH_WEEK[1]:
                by_period.setdefault(deal.period, []).append(deal)
        for deals in by_period.values():
            total = sum((d.list_price for d in deals), Decimal("0"))
            pool = list(deals)
            self.rng.shuffle(pool)
            bulk = Decimal("0")
            while pool and bulk < total * Decimal("0.56"):
                size = min(len(pool), self.rng.randint(3, 6))
                group, pool = pool[:size], pool[size:]
                company = self.new_company()
                day = group[0].sign_date
                for d in group:
                    self.make_institutional(d, company, day)
                    d.tags.add("bulk")
                    d.discounts.append((BULK_DISCOUNT, Decimal("2")))
                    bulk += d.list_price
            institutional = bulk
            while pool and institutional < total * Decimal("0.74"):
                d = pool.pop()
                company = self.rng.choice(self.institutions) if self.rng.random() < 0.3 else self.new_company()
                self.make_institutional(d, company, d.sign_date)
                institutional += d.list_price

    def make_institutional(self, deal: Deal, company: int, day: date) -> None:
        deal.buyer, deal.co_buyer = company, None
        deal.method = M.LUMP_SUM if self.rng.random() < 0.40 else M.MORTGAGE   # or a commercial-property loan
        deal.sign_date = day
        deal.subscribed_on = day - timedelta(days=5)
        deal.deposit = Decimal("200000")
        deal.lump_sum_days = 25      # an investment committee signs the transfer off
        deal.early_days = self.rng.randint(0, 6)

    def vip_repeat_buyers(self) -> None:
        """Project A: about 27 % of the review quarter's sales are repeat purchases by VIP owners,
        and some new buyers come referred by them."""
        earlier = [d for d in self.deals if d.period < "2026Q3" and d.project in ("A", "D")
                   and self.customers[d.buyer].kind == CustomerKind.INDIVIDUAL]
        for d in self.rng.sample(earlier, k=max(1, len(earlier) // 4)):
            self.customers[d.buyer].is_vip = True
            self.customers[d.buyer].advisor = AGENTS[d.project]
        vips = [c.key for c in self.customers if c.is_vip]
        quarter = [d for d in self.deals if d.period == "2026Q3" and d.project == "A"]
        self.rng.shuffle(quarter)
        repeats = int((Decimal(len(quarter)) * Decimal("0.27")).quantize(Decimal("1")))
        owners = self.rng.sample(vips, k=min(repeats, len(vips)))
        for deal, owner in zip(quarter, owners, strict=False):
            deal.buyer, deal.co_buyer = owner, None
            deal.tags.add("vip_repeat")
            deal.discounts.append((VIP_REPEAT, Decimal("2")))
            self.customers[owner].customer_type = CustomerType.UPGRADE
            self.customers[owner].advisor = "sales"
        for deal in quarter[len(owners):]:
            if self.rng.random() < 0.35:
                self.customers[deal.buyer].referred_by = self.rng.choice(vips)

    def unwound_sales(self) -> None:
        """A buyer whose loan was refused cancels; another swaps to a larger unit (both this quarter)."""
        recent = [d for d in self.deals if d.period == "2026Q4" and d.method == M.MORTGAGE
                  and d.sign_date <= date(2026, 11, 5) and d.co_buyer is None and d.deposit
                  and self.customers[d.buyer].kind == CustomerKind.INDIVIDUAL]
        for deal, tag in zip(recent, ("cancel", "swap_from"), strict=False):
            deal.tags.add(tag)
            deal.loan_days = 999      # never disbursed
        swapping = [d for d in self.deals if "swap_from" in d.tags]
        for old in swapping:
            new = self.deal("2026Q4", old.project, old.sign_date + timedelta(days=21), buyer=old.buyer,
                            method=M.MORTGAGE)
            new.subscribed_on, new.deposit = None, Decimal("0")
            new.co_buyer = old.co_buyer
            new.tags.add("swap_to")

    def number_contracts(self) -> None:
        counters: dict[tuple[str, int], int] = {}
        for deal in self.deals:
            key = (deal.project, deal.sign_date.year)
            counters[key] = counters.get(key, 0) + 1
            deal.contract_no = f"{PROJECTS[deal.project].code}-{deal.sign_date.year}-{counters[key]:04d}"

    def unsold_units(self) -> None:
        for project, share in SELL_THROUGH.items():
            sold = sum(1 for d in self.deals if d.project == project and d.period != "2026Q4")
            later = sum(1 for d in self.deals if d.project == project and d.period == "2026Q4")
            total = int((Decimal(sold) / share).to_integral_value(rounding="ROUND_CEILING"))
            for _ in range(max(total - sold - later, 0)):
                self.units.next_unit(project)


def build_story(rng: random.Random, contracts: int) -> Story:
    return StoryBuilder(rng, contracts).build()

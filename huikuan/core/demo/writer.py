"""Write a calibrated story into the database: reference data in bulk, money through the services.

Events run in date order (bank policies, subscriptions, signings, the loans' pipeline, receipts,
cancellations and the unit swap, case work, the bank statements of the quarter's last weeks, the
nightly dunning rounds, area settlements and late-fee waivers), so document numbers follow the
calendar. Each yuan is posted once: buyers' transfers by `post_receipt`, loans by the pipeline's
`record_disbursement`, and everything in the statement window only by reconciliation.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from tqdm import tqdm

from huikuan.customers.models import Customer
from huikuan.mortgages.models import Bank
from huikuan.mortgages.services import scan_deadlines
from huikuan.org.models import Building, Project, Region, SalesTarget, Unit
from huikuan.receivables import services as ledger
from huikuan.receivables.choices import ReceiptMethod, ReceivableKind
from huikuan.sales.models import Contract, Subscription
from huikuan.sales.services import ContractRequest, Party, sign_contract, subscribe

from .bank_statements import import_and_reconcile, write_escrow_accounts
from .calibrate import REASONS
from .catalogue import BANKS, PROJECTS, REGIONS
from .collection import Collection
from .pipeline import Pipeline, write_agreements
from .plan import Ledger, Pay, options_of, payments_of
from .story import AGENTS, Deal, Story
from .targets import quarterly_targets
from .timeline import STATEMENT_WINDOW, TODAY
from .users import create_demo_users

SWAP_REASON = "客户改购更大户型，已付房款转入新合同（换房）"
CANCEL_REASON = "按揭贷款审批未通过，双方协商解除合同（退房）"
SURVEY_ERRORS = (Decimal("0.012"), Decimal("-0.008"), Decimal("0.021"), Decimal("-0.036"))


@dataclass
class Refs:
    projects: dict[str, Project]
    units: dict[int, Unit]            # id(UnitSpec) → Unit
    customers: dict[int, Customer]
    users: dict[str, Any]
    contracts: dict[int, Contract]
    subscriptions: dict[int, Subscription]
    accounts: dict[str, Any]          # project key → its escrow BankAccount


def write_reference(story: Story) -> Refs:
    regions = {code: Region.objects.create(code=code, name=name) for code, name in REGIONS.items()}
    projects = {
        key: Project.objects.create(code=s.code, name=s.name, region=regions[s.region], product_line=s.product_line,
                                    city_zone=s.zone, description=s.description)
        for key, s in PROJECTS.items()
    }
    Bank.objects.bulk_create([Bank(code=b.code, name=b.name, short_name=b.short_name, is_partner=True,
                                   green_channel=True, promised_disbursement_days=b.promised_days) for b in BANKS])
    buildings: dict[tuple[str, str], Building] = {}
    rows: list[tuple[int, Unit]] = []
    for key, specs in story.units.units.items():
        for spec in specs:
            if (key, spec.building) not in buildings:
                buildings[(key, spec.building)] = Building.objects.create(project=projects[key], name=spec.building)
            rows.append((id(spec), Unit(building=buildings[(key, spec.building)], number=spec.number,
                                        floor=spec.floor, pre_sale_area=spec.area, list_price=spec.list_price)))
    Unit.objects.bulk_create([u for _, u in rows], batch_size=500)
    users = create_demo_users(projects, regions)
    customers = [Customer(kind=c.kind, name=c.name, id_number=c.id_number, phone=c.phone,
                          customer_type=c.customer_type, is_vip=c.is_vip,
                          advisor=users.get(c.advisor) if c.advisor else None) for c in story.customers]
    Customer.objects.bulk_create(customers, batch_size=500)
    by_key = dict(enumerate(customers))
    referred = [by_key[c.key] for c in story.customers if c.referred_by is not None]
    for c in story.customers:
        if c.referred_by is not None:
            by_key[c.key].referred_by = by_key[c.referred_by]
    Customer.objects.bulk_update(referred, ["referred_by"], batch_size=500)
    SalesTarget.objects.bulk_create([
        SalesTarget(project=projects[t.project], year=t.year, quarter=t.quarter, units=t.units,
                    amount_signed=t.amount_signed, amount_collected=t.amount_collected)
        for t in quarterly_targets(Ledger.of(story))
    ])
    write_agreements({b.code: b for b in Bank.objects.all()})
    return Refs(projects, dict(rows), by_key, users, {}, {}, write_escrow_accounts(projects))


PHASES = ("policy", "subscribe", "sign", "loan", "pay", "cancel", "casework", "statements", "round", "today")


class Writer:
    """Runs every event of the story in date order; on one day: bank policies, subscriptions, signings,
    the loans' pipeline (disbursements included), buyers' payments, cancellations, case work, the bank
    statements of the window, the nightly dunning round, and on TODAY what only today brings."""

    def __init__(self, story: Story, refs: Refs) -> None:
        self.story, self.refs = story, refs
        self.finance = refs.users["finance"]
        self.pipeline = Pipeline(refs.contracts, refs.users)
        self.collection = Collection(story, refs.contracts, refs.users, random.Random(story.casework_seed))
        self.window: list[tuple[Deal, Pay]] = []      # money that arrives by bank statement

    def agent(self, deal: Deal) -> Any:
        return self.refs.users[AGENTS[deal.project]]

    def events(self) -> list[tuple[date, int, int, int, Callable[[], object]]]:
        phase = {name: n for n, name in enumerate(PHASES)}
        out: list[tuple[date, int, int, int, Callable[[], object]]] = [
            (day, phase["policy"], -1, n, action) for n, (day, action) in enumerate(self.pipeline.policy_events())]
        start, end = STATEMENT_WINDOW
        for deal in self.story.deals:
            pays = payments_of(deal)
            if deal.subscribed_on is not None:
                out.append((deal.subscribed_on, phase["subscribe"], deal.key, 0, partial(self.subscribe, deal)))
                pays = pays[1:]        # the deposit is posted with the subscription
            out.append((deal.sign_date, phase["sign"], deal.key, 0, partial(self.sign, deal)))
            for i, pay in enumerate(pays, start=1):
                if start <= pay.day <= end:
                    self.window.append((deal, pay))
                elif not pay.loan:     # a loan is paid by its disbursement in the pipeline
                    out.append((pay.day, phase["pay"], deal.key, i, partial(self.pay, deal, pay)))
            for i, op in enumerate(self.story.loans.get(deal.key, [])):
                out.append((op.day, phase["loan"], deal.key, i, partial(self.pipeline.run, deal, op)))
            if "swap_to" in deal.tags:
                out.append((deal.sign_date, phase["sign"], deal.key, 1, partial(self.swap, deal)))
            if "cancel" in deal.tags:
                on = deal.sign_date + timedelta(days=28)
                out.append((on, phase["cancel"], deal.key, 0, partial(self.cancel, deal, on)))
        out.append((end, phase["statements"], 0, 0, self.statements))
        out.append((date(2026, 11, 16), phase["casework"], -2, 0, self.settle_areas))
        out.append((date(2026, 12, 1), phase["casework"], -2, 0, self.waive_late_fees))
        out += [(day, phase[name], key, 0, action) for day, name, key, action in self.collection.events()]
        out.append((TODAY, phase["today"], -1, 0, partial(scan_deadlines, TODAY)))   # the specialists' daily check
        out.sort(key=lambda e: e[:4])
        return out

    def subscribe(self, deal: Deal) -> None:
        customer = self.refs.customers[deal.buyer]
        on = deal.subscribed_on
        assert on is not None
        sub = subscribe(actor=self.agent(deal), unit=self.refs.units[id(deal.unit)], customer=customer,
                        price=deal.price, deposit=deal.deposit, on=on,
                        sign_within_days=max(7, (deal.sign_date - on).days), agent=self.agent(deal),
                        channel=deal.channel)
        ledger.post_receipt(actor=self.finance, amount=deal.deposit, received_on=on, subscription=sub,
                            method=ReceiptMethod.POS, payer_name=customer.name, note="认购定金", allocate=False)
        self.refs.subscriptions[deal.key] = sub

    def sign(self, deal: Deal) -> None:
        parties = [Party(self.refs.customers[deal.buyer])]
        if deal.co_buyer is not None:
            parties = [Party(self.refs.customers[deal.buyer], Decimal("50")),
                       Party(self.refs.customers[deal.co_buyer], Decimal("50"))]
        self.refs.contracts[deal.key] = sign_contract(actor=self.agent(deal), request=ContractRequest(
            contract_no=deal.contract_no, unit=self.refs.units[id(deal.unit)], parties=parties,
            list_price=deal.list_price, payment_method=deal.method, sign_date=deal.sign_date,
            discounts=deal.discount_amounts, plan_options=options_of(deal),
            subscription=self.refs.subscriptions.get(deal.key), agent=self.agent(deal),
            contract_area=deal.unit.area))

    def pay(self, deal: Deal, pay: Pay) -> None:
        customer = self.refs.customers[deal.buyer]
        ledger.post_receipt(actor=self.finance, amount=pay.amount, received_on=pay.day,
                            contract=self.refs.contracts[deal.key], method=ReceiptMethod.BANK_TRANSFER,
                            payer_name=customer.name, note=pay.note)

    def statements(self) -> None:
        def loan_bank(deal: Deal, pay: Pay) -> Any:
            return self.pipeline.apps[(deal.key, pay.loan)].bank

        import_and_reconcile(self.story, self.refs.accounts, self.window, loan_bank, self.finance)

    def swap(self, new: Deal) -> None:
        old = next(d for d in self.story.deals if "swap_from" in d.tags and d.buyer == new.buyer)
        ledger.swap_unit(actor=self.finance, contract=self.refs.contracts[old.key],
                         new_contract=self.refs.contracts[new.key], on=new.sign_date, reason=SWAP_REASON)

    def cancel(self, deal: Deal, on: date) -> None:
        ledger.cancel_contract(actor=self.finance, contract=self.refs.contracts[deal.key], on=on,
                               reason=CANCEL_REASON, deductions=Decimal("0"))

    def run(self, progress: bool) -> None:
        events = self.events()
        for _day, _phase, _key, _i, action in tqdm(events, desc="demo quarter", unit="event", disable=not progress):
            action()

    def settle_areas(self) -> None:
        """This quarter's area settlements (A's first buildings were surveyed)."""
        delivered = [d for d in self.story.deals if d.project == "A" and d.period in ("2025Q2", "2025Q3")
                     and d.live and d.incident is None]
        for deal, error in zip(delivered, SURVEY_ERRORS, strict=False):
            ledger.settle_area(actor=self.finance, contract=self.refs.contracts[deal.key],
                               registered_area=(deal.unit.area * (1 + error)).quantize(Decimal("0.01")),
                               on=date(2026, 11, 16))

    def waive_late_fees(self) -> None:
        """Two late-fee waivers requested: one approved, one rejected."""
        late = [d for d in self.story.deals if d.incident is not None and d.incident.cured_on is not None
                and d.incident.reason in (REASONS["short"], REASONS["missed"])]
        for approve, deal in zip((True, False), late, strict=False):
            contract = self.refs.contracts[deal.key]
            ledger.post_late_fees(actor=self.finance, contract=contract, as_of=date(2026, 11, 30))
            fee = contract.receivables.filter(kind=ReceivableKind.LATE_FEE).first()
            if fee is None:
                continue
            owed = ledger.outstanding_of([fee.pk])[fee.pk]
            if owed <= 0:
                continue
            waiver = ledger.request_waiver(actor=self.refs.users["collector"], receivable=fee,
                                           amount=(owed / 2).quantize(Decimal("0.01")),
                                           reason="客户已补齐欠款并承诺按期付款，申请减免一半违约金")
            ledger.decide_waiver(actor=self.refs.users["manager"], waiver=waiver, approve=approve,
                                 note="同意减免" if approve else "逾期时间较长，不予减免", on=date(2026, 12, 1))

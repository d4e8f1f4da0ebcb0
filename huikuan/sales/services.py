"""Sales writes: subscriptions (认购) and contracts (签约) with their payment plans."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from huikuan.core.money import ZERO, to_money
from huikuan.core.services import next_number, record
from huikuan.customers.models import Customer
from huikuan.org.choices import UnitStatus
from huikuan.org.models import Unit

from .choices import ContractStatus, PaymentMethod, SubscriptionStatus
from .models import Contract, ContractParty, Discount, Subscription
from .plans import PlanLine, PlanOptions, build_plan


class SalesError(Exception):
    """A sales request that cannot be carried out; the message says why."""


@transaction.atomic
def subscribe(*, actor: Any, unit: Unit, customer: Customer, price: Decimal | str, deposit: Decimal | str,
              on: date, sign_within_days: int = 7, agent: Any = None, channel: str = "") -> Subscription:
    unit = Unit.objects.select_for_update().select_related("building").get(pk=unit.pk)
    if unit.status != UnitStatus.AVAILABLE:
        raise SalesError(f"unit {unit} is {unit.status}")
    subscription = Subscription.objects.create(
        number=next_number("RG", on.year), project_id=unit.building.project_id, unit=unit, customer=customer,
        agent=agent, subscribed_on=on, expires_on=on + timedelta(days=sign_within_days), price=to_money(price),
        deposit=to_money(deposit), channel=channel)
    unit.status = UnitStatus.SUBSCRIBED
    unit.save(update_fields=["status"])
    record(actor, "subscription.created", subscription, unit=str(unit), price=subscription.price,
           deposit=subscription.deposit)
    return subscription


@transaction.atomic
def lapse_subscription(*, actor: Any, subscription: Subscription, reason: str) -> Subscription:
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.status != SubscriptionStatus.ACTIVE:
        raise SalesError(f"subscription {subscription.number} is {subscription.status}")
    subscription.status = SubscriptionStatus.LAPSED
    subscription.save(update_fields=["status"])
    Unit.objects.filter(pk=subscription.unit_id).update(status=UnitStatus.AVAILABLE)
    record(actor, "subscription.lapsed", subscription, reason=reason)
    return subscription


@dataclass(frozen=True)
class Party:
    customer: Customer
    share: Decimal = Decimal("100")


@dataclass(frozen=True)
class ContractRequest:
    contract_no: str
    unit: Unit
    parties: Sequence[Party]
    list_price: Decimal
    payment_method: str
    sign_date: date
    discounts: Sequence[tuple[str, Decimal]] = ()
    plan: Sequence[PlanLine] | None = None     # given (imported) plan; else the method's template
    plan_options: PlanOptions | None = None
    subscription: Subscription | None = None
    agent: Any = None
    contract_area: Decimal | None = None
    terms: dict[str, Any] = field(default_factory=dict)  # late_fee_daily_rate, grace_days, …


@transaction.atomic
def sign_contract(*, actor: Any, request: ContractRequest) -> Contract:
    """Sign a contract and write its payment plan; a subscription's deposit moves onto it."""
    from huikuan.receivables.models import Receipt, Receivable
    from huikuan.receivables.services import allocate_receipt

    req = request
    if req.payment_method not in PaymentMethod.values:
        raise SalesError(f"unknown payment method {req.payment_method!r}")
    if not req.parties:
        raise SalesError("a contract needs at least one party")
    if Contract.objects.filter(contract_no=req.contract_no).exists():
        raise SalesError(f"contract {req.contract_no} already exists")
    unit = Unit.objects.select_for_update().select_related("building").get(pk=req.unit.pk)
    if unit.status == UnitStatus.SIGNED:
        raise SalesError(f"unit {unit} is already signed")
    if unit.status == UnitStatus.SUBSCRIBED and (req.subscription is None or req.subscription.unit_id != unit.pk):
        raise SalesError(f"unit {unit} is reserved by a subscription")
    list_price = to_money(req.list_price)
    discounts = [(name, to_money(amount)) for name, amount in req.discounts]
    price = list_price - sum((amount for _, amount in discounts), ZERO)
    if price <= ZERO:
        raise SalesError("the discounts leave no price")
    deposit = req.subscription.deposit if req.subscription else ZERO
    if req.plan is not None:
        lines = list(req.plan)
        total = sum((line.amount for line in lines), ZERO)
        if total != price:
            raise SalesError(f"the payment plan sums to {total}, the contract price is {price}")
    else:
        lines = build_plan(req.payment_method, price, req.sign_date, deposit=deposit,
                           deposit_date=req.subscription.subscribed_on if req.subscription else None,
                           options=req.plan_options)
    contract = Contract.objects.create(
        contract_no=req.contract_no, project_id=unit.building.project_id, unit=unit, subscription=req.subscription,
        agent=req.agent, list_price=list_price, price=price, payment_method=req.payment_method,
        sign_date=req.sign_date, contract_area=req.contract_area or unit.pre_sale_area, **req.terms)
    ContractParty.objects.bulk_create([
        ContractParty(contract=contract, customer=p.customer, share=p.share, is_primary=i == 0)
        for i, p in enumerate(req.parties)
    ])
    Discount.objects.bulk_create([Discount(contract=contract, description=n, amount=a) for n, a in discounts])
    Receivable.objects.bulk_create([
        Receivable(contract=contract, kind=line.kind, seq=line.seq, name=line.name, due_date=line.due_date,
                   amount=line.amount, created_by=actor if getattr(actor, "pk", None) else None)
        for line in lines
    ])
    unit.status = UnitStatus.SIGNED
    unit.save(update_fields=["status"])
    if req.subscription is not None:
        Subscription.objects.filter(pk=req.subscription.pk).update(status=SubscriptionStatus.CONVERTED)
        for receipt in Receipt.objects.filter(subscription=req.subscription, contract__isnull=True):
            Receipt.objects.filter(pk=receipt.pk).update(contract=contract)
            receipt.contract = contract
            allocate_receipt(actor=actor, receipt=receipt)
    record(actor, "contract.signed", contract, price=price, method=req.payment_method,
           plan=[(line.name, str(line.due_date), str(line.amount)) for line in lines])
    return contract


def is_live(contract: Contract) -> bool:
    return contract.status == ContractStatus.SIGNED

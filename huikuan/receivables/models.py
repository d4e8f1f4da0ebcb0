"""The receivables ledger.

A `Receivable` is one charge: a line of the payment plan, a late fee, an area adjustment or a
deduction. Its `amount` is fixed when it is created. Everything that happens to it afterwards is
an immutable `LedgerEntry` whose signed `amount` is the change in what is owed (an allocation of
100 is −100; undoing it is +100 with `reverses` pointing at the first). What is outstanding is
`amount + Σ entries`, never a stored total (see docs/adr/0002-ledger.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from huikuan.sales.models import Contract, Subscription

from .choices import ApprovalStatus, EntryKind, ReceiptMethod, ReceiptSource, ReceivableKind
from .querysets import LedgerEntryQuerySet, ReceiptQuerySet, ReceivableQuerySet


class Receivable(models.Model):
    # indexed through `receivable_plan_cover` (its first column)
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="receivables", db_index=False)
    kind = models.CharField(_("kind"), max_length=16, choices=ReceivableKind.choices)
    seq = models.PositiveSmallIntegerField(_("no."), default=1)
    name = models.CharField(_("item"), max_length=64, help_text=_("the item as written in the plan"))
    due_date = models.DateField(_("due date"), db_index=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    objects = ReceivableQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "due_date", "id"]
        # covers the balances pass (receivables.balances): a contract's plan lines in due-date order with
        # their amounts and kinds, read from the index alone
        indexes = [models.Index(fields=["contract", "due_date", "id", "amount", "kind"], name="receivable_plan_cover")]
        verbose_name = _("receivable")
        verbose_name_plural = _("receivables")

    def __str__(self) -> str:
        return f"{self.contract_id}:{self.name} {self.due_date} {self.amount}"


class Receipt(models.Model):
    """Money that arrived (or, with a negative amount, left: a refund). Immutable once posted."""

    number = models.CharField(_("receipt no."), max_length=32, unique=True)
    # indexed through `receipt_ledger_cover` (its first column)
    contract = models.ForeignKey(Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="receipts",
                                 db_index=False)
    subscription = models.ForeignKey(Subscription, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="receipts")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    received_on = models.DateField(_("received on"), db_index=True)
    method = models.CharField(_("method"), max_length=20, choices=ReceiptMethod.choices,
                              default=ReceiptMethod.BANK_TRANSFER)
    source = models.CharField(_("source"), max_length=16, choices=ReceiptSource.choices,
                              default=ReceiptSource.CASHIER)
    reference = models.CharField(_("reference"), max_length=128, blank=True, db_index=True)
    payer_name = models.CharField(_("payer"), max_length=128, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    objects = ReceiptQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        permissions = [("allocate", _("Can allocate receipts")), ("refund", _("Can refund"))]
        constraints = [
            models.UniqueConstraint(fields=["source", "reference"], condition=~models.Q(reference=""),
                                    name="receipt_reference_unique_per_source"),
        ]
        # covers the balances pass: a contract's receipts in date order with their amounts, from the index alone
        indexes = [models.Index(fields=["contract", "received_on", "id", "amount"], name="receipt_ledger_cover")]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self) -> str:
        return f"{self.number} {self.amount}"


class LedgerEntry(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="ledger_entries")
    receivable = models.ForeignKey(Receivable, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    amount = models.DecimalField(_("change in amount owed"), max_digits=14, decimal_places=2)
    receipt = models.ForeignKey(Receipt, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="entries")
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by")
    posted_on = models.DateField(_("value date"), db_index=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["posted_on", "id"]
        indexes = [models.Index(fields=["contract", "kind"])]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} on {self.receivable_id}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise ValueError("ledger entries are immutable; post a reversing entry instead")
        super().save(*args, **kwargs)


class AllocationManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(kind=EntryKind.ALLOCATION)


class Allocation(LedgerEntry):
    """核销: the ledger entries that apply a receipt to a receivable (a view on LedgerEntry)."""

    objects = AllocationManager()  # type: ignore[assignment,misc]

    class Meta:
        proxy = True
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")

    @property
    def allocated(self):  # type: ignore[no-untyped-def]
        return -self.amount


class Waiver(models.Model):
    """减免: a request to forgive part of a receivable (usually late fees), approved by someone else."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="waivers")
    receivable = models.ForeignKey(Receivable, on_delete=models.PROTECT, related_name="waivers")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=255)
    status = models.CharField(_("status"), max_length=16, choices=ApprovalStatus.choices,
                              default=ApprovalStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    entry = models.OneToOneField(LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-requested_at"]
        permissions = [("request_waiver", _("Can request waivers")), ("approve_waiver", _("Can approve waivers"))]
        verbose_name = _("waiver")
        verbose_name_plural = _("waivers")

    def __str__(self) -> str:
        return f"{self.contract} −{self.amount} ({self.status})"


class AreaSettlement(models.Model):
    """面积补差: the settlement of a difference between contract and registered area."""

    contract = models.OneToOneField(Contract, on_delete=models.PROTECT, related_name="area_settlement")
    contract_area = models.DecimalField(max_digits=10, decimal_places=2)
    registered_area = models.DecimalField(max_digits=10, decimal_places=2)
    error_ratio = models.DecimalField(max_digits=9, decimal_places=6)
    unit_price = models.DecimalField(max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("amount (+ buyer pays, − refund)"), max_digits=14, decimal_places=2)
    buyer_may_cancel = models.BooleanField(default=False)
    receivable = models.OneToOneField(Receivable, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    settled_on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        permissions = [("settle_area", _("Can settle area differences"))]
        verbose_name = _("area settlement")
        verbose_name_plural = _("area settlements")

    def __str__(self) -> str:
        return f"{self.contract} {self.amount}"


class Cancellation(models.Model):
    """退房 / 换房: a contract unwound; what was paid, what was kept, where the rest went."""

    contract = models.OneToOneField(Contract, on_delete=models.PROTECT, related_name="cancellation")
    cancelled_on = models.DateField()
    reason = models.CharField(max_length=255)
    paid = models.DecimalField(max_digits=14, decimal_places=2)
    deductions = models.DecimalField(max_digits=14, decimal_places=2)
    interest = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    refunded = models.DecimalField(max_digits=14, decimal_places=2)
    moved_to = models.ForeignKey(Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 help_text=_("unit swap: the new contract that received the money"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        permissions = [("cancel_contract", _("Can cancel contracts"))]
        verbose_name = _("cancellation")
        verbose_name_plural = _("cancellations")

    def __str__(self) -> str:
        return f"{self.contract} cancelled {self.cancelled_on}"

"""Overdue warnings, dunning policies, collection cases, promises, restructurings and disputes.

The scan writes `OverdueSnapshot` (one row per late receivable per scan date), keeps
`ReceivableStatus` (the latest level of each receivable) and appends a `LevelChange` whenever that
level moves. Everything else is case work, changed only through `services`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huikuan.customers.models import Customer
from huikuan.org.models import Project
from huikuan.receivables.models import Receivable, Waiver
from huikuan.sales.models import Contract

from .choices import (
    ActionKind,
    ActionStatus,
    Anchor,
    ApprovalStatus,
    CallOutcome,
    CaseStatus,
    Channel,
    CloseReason,
    DisputeOutcome,
    DisputeSource,
    DisputeStatus,
    Level,
    OwnerReason,
    PromiseStatus,
    RestructuringKind,
    Risk,
    ScanStatus,
    Segment,
)
from .querysets import CaseQuerySet, DisputeQuerySet

USER = settings.AUTH_USER_MODEL
MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
DISPUTE_SLA = timedelta(hours=24)


# --- configuration --------------------------------------------------------------------------


class AgingBucket(models.Model):
    label = models.CharField(_("label"), max_length=16, unique=True)
    min_days = models.PositiveIntegerField(_("from day"))
    max_days = models.PositiveIntegerField(_("to day"), null=True, blank=True, help_text=_("empty: no limit"))

    class Meta:
        ordering = ["min_days"]
        verbose_name = _("aging bucket")
        verbose_name_plural = _("aging buckets")

    def __str__(self) -> str:
        return self.label


class WarningRule(models.Model):
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    min_days = models.PositiveIntegerField(_("at least days overdue"), default=1)
    min_amount = models.DecimalField(_("at least amount overdue"), default="0.01", **MONEY)
    kinds = models.JSONField(_("receivable kinds"), default=list, blank=True, help_text=_("empty: any kind"))
    min_risk = models.CharField(_("at least customer risk"), max_length=8, choices=Risk.choices, default=Risk.LOW)
    min_sla_over = models.PositiveSmallIntegerField(
        _("at least business days the bank is over its stage SLA"), default=0,
        help_text=_("bank loans waiting on the bank; 0: not a condition"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("warning rule")
        verbose_name_plural = _("warning rules")

    def __str__(self) -> str:
        return f"{self.name} → {self.level}"


class DunningPolicy(models.Model):
    name = models.CharField(_("name"), max_length=64, unique=True)
    kinds = models.JSONField(_("receivable kinds"), default=list, blank=True, help_text=_("empty: any kind"))
    segment = models.CharField(_("customer segment"), max_length=16, choices=Segment.choices, default=Segment.ANY)
    position = models.PositiveSmallIntegerField(_("order"), default=0, help_text=_("the first that fits is used"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("dunning policy")
        verbose_name_plural = _("dunning policies")

    def __str__(self) -> str:
        return self.name


class PolicyStep(models.Model):
    policy = models.ForeignKey(DunningPolicy, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=64)
    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices)
    anchor = models.CharField(_("timing"), max_length=16, choices=Anchor.choices, default=Anchor.AFTER_DUE)
    days = models.PositiveSmallIntegerField(_("days"), default=0)
    business_days = models.BooleanField(_("count business days"), default=False)
    min_level = models.CharField(_("from level"), max_length=8, choices=Level.choices, default=Level.BLUE)
    template = models.CharField(_("template"), max_length=64, blank=True)

    class Meta:
        ordering = ["policy", "position"]
        unique_together = [("policy", "position")]
        verbose_name = _("policy step")
        verbose_name_plural = _("policy steps")

    def __str__(self) -> str:
        return f"{self.policy}#{self.position} {self.name}"


# --- the scan -------------------------------------------------------------------------------


class ScanRun(models.Model):
    """One overdue scan for one date. Claimed with a conditional UPDATE; progress is the last contract
    whose results are committed, so a run that died resumes after it."""

    as_of = models.DateField(_("as of"), unique=True)
    status = models.CharField(_("status"), max_length=8, choices=ScanStatus.choices, default=ScanStatus.PENDING)
    token = models.CharField(max_length=32, blank=True)
    last_contract_id = models.BigIntegerField(default=0)
    contracts_done = models.PositiveIntegerField(default=0)
    contracts_total = models.PositiveIntegerField(default=0)
    totals = models.JSONField(default=dict, blank=True, help_text=_("receivables due per project"))
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-as_of"]
        verbose_name = _("overdue scan")
        verbose_name_plural = _("overdue scans")

    def __str__(self) -> str:
        return f"scan {self.as_of} {self.status}"

    @property
    def progress(self) -> float:
        return 1.0 if not self.contracts_total else min(1.0, self.contracts_done / self.contracts_total)


class OverdueSnapshot(models.Model):
    """One late receivable on one scan date (the aging report's rows). Written in bulk every night, so
    it carries only the two indexes its readers use — (as_of, receivable) unique for the scan's
    upserts, (as_of, project) for the reports — and none per foreign key; old dates are pruned
    (dunning.retention)."""

    as_of = models.DateField()
    receivable = models.ForeignKey(Receivable, on_delete=models.CASCADE, related_name="+", db_index=False)
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="+", db_index=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+", db_index=False)
    customer = models.ForeignKey(Customer, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    kind = models.CharField(max_length=16)
    effective_due = models.DateField()
    days = models.PositiveIntegerField()
    bucket = models.CharField(max_length=16)
    level = models.CharField(max_length=8, choices=Level.choices, blank=True)
    amount = models.DecimalField(_("overdue"), **MONEY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["as_of", "receivable"], name="snapshot_once_per_day")]
        indexes = [models.Index(fields=["as_of", "project"])]
        verbose_name = _("overdue snapshot")
        verbose_name_plural = _("overdue snapshots")

    def __str__(self) -> str:
        return f"{self.as_of} {self.receivable_id} {self.level} {self.amount}"


class ReceivableStatus(models.Model):
    """The latest warning level of a receivable (what the next scan compares against)."""

    receivable = models.OneToOneField(Receivable, on_delete=models.CASCADE, primary_key=True, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField()
    level = models.CharField(max_length=8, choices=Level.choices, blank=True)
    days = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(**MONEY, default=0)

    class Meta:
        indexes = [models.Index(fields=["contract"])]
        verbose_name = _("receivable status")
        verbose_name_plural = _("receivable statuses")

    def __str__(self) -> str:
        return f"{self.receivable_id} {self.level} as of {self.as_of}"


class LevelChange(models.Model):
    receivable = models.ForeignKey(Receivable, on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField(db_index=True)
    from_level = models.CharField(max_length=8, blank=True)
    to_level = models.CharField(max_length=8, blank=True)
    reason = models.CharField(max_length=255)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-as_of", "-pk"]
        constraints = [models.UniqueConstraint(fields=["receivable", "as_of"], name="one_level_change_per_day")]
        verbose_name = _("level change")
        verbose_name_plural = _("level changes")

    def __str__(self) -> str:
        return f"{self.receivable_id} {self.from_level or '-'}→{self.to_level or '-'} {self.as_of}"


# --- case work ------------------------------------------------------------------------------


class CollectionCase(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="collection_cases")
    customer = models.ForeignKey(Customer, null=True, on_delete=models.PROTECT, related_name="+")
    policy = models.ForeignKey(DunningPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    owner_reason = models.CharField(max_length=16, choices=OwnerReason.choices, default=OwnerReason.NONE)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices, default=Level.BLUE)
    level_floor = models.CharField(_("escalated to"), max_length=8, blank=True)
    risk = models.CharField(max_length=8, choices=Risk.choices, default=Risk.NORMAL)
    overdue = models.DecimalField(_("overdue"), default=0, **MONEY)
    days = models.PositiveIntegerField(_("days overdue"), default=0)
    oldest_due = models.DateField(null=True, blank=True)
    priority = models.DecimalField(_("priority"), max_digits=24, decimal_places=0, default=0, db_index=True)
    on_hold_until = models.DateField(_("on hold until"), null=True, blank=True)
    hold_reason = models.CharField(max_length=255, blank=True)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(null=True, blank=True)
    close_reason = models.CharField(max_length=16, choices=CloseReason.choices, blank=True)
    updated_on = models.DateField(null=True, blank=True, help_text=_("scan date of the figures"))

    objects = CaseQuerySet.as_manager()  # type: ignore[django-manager-missing]

    class Meta:
        ordering = ["-priority", "pk"]
        constraints = [models.UniqueConstraint(fields=["contract"], condition=models.Q(status="open"),
                                               name="one_open_case_per_contract")]
        permissions = [("work_case", _("Can work collection cases")),
                       ("approve_restructuring", _("Can approve restructurings"))]
        verbose_name = _("collection case")
        verbose_name_plural = _("collection cases")

    def __str__(self) -> str:
        return f"case {self.pk} {self.contract_id} {self.level}"


class CaseAction(models.Model):
    """What happened (or is planned) on a case: a policy step, a hold, a call, an escalation…"""

    case = models.ForeignKey(CollectionCase, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=16, choices=ActionKind.choices)
    step = models.ForeignKey(PolicyStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=24, choices=Channel.choices, blank=True)
    status = models.CharField(max_length=16, choices=ActionStatus.choices, default=ActionStatus.DONE)
    planned_on = models.DateField(null=True, blank=True, db_index=True)
    done_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=CallOutcome.choices, blank=True)
    reason = models.CharField(max_length=255, blank=True)
    amount = models.DecimalField(null=True, blank=True, **MONEY)
    message_ref = models.CharField(max_length=64, blank=True, help_text=_("what the channel returned"))
    document = models.FileField(upload_to="dunning/letters/", blank=True)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["planned_on", "at", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "step"], condition=models.Q(kind="step"),
                                               name="one_action_per_case_step")]
        verbose_name = _("case action")
        verbose_name_plural = _("case actions")

    def __str__(self) -> str:
        return f"{self.kind} {self.status} {self.planned_on or self.at:%Y-%m-%d}"


class PromiseToPay(models.Model):
    case = models.ForeignKey(CollectionCase, on_delete=models.CASCADE, related_name="promises")
    amount = models.DecimalField(_("amount"), **MONEY)
    pay_by = models.DateField(_("pay by"))
    made_on = models.DateField(_("made on"))
    status = models.CharField(max_length=8, choices=PromiseStatus.choices, default=PromiseStatus.OPEN)
    received = models.DecimalField(_("received by then"), null=True, blank=True, **MONEY)
    checked_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-made_on", "-pk"]
        verbose_name = _("promise to pay")
        verbose_name_plural = _("promises to pay")

    def __str__(self) -> str:
        return f"{self.amount} by {self.pay_by} ({self.status})"


class Restructuring(models.Model):
    case = models.ForeignKey(CollectionCase, on_delete=models.PROTECT, related_name="restructurings")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=RestructuringKind.choices)
    receivables = models.ManyToManyField(Receivable, related_name="+", help_text=_("the lines replaced"))
    plan = models.JSONField(help_text=_('new lines: [{"due_date": "2026-12-31", "amount": "1000.00"}, …]'))
    amount = models.DecimalField(_("amount restructured"), **MONEY)
    reason = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.REQUESTED)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    new_receivables = models.ManyToManyField(Receivable, related_name="+", blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("restructuring")
        verbose_name_plural = _("restructurings")

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.status})"


class Dispute(models.Model):
    receivable = models.ForeignKey(Receivable, on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, null=True, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("disputed amount"), **MONEY)
    reason = models.TextField(_("reason"))
    source = models.CharField(max_length=16, choices=DisputeSource.choices, default=DisputeSource.STAFF)
    opened_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    response_due_at = models.DateTimeField(_("first response due"))
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response = models.TextField(blank=True)
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=8, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    outcome = models.CharField(max_length=16, choices=DisputeOutcome.choices, blank=True)
    resolution = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    waiver = models.ForeignKey(Waiver, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = DisputeQuerySet.as_manager()  # type: ignore[django-manager-missing]

    class Meta:
        ordering = ["response_due_at", "pk"]
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")

    def __str__(self) -> str:
        return f"dispute {self.pk} on {self.receivable_id} ({self.status})"

    def breached(self, now=None) -> bool:  # type: ignore[no-untyped-def]
        """The first response came (or is still missing) after its deadline."""
        answered = self.first_response_at or now or timezone.now()
        return answered > self.response_due_at

    def time_left(self, now=None) -> timedelta | None:  # type: ignore[no-untyped-def]
        if self.first_response_at is not None:
            return None
        return self.response_due_at - (now or timezone.now())

"""Mortgage and provident-fund loan pipeline: banks, their agreements and dated policies, loan
applications with their stage history, document checklists, credit pre-checks, interim guarantees
and the notices specialists receive. Every write goes through `services`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huikuan.org.models import Project
from huikuan.receivables.models import Receipt, Receivable
from huikuan.sales.models import Contract

from .choices import (
    DocumentKind,
    DocumentStatus,
    GuaranteeStatus,
    LoanKind,
    NoticeKind,
    PreCheckRemedy,
    PreCheckResult,
    Stage,
    WayOut,
)
from .querysets import LoanApplicationQuerySet


class Bank(models.Model):
    """A partner bank (合作银行) that lends to buyers and receives collections."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    short_name = models.CharField(_("short name"), max_length=16, blank=True)
    is_partner = models.BooleanField(_("partner"), default=True)
    green_channel = models.BooleanField(_("green channel"), default=False)
    promised_disbursement_days = models.PositiveSmallIntegerField(
        _("promised days to disbursement"), null=True, blank=True,
        help_text=_("from the agreement, e.g. 14 for a green channel"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("bank")
        verbose_name_plural = _("banks")

    def __str__(self) -> str:
        return self.short_name or self.name


class BankAgreement(models.Model):
    """The co-operation agreement with a bank: green channel, interim guarantee, per-stage SLAs."""

    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="agreements")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                help_text=_("empty: the agreement covers every project"))
    signed_on = models.DateField(_("signed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    green_channel = models.BooleanField(_("green channel"), default=False)
    promised_disbursement_days = models.PositiveSmallIntegerField(_("promised days to disbursement"),
                                                                  null=True, blank=True)
    interim_guarantee = models.BooleanField(_("developer's interim guarantee (阶段性担保)"), default=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["bank", "-signed_on"]
        verbose_name = _("bank agreement")
        verbose_name_plural = _("bank agreements")

    def __str__(self) -> str:
        return f"{self.bank} {self.signed_on}"


class StageSLA(models.Model):
    """Business days the bank promises for one stage (empty bank: the default for every bank)."""

    bank = models.ForeignKey(Bank, null=True, blank=True, on_delete=models.CASCADE, related_name="stage_slas")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    business_days = models.PositiveSmallIntegerField(_("business days"))

    class Meta:
        ordering = ["bank", "stage"]
        constraints = [models.UniqueConstraint(fields=["bank", "stage"], name="stage_sla_once_per_bank")]
        verbose_name = _("stage SLA")
        verbose_name_plural = _("stage SLAs")

    def __str__(self) -> str:
        return f"{self.bank or '*'} {self.stage} {self.business_days}"


class BankPolicy(models.Model):
    """A bank's lending policy from a date on. Never edited: a change is a new dated record,
    compared with the previous one (`diff`)."""

    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="policies")
    effective_from = models.DateField(_("effective from"))
    lpr_spread_bp = models.IntegerField(_("rate spread over LPR (basis points)"), default=0)
    first_home_min_down = models.DecimalField(_("minimum down payment, first home"), max_digits=5,
                                              decimal_places=4)
    second_home_min_down = models.DecimalField(_("minimum down payment, second home"), max_digits=5,
                                               decimal_places=4)
    approval_days = models.PositiveSmallIntegerField(_("approval days"))
    monthly_quota = models.DecimalField(_("monthly quota"), max_digits=14, decimal_places=2, null=True,
                                        blank=True, help_text=_("empty: no quota"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    diff = models.JSONField(_("changes from the previous policy"), default=dict, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["bank", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["bank", "effective_from"], name="policy_once_per_day")]
        verbose_name = _("bank policy")
        verbose_name_plural = _("bank policies")

    def __str__(self) -> str:
        return f"{self.bank} {self.effective_from}"


class ProjectLoanTerms(models.Model):
    """Per-project days from the contract date to the expected disbursement (else 30 / 60)."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="loan_terms")
    commercial_disbursement_days = models.PositiveSmallIntegerField(_("days to commercial disbursement"),
                                                                    null=True, blank=True)
    provident_disbursement_days = models.PositiveSmallIntegerField(_("days to provident-fund disbursement"),
                                                                   null=True, blank=True)

    class Meta:
        verbose_name = _("project loan terms")
        verbose_name_plural = _("project loan terms")

    def __str__(self) -> str:
        return str(self.project)

    def days(self) -> dict[str, int | None]:
        return {LoanKind.COMMERCIAL: self.commercial_disbursement_days,
                LoanKind.PROVIDENT: self.provident_disbursement_days}


class LoanApplication(models.Model):
    """按揭申请: one loan for one contract at one bank (a combination loan has two)."""

    number = models.CharField(_("application no."), max_length=32, unique=True)
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="loan_applications",
                                 verbose_name=_("contract"))
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project"))
    receivable = models.ForeignKey(Receivable, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="loan_applications",
                                   help_text=_("the loan line of the payment plan this loan pays"))
    loan_kind = models.CharField(_("loan kind"), max_length=16, choices=LoanKind.choices)
    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="applications", verbose_name=_("bank"))
    amount = models.DecimalField(_("loan amount"), max_digits=14, decimal_places=2)
    term_months = models.PositiveSmallIntegerField(_("term (months)"), default=360)
    rate = models.DecimalField(_("annual rate %"), max_digits=6, decimal_places=4, null=True, blank=True)
    specialist = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="loan_applications", verbose_name=_("mortgage specialist"))
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.DOCUMENTS,
                             db_index=True)
    stage_entered_on = models.DateField(_("in stage since"))
    opened_on = models.DateField(_("opened on"), db_index=True)
    expected_disbursement_on = models.DateField(_("expected disbursement"))
    conditionally_accepted = models.BooleanField(_("conditional acceptance (容缺受理)"), default=False)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="replaced_by",
                                    help_text=_("the rejected application this one follows"))
    way_out = models.CharField(_("way out after rejection"), max_length=24, choices=WayOut.choices, blank=True)
    rejection_reason = models.CharField(_("rejection reason"), max_length=255, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    rejected_on = models.DateField(_("rejected on"), null=True, blank=True)
    disbursed_on = models.DateField(_("disbursed on"), null=True, blank=True, db_index=True)
    disbursed_amount = models.DecimalField(_("disbursed amount"), max_digits=14, decimal_places=2, null=True,
                                           blank=True)
    disbursement_receipt = models.OneToOneField(Receipt, null=True, blank=True, on_delete=models.PROTECT,
                                                related_name="loan_application")
    registered_on = models.DateField(_("mortgage registered on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LoanApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        permissions = [("move_stage", _("Can move loan applications between stages")),
                       ("record_policy", _("Can record bank policies"))]
        verbose_name = _("loan application")
        verbose_name_plural = _("loan applications")

    def __str__(self) -> str:
        return self.number


class StageChange(models.Model):
    """One move of an application, with who, when and why. Append-only: the timeline."""

    application = models.ForeignKey(LoanApplication, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("from"), max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=16, choices=Stage.choices)
    on = models.DateField(_("date"), db_index=True)
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=pgettext_lazy("the person who did it", "by"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["application", "on", "id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self) -> str:
        return f"{self.application} {self.from_stage or '·'}→{self.to_stage} {self.on}"


class DocumentTemplate(models.Model):
    """A document the bank wants, per bank and loan kind (empty: for every bank / kind)."""

    bank = models.ForeignKey(Bank, null=True, blank=True, on_delete=models.CASCADE, related_name="document_templates")
    loan_kind = models.CharField(_("loan kind"), max_length=16, choices=LoanKind.choices, blank=True)
    kind = models.CharField(_("document"), max_length=24, choices=DocumentKind.choices)
    name = models.CharField(_("name"), max_length=128)
    required = models.BooleanField(_("required before submission"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    """One document of an application's checklist; `due_on` is the deadline of a deferred (容缺) item."""

    application = models.ForeignKey(LoanApplication, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=24, choices=DocumentKind.choices)
    name = models.CharField(_("name"), max_length=128)
    required = models.BooleanField(_("required"), default=True)
    status = models.CharField(_("status"), max_length=16, choices=DocumentStatus.choices,
                              default=DocumentStatus.MISSING)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    last_reminded_on = models.DateField(_("last reminded on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["application", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return f"{self.application} {self.name} ({self.status})"


class CreditPreCheck(models.Model):
    """征信预审: recorded before submission; a flagged buyer needs a remedy before the bank sees them."""

    application = models.ForeignKey(LoanApplication, on_delete=models.CASCADE, related_name="pre_checks")
    checked_on = models.DateField(_("checked on"))
    result = models.CharField(_("result"), max_length=16, choices=PreCheckResult.choices)
    findings = models.CharField(_("findings"), max_length=255, blank=True)
    remedy = models.CharField(_("remedy"), max_length=24, choices=PreCheckRemedy.choices, blank=True)
    remedy_note = models.CharField(_("remedy note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "-checked_on", "-id"]
        verbose_name = _("credit pre-check")
        verbose_name_plural = _("credit pre-checks")

    def __str__(self) -> str:
        return f"{self.application} {self.result}"


class Guarantee(models.Model):
    """阶段性担保: the developer guarantees the loan from disbursement until the mortgage is registered."""

    application = models.OneToOneField(LoanApplication, on_delete=models.PROTECT, related_name="guarantee")
    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="guarantees")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    started_on = models.DateField(_("from"))
    released_on = models.DateField(_("released on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=GuaranteeStatus.choices,
                              default=GuaranteeStatus.ACTIVE)

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("interim guarantee")
        verbose_name_plural = _("interim guarantees")

    def __str__(self) -> str:
        return f"{self.application} {self.amount} ({self.status})"


class Notice(models.Model):
    """Something a specialist must know: a bank policy changed, a stage ran over its SLA, a
    deferred document or a disbursement deadline passed. `key` makes each notice happen once."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mortgage_notices")
    kind = models.CharField(_("kind"), max_length=24, choices=NoticeKind.choices)
    application = models.ForeignKey(LoanApplication, null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="notices")
    bank = models.ForeignKey(Bank, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(_("message"), max_length=500)
    data = models.JSONField(default=dict, blank=True)
    key = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notice_once_per_key")]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return self.message

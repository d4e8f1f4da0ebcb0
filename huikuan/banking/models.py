"""Bank accounts, imported statements and their transactions, and the matches to receivables.

A `BankTransaction` is one statement line as the bank printed it: imported once (its `key` is unique per
account, so re-importing the same or an overlapping statement adds nothing) and never edited. What a
person or the engine decided about it is a `Match`; at most one match per transaction is live
(auto, confirmed, suggested, exception), the rejected and undone ones stay as history.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from huikuan.customers.models import Customer
from huikuan.mortgages.models import Bank
from huikuan.org.models import Project
from huikuan.receivables.models import LedgerEntry, Receipt, Receivable
from huikuan.sales.models import Contract

from .account_numbers import canonical_account_no
from .choices import LIVE_STATUSES, Direction, ExceptionKind, ImportJobStatus, MatchStatus, StatementStatus
from .querysets import BankAccountQuerySet, BankTransactionQuerySet, MatchQuerySet


class BankAccount(models.Model):
    """收款账户: an account of the developer that money arrives on; escrow (预售资金监管) per project."""

    account_no = models.CharField(_("account no."), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=128, blank=True)
    bank = models.ForeignKey(Bank, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts",
                             verbose_name=_("bank"))
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="bank_accounts", verbose_name=_("project"))
    is_escrow = models.BooleanField(_("escrow account (预售资金监管)"), default=False)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    column_mapping = models.JSONField(
        _("column mapping"), null=True, blank=True,
        help_text=_("saved when detection could not decide; reused on the next imports of this account"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BankAccountQuerySet.as_manager()

    class Meta:
        ordering = ["account_no"]
        permissions = [("import_statement", _("Can import bank statements"))]
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")

    def __str__(self) -> str:
        return f"{self.name or self.account_no}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.account_no = canonical_account_no(self.account_no)  # one account, however its number was typed
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.account_no = canonical_account_no(self.account_no)  # before a form checks that it is unique


class Statement(models.Model):
    """One imported statement file."""

    account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="statements")
    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(max_length=64)
    format = models.CharField(_("format"), max_length=16)
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("to"), null=True, blank=True)
    opening_balance = models.DecimalField(_("opening balance"), null=True, blank=True, max_digits=14, decimal_places=2)
    closing_balance = models.DecimalField(_("closing balance"), null=True, blank=True, max_digits=14, decimal_places=2)
    rows_total = models.PositiveIntegerField(_("lines in the file"), default=0)
    rows_new = models.PositiveIntegerField(_("new lines"), default=0)
    rows_review = models.PositiveIntegerField(_("lines to review (OCR)"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=StatementStatus.choices,
                              default=StatementStatus.IMPORTED)
    warnings = models.JSONField(default=list, blank=True)
    gaps = models.JSONField(_("balance gaps"), default=list, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["account", "sha256"], name="statement_file_once_per_account")]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")

    def __str__(self) -> str:
        return f"{self.account.account_no} {self.file_name}"

    @property
    def rows_duplicate(self) -> int:
        return self.rows_total - self.rows_new


class BankTransaction(models.Model):
    """银行流水: one statement line, never edited after import."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="transactions")
    account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="transactions")
    key = models.CharField(max_length=128, help_text=_("the bank's reference, or a hash of the line"))
    date = models.DateField(_("date"), db_index=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    counterparty = models.CharField(_("counterparty"), max_length=255, blank=True)
    counterparty_account = models.CharField(_("counterparty account"), max_length=64, blank=True)
    memo = models.CharField(_("memo"), max_length=512, blank=True)
    balance = models.DecimalField(_("balance"), null=True, blank=True, max_digits=14, decimal_places=2)
    bank_ref = models.CharField(_("bank reference"), max_length=128, blank=True)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    line_no = models.PositiveIntegerField(_("line"), default=0)
    confidence = models.FloatField(_("read confidence"), default=1.0)
    needs_review = models.BooleanField(_("needs review (low OCR confidence)"), default=False)

    objects = BankTransactionQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["account", "key"], name="bank_transaction_key_per_account")]
        indexes = [models.Index(fields=["account", "date"])]
        verbose_name = _("bank transaction")
        verbose_name_plural = _("bank transactions")

    def __str__(self) -> str:
        return f"{self.date} {self.amount} {self.counterparty}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise ValueError("bank transactions are never edited after import")
        super().save(*args, **kwargs)

    @property
    def reference(self) -> str:
        return self.bank_ref or self.key


class Match(models.Model):
    """对账: what a bank transaction pays (its lines), how sure the engine was and why."""

    transaction = models.ForeignKey(BankTransaction, on_delete=models.PROTECT, related_name="matches")
    status = models.CharField(_("status"), max_length=16, choices=MatchStatus.choices, db_index=True)
    exception_kind = models.CharField(_("exception"), max_length=20, choices=ExceptionKind.choices, blank=True)
    confidence = models.DecimalField(_("confidence"), max_digits=5, decimal_places=4, default=0)
    contract = models.ForeignKey(Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 help_text=_("the contract the engine thought of first"))
    reasons = models.JSONField(default=list, blank=True)
    candidates = models.JSONField(default=list, blank=True,
                                  help_text=_("[{contract_id, contract_no, confidence}] for a person to choose from"))
    write_off_entry = models.OneToOneField(LedgerEntry, null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+")
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = MatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("review_match", _("Can confirm, reject, split and unmatch bank matches")),
                       ("write_off_difference", _("Can write off small differences of bank matches"))]
        constraints = [
            # two reconcile runs, or a run and a clerk, can never both give a transaction a live match
            models.UniqueConstraint(fields=["transaction"], condition=models.Q(status__in=LIVE_STATUSES),
                                    name="one_live_match_per_transaction"),
        ]
        verbose_name = _("match")
        verbose_name_plural = _("matches")

    def __str__(self) -> str:
        return f"{self.transaction_id} {self.status}"


class MatchLine(models.Model):
    """One receivable a match pays, and the ledger entry once allocated."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="lines")
    receivable = models.ForeignKey(Receivable, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    ledger_entry = models.OneToOneField(LedgerEntry, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="match_line")

    class Meta:
        ordering = ["id"]
        verbose_name = _("match line")
        verbose_name_plural = _("match lines")

    def __str__(self) -> str:
        return f"{self.receivable_id} {self.amount}"

    @property
    def allocated(self) -> bool:
        return self.ledger_entry_id is not None


class TransactionReceipt(models.Model):
    """The receipts a bank transaction's money was posted as (one per contract it paid)."""

    transaction = models.ForeignKey(BankTransaction, on_delete=models.PROTECT, related_name="receipt_links")
    receipt = models.OneToOneField(Receipt, on_delete=models.PROTECT, related_name="bank_link")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("receipt of a bank transaction")
        verbose_name_plural = _("receipts of bank transactions")

    def __str__(self) -> str:
        return f"{self.transaction_id} → {self.receipt_id}"


class PayerAlias(models.Model):
    """A payer learnt for a customer (a relative or agent who paid), by name and/or account."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="payer_aliases")
    name = models.CharField(_("payer name"), max_length=128, blank=True)
    account = models.CharField(_("payer account"), max_length=64, blank=True)
    learnt_from = models.ForeignKey(Match, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "name", "account"], name="payer_alias_once")]
        verbose_name = _("payer alias")
        verbose_name_plural = _("payer aliases")

    def __str__(self) -> str:
        return f"{self.name or self.account} → {self.customer_id}"


class DisbursementList(models.Model):
    """A bank's list of the buyers one batch mortgage transfer pays."""

    account = models.ForeignKey(BankAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    bank = models.ForeignKey(Bank, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    transaction = models.ForeignKey(BankTransaction, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="disbursement_lists")
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("disbursement list")
        verbose_name_plural = _("disbursement lists")

    def __str__(self) -> str:
        return f"{self.file_name} {self.total}"


class DisbursementRow(models.Model):
    disbursement_list = models.ForeignKey(DisbursementList, on_delete=models.CASCADE, related_name="rows")
    line_no = models.PositiveIntegerField(default=0)
    contract_no = models.CharField(_("contract no."), max_length=64, blank=True)
    buyer_name = models.CharField(_("buyer"), max_length=128, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["line_no", "id"]
        verbose_name = _("disbursement row")
        verbose_name_plural = _("disbursement rows")

    def __str__(self) -> str:
        return f"{self.contract_no or self.buyer_name} {self.amount}"


class ImportJob(models.Model):
    """A statement import running in the background; the upload page polls its progress."""

    account_no = models.CharField(_("account no."), max_length=64)
    file_name = models.CharField(_("file"), max_length=255)
    path = models.CharField(max_length=500, help_text=_("where the uploaded file waits to be imported"))
    mapping = models.JSONField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ImportJobStatus.choices,
                              default=ImportJobStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    statement = models.ForeignKey(Statement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.file_name} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == ImportJobStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

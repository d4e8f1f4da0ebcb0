from django.db import models
from django.utils.translation import gettext_lazy as _


class LoanKind(models.TextChoices):
    COMMERCIAL = "commercial", _("commercial mortgage")
    PROVIDENT = "provident", _("provident-fund loan")


class Stage(models.TextChoices):
    """Where a loan application stands. The legal moves between them are in `pipeline.TRANSITIONS`."""

    DOCUMENTS = "documents", _("collecting documents")
    SUBMITTED = "submitted", _("submitted to the bank")
    INTERVIEW = "interview", _("interview (面签)")
    APPRAISAL = "appraisal", _("appraisal (评估)")
    APPROVAL = "approval", _("in approval (审批)")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    LOAN_CONTRACT = "loan_contract", _("loan contract signed")
    DISBURSED = "disbursed", _("disbursed (放款)")
    REGISTERED = "registered", _("mortgage registered (抵押登记)")
    CLOSED = "closed", _("closed")
    WITHDRAWN = "withdrawn", _("withdrawn")


class WayOut(models.TextChoices):
    """What happens after a rejection (or instead of submitting a flagged buyer)."""

    BACKUP_BANK = "backup_bank", _("another (backup) bank")
    PROVIDENT_FUND = "provident_fund", _("provident-fund loan")
    HIGHER_DOWN_PAYMENT = "higher_down_payment", _("higher down payment")
    CASH = "cash", _("pay in cash")


class PreCheckResult(models.TextChoices):
    CLEAR = "clear", _("clear")
    FLAGGED = "flagged", _("flagged")


class PreCheckRemedy(models.TextChoices):
    HIGHER_DOWN_PAYMENT = "higher_down_payment", _("higher down payment")
    GUARANTOR = "guarantor", _("add a guarantor")
    OTHER_BANK = "other_bank", _("another bank")


class DocumentKind(models.TextChoices):
    ID_CARD = "id_card", _("identity documents")
    INCOME_PROOF = "income_proof", _("income proof")
    BANK_STATEMENTS = "bank_statements", _("bank statements")
    MARRIAGE = "marriage", _("marriage documents")
    HOUSEHOLD = "household", _("household register (户口本)")
    CREDIT_REPORT = "credit_report", _("credit report")
    PURCHASE_QUALIFICATION = "purchase_qualification", _("purchase qualification")
    PROVIDENT_RECORD = "provident_record", _("provident-fund contribution record")
    DOWN_PAYMENT_RECEIPT = "down_payment_receipt", _("down-payment receipt")
    OTHER = "other", _("other")


class DocumentStatus(models.TextChoices):
    MISSING = "missing", _("missing")
    DEFERRED = "deferred", _("missing, accepted conditionally (容缺)")
    RECEIVED = "received", _("received")
    WAIVED = "waived", _("not needed")


class GuaranteeStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    RELEASED = "released", _("released")


class NoticeKind(models.TextChoices):
    POLICY_CHANGE = "policy_change", _("bank policy changed")
    SLA_BREACH = "sla_breach", _("stage SLA breached")
    DOCUMENT_OVERDUE = "document_overdue", _("missing document overdue")
    DOCUMENT_DUE = "document_due", _("missing document due soon")
    DISBURSEMENT_OVERDUE = "disbursement_overdue", _("disbursement deadline passed")

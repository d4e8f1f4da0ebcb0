from django.db import models
from django.utils.translation import gettext_lazy as _


class ReceivableKind(models.TextChoices):
    DEPOSIT = "deposit", _("deposit")
    DOWN_PAYMENT = "down_payment", _("down payment")
    INSTALLMENT = "installment", _("installment")
    MORTGAGE_LOAN = "mortgage_loan", _("commercial mortgage loan")
    PROVIDENT_LOAN = "provident_loan", _("provident-fund loan")
    FINAL_PAYMENT = "final_payment", _("final payment")
    FULL_PAYMENT = "full_payment", _("full payment")
    AREA_ADJUSTMENT = "area_adjustment", _("area adjustment")
    LATE_FEE = "late_fee", _("late fee")
    DEDUCTION = "deduction", _("cancellation deduction")
    OTHER = "other", _("other")


LOAN_KINDS = frozenset({ReceivableKind.MORTGAGE_LOAN, ReceivableKind.PROVIDENT_LOAN})
# Lines that are part of the price (the plan); late fees and deductions come on top.
PLAN_KINDS = frozenset({
    ReceivableKind.DEPOSIT, ReceivableKind.DOWN_PAYMENT, ReceivableKind.INSTALLMENT,
    ReceivableKind.MORTGAGE_LOAN, ReceivableKind.PROVIDENT_LOAN, ReceivableKind.FINAL_PAYMENT,
    ReceivableKind.FULL_PAYMENT, ReceivableKind.OTHER,
})


class EntryKind(models.TextChoices):
    """What moved a receivable's outstanding amount. `amount` is signed: + owed more, − owed less."""

    ALLOCATION = "allocation", _("receipt allocated")
    LATE_FEE = "late_fee", _("late fee accrued")
    WAIVER = "waiver", _("waiver")
    WRITE_OFF = "write_off", _("write-off")
    ADJUSTMENT = "adjustment", _("adjustment")
    CANCELLATION = "cancellation", _("cancelled with the contract")


class ReceiptMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("bank transfer")
    CASH = "cash", _("cash")
    POS = "pos", _("card (POS)")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    CHEQUE = "cheque", _("cheque")
    LOAN_DISBURSEMENT = "loan_disbursement", _("loan disbursement")
    TRANSFER = "transfer", _("transfer between contracts")
    REFUND = "refund", _("refund to buyer")


class ReceiptSource(models.TextChoices):
    CASHIER = "cashier", _("cashier entry")
    BANK = "bank", _("bank statement")
    IMPORT = "import", _("import")
    SYSTEM = "system", _("system")


class ApprovalStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")

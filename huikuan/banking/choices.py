from django.db import models
from django.utils.translation import gettext_lazy as _


class StatementStatus(models.TextChoices):
    IMPORTED = "imported", _("imported")
    NEEDS_REVIEW = "needs_review", _("imported, needs review (balance gaps or low-confidence lines)")


class Direction(models.TextChoices):
    CREDIT = "credit", _("money in")
    DEBIT = "debit", _("money out")
    NEUTRAL = "neutral", _("neither (wallet line)")


class MatchStatus(models.TextChoices):
    AUTO = "auto", _("auto-matched")
    CONFIRMED = "confirmed", _("confirmed")
    SUGGESTED = "suggested", _("suggested")
    EXCEPTION = "exception", _("exception")
    REJECTED = "rejected", _("rejected")
    UNMATCHED = "unmatched", _("unmatched (undone)")


# A transaction has at most one live match: it is in the review queue (suggested, exception) or settled
# (auto, confirmed). Rejected and unmatched matches are history.
LIVE_STATUSES = (MatchStatus.AUTO, MatchStatus.CONFIRMED, MatchStatus.SUGGESTED, MatchStatus.EXCEPTION)
ALLOCATED_STATUSES = (MatchStatus.AUTO, MatchStatus.CONFIRMED)
OPEN_STATUSES = (MatchStatus.SUGGESTED, MatchStatus.EXCEPTION)


class ExceptionKind(models.TextChoices):
    DUPLICATE_PAYMENT = "duplicate_payment", _("duplicate payment")
    UNDERPAYMENT = "underpayment", _("underpayment")
    OVERPAYMENT = "overpayment", _("overpayment")
    UNIDENTIFIED = "unidentified", _("unidentified payer")
    REVERSAL = "reversal", _("refund or reversal")


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Warning levels, in rising order of seriousness (`RANK`)."""

    BLUE = "blue", _("blue")
    YELLOW = "yellow", _("yellow")
    RED = "red", _("red")


RANK = {"": 0, Level.BLUE: 1, Level.YELLOW: 2, Level.RED: 3}
LEVELS_IN_ORDER = [Level.BLUE, Level.YELLOW, Level.RED]


class Risk(models.TextChoices):
    LOW = "low", _("low")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")


RISK_RANK = {Risk.LOW: 0, Risk.NORMAL: 1, Risk.HIGH: 2}


class ScanStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    RUNNING = "running", _("running")
    FAILED = "failed", _("failed")
    DONE = "done", _("done")


class Segment(models.TextChoices):
    ANY = "any", _("any customer")
    VIP = "vip", _("VIP")
    INDIVIDUAL = "individual", _("individual")
    COMPANY = "company", _("company")


class Anchor(models.TextChoices):
    BEFORE_DUE = "before_due", _("days before due")
    AFTER_DUE = "after_due", _("days after due")
    AFTER_PREVIOUS = "after_previous", _("days after the previous step")


class Channel(models.TextChoices):
    COURTESY = "courtesy", _("courtesy reminder")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("e-mail")
    PUSH = "push", _("app push")
    PHONE_CALL = "phone_call", _("phone-call task")
    PAYMENT_NOTICE = "payment_notice", _("written payment notice")
    LAWYER_LETTER = "lawyer_letter", _("lawyer letter")
    LITIGATION = "litigation", _("litigation referral")
    ASSET_PRESERVATION = "asset_preservation", _("asset preservation / judicial auction")


MESSAGE_CHANNELS = frozenset({Channel.COURTESY, Channel.SMS, Channel.EMAIL, Channel.PUSH})
LEGAL_CHANNELS = frozenset({Channel.LAWYER_LETTER, Channel.LITIGATION, Channel.ASSET_PRESERVATION})


class CaseStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class CloseReason(models.TextChoices):
    PAID = "paid", _("paid in full")
    RESTRUCTURED = "restructured", _("restructured")
    CANCELLED = "cancelled", _("contract cancelled")
    MANUAL = "manual", _("closed by hand")


class OwnerReason(models.TextChoices):
    ADVISOR = "advisor", _("VIP: the customer's advisor first")
    MORTGAGE = "mortgage", _("bank loan late: mortgage specialist")
    COLLECTOR = "collector", _("collector")
    LEGAL = "legal", _("legal")
    MANUAL = "manual", _("assigned by hand")
    NONE = "none", _("nobody in scope")


class ActionKind(models.TextChoices):
    STEP = "step", _("policy step")
    HOLD = "hold", _("hold")
    RELEASE = "release", _("release hold")
    SKIP = "skip", _("skip step")
    ESCALATE = "escalate", _("escalate")
    CALL = "call", _("call")
    NOTE = "note", _("note")
    PROMISE = "promise", _("promise to pay")
    RESTRUCTURE = "restructure", _("restructuring")
    WAIVER = "waiver", _("late-fee waiver")
    CLOSE = "close", _("case closed")


class ActionStatus(models.TextChoices):
    PENDING = "pending", _("planned")
    DONE = "done", _("done")
    PENDING_CHANNEL = "pending_channel", _("waiting for a channel")
    SKIPPED = "skipped", _("skipped")
    CANCELLED = "cancelled", _("cancelled")


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("reached, will pay")
    PROMISED = "promised", _("promised to pay")
    REFUSED = "refused", _("refused")
    NO_ANSWER = "no_answer", _("no answer")
    WRONG_NUMBER = "wrong_number", _("wrong number")
    DISPUTED = "disputed", _("disputes the charge")


class PromiseStatus(models.TextChoices):
    OPEN = "open", _("open")
    KEPT = "kept", _("kept")
    BROKEN = "broken", _("broken")


class RestructuringKind(models.TextChoices):
    EXTENSION = "extension", _("extension")
    INSTALLMENTS = "installments", _("new installment plan")


class ApprovalStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("open")
    RESOLVED = "resolved", _("resolved")


class DisputeSource(models.TextChoices):
    STAFF = "staff", _("staff")
    CUSTOMER_LINK = "customer_link", _("customer (reminder link)")


class DisputeOutcome(models.TextChoices):
    UPHELD = "upheld", _("upheld: the charge is adjusted")
    REJECTED = "rejected", _("rejected: the charge stands")
    WITHDRAWN = "withdrawn", _("withdrawn by the customer")

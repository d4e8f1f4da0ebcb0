"""Why a case operation was refused, in the reader's language.

The case services (`casework`, `promises`, `disputes`, `restructuring`, `waivers`, the bulk operations) refuse
with a `CaseError` written in English, with the case's values in place (`case 12 is already red`); the API answers
with that text as written. Each form they write is a template here (`core.phrasebook`); the pages —
the worklist, the case and dispute pages, and the customer's dispute form — show it translated, a level or an
approval status by its label. A refused amount (`core.money`) is shown as `core.money_notices` shows it; any
other text as written. `tests/test_notices.py` reads the services' source and fails on a refusal no template fits.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop as _

from huikuan.core import money_notices
from huikuan.core.phrasebook import Phrasebook

from .choices import ApprovalStatus, Level

TEMPLATES = (
    # people working a case (casework)
    _("case %(case)s is closed"),
    _("a reason is required"),
    _("case %(case)s is already %(level)s"),
    _("only a planned step can be skipped"),
    _("unknown call outcome %(outcome)s"),
    _("unknown level %(level)s"),
    _("unknown operation"),
    # the bulk operations of the worklist and the API (api.views)
    _("a hold needs `until`"),
    _("assigning needs an `owner`"),
    # promises to pay (promises)
    _("a promise must be for a positive amount"),
    _("a promise cannot be due before it was made"),
    # disputes (disputes)
    _("a dispute must be for more than 0 and at most what is owed (%(owed)s)"),
    _("dispute %(dispute)s is already resolved"),
    _("unknown outcome %(outcome)s"),
    _("only an upheld dispute adjusts the ledger"),
    # the waiver an upheld dispute requests, refused by the ledger (receivables.services.request_waiver)
    _("a waiver must be a positive amount"),
    _("a waiver needs a reason"),
    _("cannot waive %(amount)s: the receivable owes %(owed)s"),
    # restructuring (restructuring)
    _("a restructuring needs at least one new line"),
    _("every new line must be a positive amount"),
    _("unknown restructuring kind %(kind)s"),
    _("restructure lines of the case's own contract"),
    _("the new lines sum to %(planned)s, the lines replaced still owe %(owed)s"),
    _("an extension has exactly one new line"),
    _("restructuring already %(status)s"),
    _("a restructuring must be approved by someone other than who requested it"),
    _("the lines now owe %(owed)s, not %(amount)s; request it again"),
    # late-fee waivers (waivers)
    _("no late fee has accrued on this contract"),
)

# a case's or a dispute's number
_FIELDS = {"case": r"\d+", "dispute": r"\d+"}


def _shown(name: str, value: str) -> str | None:
    """A level and an approval status by their labels (the services write their codes)."""
    if name == "level" and value in Level.values:
        return str(Level(value).label)
    if name == "status" and value in ApprovalStatus.values:
        return str(ApprovalStatus(value).label)
    return None


_BOOK = Phrasebook(TEMPLATES, shown=_shown, otherwise=money_notices.translated, fields=_FIELDS)
fitting = _BOOK.fitting
translated = _BOOK.translated

"""A match's reasons in the reader's language.

The engine is plain Python (no Django) and writes its reasons in English with the case's names, numbers and
amounts in them (`contract number HT-2026-0012 in the memo`); they are stored so (the API, `export_matches` and
the audit trail keep them as written). Each form it writes is a template here, marked for translation
(`core.phrasebook`); a reason that fits one is shown translated, with its values in place (a receivable kind by
its label, a reason inside a reason translated too), and one that fits none is shown as written.
`tests/test_reasons.py` runs the engine over generated data of every noise kind and fails on a reason no template
fits.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop as _

from huikuan.core.phrasebook import Phrasebook
from huikuan.receivables.choices import ReceivableKind

TEMPLATES = (
    # evidence (matching.engine)
    _("contract number %(no)s in the memo"),
    _("unit %(unit)s in the memo"),
    _("payer account already seen for this customer"),
    _("payer name %(payer)s is a contract party"),
    _("payer %(payer)s is a learnt relative/agent of the customer"),
    _("payer %(payer)s sounds like a contract party (%(pinyin)s)"),
    _("payer %(payer)s sounds like a contract party"),
    _("payer %(payer)s sounds like contract party %(party)s"),
    _("payer %(payer)s is the pinyin of a contract party"),
    _("payer %(payer)s differs by one character from a contract party"),
    _("payer name differs by one character from contract party %(party)s"),
    _("payer name close to contract party %(party)s (%(score)s%%)"),
    _("amount only: payer %(payer)s is not a party of contract %(no)s"),
    _("no contract, unit, account or name found"),
    _("money out: a refund, reversal or fee, not a receipt"),
    _("zero amount"),
    # how the amount fits (the plan)
    _("amount equals %(kind)s due %(due)s"),
    _("amount equals the sum of %(n)s receivables of the contract"),
    _("overpayment of %(amount)s on %(kind)s due %(due)s"),
    _("partial payment: %(amount)s of %(outstanding)s outstanding on %(kind)s due %(due)s"),
    _("pays %(amount)s more than the contract owes"),
    _("allocated to the oldest receivables first"),
    _("the receivable is already paid"),
    _("the contract has nothing outstanding"),
    _("a receivable of this amount is already paid"),
    # the decision
    _("%(n)s other candidate contract(s)"),
    _("the same payer paid the same amount within the last days"),
    _("not auto-confirmed: only the name identifies the payer and %(n)s open receivables share this amount"),
    _("N:1 split payment: %(n)s payment(s) of the same payer within %(days)s days sum to %(amount)s, the "
      "outstanding %(kind)s due %(due)s of contract %(no)s (completing a receivable the payer part-paid)"),
    _("N:1 split payment: %(n)s payment(s) of the same payer within %(days)s days sum to %(amount)s, the "
      "outstanding %(kind)s due %(due)s of contract %(no)s"),
    # a bank's batch disbursement
    _("transfer from %(payer)s: no set of its open loan receivables sums to %(amount)s"),
    _("%(n)s open loan receivable(s) of %(payer)s sum exactly to the transfer"),
    _("%(n)s open loan receivable(s) of %(payer)s due within %(days)s days sum exactly to the transfer; other sets "
      "due further away do too: suggested"),
    _("%(n)s sets of open loan receivables of %(payer)s due within %(days)s days sum to the transfer: ambiguous, "
      "the set due nearest the transfer date is suggested"),
    _("batch mortgage disbursement"),
    _("row %(row)s (%(what)s %(amount)s): no open loan receivable(s) found"),
    _("row %(row)s (%(what)s %(amount)s): several open loan receivable(s) found"),
    _("row %(row)s: lists %(listed)s but %(amount)s is outstanding"),
    _("row %(row)s: %(no)s %(buyer)s %(amount)s"),
    _("the list totals %(listed)s but the transfer is %(amount)s"),
    # storing (services.storing) and the ledger's checks it passes on
    _("read by OCR with confidence %(confidence)s: check the line"),
    _("paid in %(currency)s"),
    _("not allocated automatically: %(why)s"),
    _("each line must pay a positive amount"),
    _("the bank transaction holds %(amount)s for this contract, cannot allocate %(wanted)s"),
    _("the bank transaction holds %(amount)s, cannot allocate %(wanted)s"),
    _("receivable %(receivable)s does not exist"),
    _("a receipt with reference %(reference)s is already posted"),
    _("a receipt must be a positive amount"),
    _("contract %(contract)s is not signed; it takes no receipts"),
    _("a receipt of %(amount)s cannot allocate more than it holds"),
    _("an allocation must be a positive amount"),
    _("receivable %(receivable)s is not locked or belongs to another contract"),
    _("receivable %(receivable)s owes %(left)s, cannot take %(amount)s"),
    # a person's decisions (services.review)
    _("suggestion rejected: %(note)s"),
    _("suggestion rejected"),
    _("undone: %(reason)s"),
)


def _shown(name: str, value: str) -> str | None:
    if name == "kind" and value in ReceivableKind.values:
        return str(ReceivableKind(value).label)
    return None


_BOOK = Phrasebook(TEMPLATES, nested=("why",), shown=_shown)
fitting = _BOOK.fitting
translated = _BOOK.translated

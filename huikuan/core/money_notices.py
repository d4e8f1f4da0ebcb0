"""Why an amount was refused (`core.money.MoneyError`), in the reader's language.

`to_money` and `parse_money_text` say in English what is wrong with the text they were given
(`'5O000.00' is not an amount`); the text is stored and passed on as written (an import's warnings, the API).
Each form they write is a template here (`core.phrasebook`); a page shows it translated. The apps that show a
refused amount use this book: `banking.notices` takes its templates in (a refused amount is quoted inside an
import's warnings), `dunning.notices` falls back on it (a promise or a dispute for `abc`).
"""

from __future__ import annotations

from django.utils.translation import gettext_noop as _

from huikuan.core.phrasebook import Phrasebook

TEMPLATES = (
    _("%(text)s is not an amount"),
    _("%(text)s is not an amount: it is written with a decimal comma (1.234,50); amounts are read as 1,234.50"),
    _("%(text)s is not an amount: a comma must separate groups of three digits (1,234.50)"),
    _("%(text)s is not an amount: scientific notation has lost digits; export the column as a number with two "
      "decimals or as text"),
    _("%(text)s is not an amount: it has more than two decimal places"),
)

_BOOK = Phrasebook(TEMPLATES)
fitting = _BOOK.fitting
translated = _BOOK.translated

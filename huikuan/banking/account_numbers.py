"""Bank account numbers as one string per account, however they were typed or printed."""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-_.]+")


def canonical_account_no(text: str) -> str:
    """An account number without the spaces and dashes people and banks print it with, full-width digits made
    ASCII, letters upper case: '5105 0142-6139 0000 0187' and '５１０５01426139０000 0187' are 51050142613900000187.
    A masked number keeps its stars (6222****1234)."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or "")).upper()

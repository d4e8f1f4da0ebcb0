"""How imported names are compared: NFKC, no spaces, underscores, hyphens or brackets, lower case."""

from __future__ import annotations

import re
import unicodedata


def key(text: str) -> str:
    return re.sub(r"[\s_\-()（）]", "", unicodedata.normalize("NFKC", text)).lower()

"""Identity numbers: validation (with check digits) and masking. Pure functions."""

from __future__ import annotations

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError


class IdentityError(ValueError):
    pass


def normalise_resident_id(value: str) -> str:
    """Validate an 18-digit resident identity card number (居民身份证), check digit included."""
    text = value.strip().upper().replace(" ", "")
    if len(text) != 18:
        raise IdentityError(f"resident ID must have 18 characters, got {len(text)}")
    try:
        return str(ric.validate(text))
    except StdnumError as exc:
        raise IdentityError(f"invalid resident ID: {exc}") from exc


def normalise_credit_code(value: str) -> str:
    """Validate an 18-character unified social credit code (统一社会信用代码)."""
    text = value.strip().upper().replace(" ", "")
    try:
        return str(uscc.validate(text))
    except StdnumError as exc:
        raise IdentityError(f"invalid unified social credit code: {exc}") from exc


def looks_like_company_code(value: str) -> bool:
    text = value.strip().upper()
    return len(text) == 18 and uscc.is_valid(text) and not ric.is_valid(text)


def mask_id(value: str) -> str:
    """110105********1234 — first six and last four characters kept."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    digits = value.strip()
    if len(digits) < 7:
        return digits
    return digits[:3] + "****" + digits[-4:]

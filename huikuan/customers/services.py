"""Customer writes: registration with validated identity numbers."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from huikuan.core.services import record

from .choices import CustomerKind, CustomerType
from .identity import looks_like_company_code, normalise_credit_code, normalise_resident_id
from .models import Customer


def normalise_identity(id_number: str, kind: str | None = None) -> tuple[str, str]:
    """Return (kind, normalised number); the kind is inferred from the number when not given.
    Raises IdentityError with the reason."""
    if kind is None:
        kind = CustomerKind.COMPANY if looks_like_company_code(id_number) else CustomerKind.INDIVIDUAL
    if kind == CustomerKind.COMPANY:
        return kind, normalise_credit_code(id_number)
    return kind, normalise_resident_id(id_number)


@transaction.atomic
def register_customer(*, actor: Any, name: str, id_number: str, kind: str | None = None, phone: str = "",
                      customer_type: str = CustomerType.FIRST_HOME, **extra: Any) -> Customer:
    """Create the customer, or return the existing one with the same identity number."""
    kind, number = normalise_identity(id_number, kind)
    customer, created = Customer.objects.get_or_create(
        id_number=number,
        defaults={"kind": kind, "name": name.strip(), "phone": phone.strip(), "customer_type": customer_type,
                  **extra},
    )
    if created:
        record(actor, "customer.registered", customer, name=customer.name, kind=kind)
    return customer

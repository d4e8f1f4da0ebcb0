"""Templates per step and language, rendered for one customer.

The language is the customer's (`Customer.language`), falling back to Simplified Chinese when a
step has no text in it. Template text is Django template language without HTML escaping (the
messages are plain text). The bill (see `bill`) is added when the context names a contract.

Context the caller passes (all optional): `contract` (a Contract), `receivable` (the charge the
step is about), `as_of` (a date; default today), and any extra names the step's text uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.template import Context
from django.template import Template as DjangoTemplate
from django.utils import timezone

from .bill import bill_for
from .choices import DEFAULT_LANGUAGE, TemplateLanguage
from .dispute_links import InvalidDisputeToken, dispute_link, verify_dispute_token
from .models import Template

__all__ = ["InvalidDisputeToken", "Rendered", "TemplateMissing", "dispute_link", "language_of", "render",
           "render_context", "verify_dispute_token"]

BILL_INPUTS = frozenset({"contract", "receivable", "as_of"})


class TemplateMissing(LookupError):
    pass


@dataclass(frozen=True)
class Rendered:
    language: str
    subject: str
    body: str
    params: dict[str, str] = field(default_factory=dict)
    provider_template: str = ""


def language_of(customer: Any) -> str:
    language = str(getattr(customer, "language", "") or "").lower()
    return language if language in TemplateLanguage.values else str(DEFAULT_LANGUAGE)


def find_template(key: str, language: str) -> Template:
    candidates = Template.objects.filter(key=key, language__in={language, DEFAULT_LANGUAGE})
    found = {t.language: t for t in candidates}
    template = found.get(language) or found.get(str(DEFAULT_LANGUAGE))
    if template is None:
        raise TemplateMissing(f"no message template {key!r} in {language} or {DEFAULT_LANGUAGE}")
    return template


def render_context(customer: Any, language: str, context: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {"customer_name": customer.name, "language": language,
                              "sender": getattr(settings, "NOTIFICATIONS_SENDER_NAME", "huikuan")}
    contract = context.get("contract")
    if contract is not None:
        as_of: date = context.get("as_of") or timezone.localdate()
        values.update(bill_for(contract, as_of, language, context.get("receivable")))
    values.update({k: v for k, v in context.items() if k not in BILL_INPUTS})
    return values


def _text(source: str, values: dict[str, Any]) -> str:
    return DjangoTemplate(source).render(Context(values, autoescape=False)).strip()


def sms_params(values: dict[str, Any]) -> dict[str, str]:
    """The short variables an SMS provider template is filled with."""
    items = values.get("items") or []
    overdue_dates = [i["due_date"] for i in items if i.get("is_overdue")]
    first_due = (overdue_dates or [i["due_date"] for i in items] or [""])[0]
    candidates = {
        "name": values.get("customer_name", ""), "contract_no": values.get("contract_no", ""),
        "amount": values.get("amount_to_pay", ""), "late_fee": values.get("late_fee", ""),
        "due_date": first_due, "link": values.get("dispute_url", ""),
    }
    return {k: str(v) for k, v in candidates.items() if v}


def render(template_key: str, channel: str, customer: Any, context: dict[str, Any]) -> Rendered:
    language = language_of(customer)
    template = find_template(template_key, language)
    values = render_context(customer, template.language, context)
    body_source = template.sms_body if channel == "sms" and template.sms_body else template.body
    return Rendered(
        language=template.language,
        subject=_text(template.subject, values).replace("\n", " ")[:255],
        body=_text(body_source, values),
        params=sms_params(values),
        provider_template=template.provider_template,
    )

"""Small builders for the mortgage tests."""

from __future__ import annotations

from datetime import date

from huikuan.mortgages import services
from huikuan.mortgages.choices import PreCheckResult, Stage
from huikuan.mortgages.models import Bank, LoanApplication

HAPPY_PATH = [Stage.SUBMITTED, Stage.INTERVIEW, Stage.APPRAISAL, Stage.APPROVAL, Stage.APPROVED,
              Stage.LOAN_CONTRACT]


def bank(code: str, **kwargs) -> Bank:  # type: ignore[no-untyped-def]
    found, _ = Bank.objects.get_or_create(code=code, defaults={"name": f"{code} Bank", **kwargs})
    return found


def ready(app: LoanApplication, actor, on: date) -> LoanApplication:  # type: ignore[no-untyped-def]
    """Pre-check clear and every document received: the application can be submitted."""
    services.record_pre_check(actor=actor, application=app, result=PreCheckResult.CLEAR, on=on)
    for item in app.documents.all():
        services.receive_document(actor=actor, item=item, on=on)
    return app


def walk(app: LoanApplication, actor, days: list[date], stages=None) -> LoanApplication:  # type: ignore[no-untyped-def]
    """Move `app` through `stages` (default: the happy path up to the loan contract), one per day."""
    for stage, day in zip(stages or HAPPY_PATH, days, strict=False):
        services.move_stage(actor=actor, application=app, to=stage, on=day)
    app.refresh_from_db()
    return app

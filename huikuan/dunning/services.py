"""Every write of the dunning app, in one place to import from. Each function is one transaction
with its actor and audit trail; the modules named below hold the rules."""

from __future__ import annotations

from datetime import date

from .casework import (  # noqa: F401
    CaseError,
    close_case,
    close_if_paid,
    escalate,
    hold,
    log_call,
    plan_steps,
    reassign,
    release,
    skip_step,
)
from .courtesy import send_courtesy_reminders  # noqa: F401
from .disputes import open_dispute, resolve, respond  # noqa: F401
from .promises import promise_to_pay, review_promises  # noqa: F401
from .restructuring import decide_restructuring, request_restructuring  # noqa: F401
from .scanning import ScanBusy, scan_overdue  # noqa: F401
from .steps import resend_pending, run_due_steps  # noqa: F401
from .waivers import request_late_fee_waiver  # noqa: F401


def nightly(as_of: date) -> dict[str, object]:
    """The nightly round: scan, settle promises whose day passed, run the steps that fell due, hand
    over steps that waited for a channel, send the courtesy reminders of the day."""
    run = scan_overdue(as_of)
    return {"scan": run.status, "promises": review_promises(as_of), "steps": run_due_steps(as_of),
            "resent": resend_pending(as_of), "courtesy": send_courtesy_reminders(as_of)}

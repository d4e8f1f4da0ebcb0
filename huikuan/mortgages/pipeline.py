"""The loan application's status map, explicit and pure (the shape of django-oscar's `set_status`).

`check_move(current, target)` raises `IllegalMove` with a reason people can read; the service
layer (`services.move_stage`) adds the checks that need the database (credit pre-check, documents,
money actually received for a disbursement).
"""

from __future__ import annotations

from .choices import Stage


class MortgageError(Exception):
    """A mortgage action that cannot be carried out; the message says why."""


class IllegalMove(MortgageError):
    pass


S = Stage

TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.DOCUMENTS: (S.SUBMITTED, S.WITHDRAWN),
    S.SUBMITTED: (S.INTERVIEW, S.DOCUMENTS, S.REJECTED, S.WITHDRAWN),
    S.INTERVIEW: (S.APPRAISAL, S.REJECTED, S.WITHDRAWN),
    S.APPRAISAL: (S.APPROVAL, S.REJECTED, S.WITHDRAWN),
    S.APPROVAL: (S.APPROVED, S.REJECTED, S.WITHDRAWN),
    S.APPROVED: (S.LOAN_CONTRACT, S.DISBURSED, S.WITHDRAWN),
    S.REJECTED: (S.CLOSED,),
    S.LOAN_CONTRACT: (S.DISBURSED,),
    S.DISBURSED: (S.REGISTERED,),
    S.REGISTERED: (S.CLOSED,),
    S.CLOSED: (),
    S.WITHDRAWN: (),
}

# The happy path in order: the funnel of the report and the columns of the board.
FUNNEL: tuple[str, ...] = (S.DOCUMENTS, S.SUBMITTED, S.INTERVIEW, S.APPRAISAL, S.APPROVAL, S.APPROVED,
                           S.LOAN_CONTRACT, S.DISBURSED, S.REGISTERED, S.CLOSED)
TERMINAL = frozenset({S.CLOSED, S.WITHDRAWN})
# Stages where the bank still owes the money: a policy change or a quota affects them.
BEFORE_DISBURSEMENT = frozenset({S.DOCUMENTS, S.SUBMITTED, S.INTERVIEW, S.APPRAISAL, S.APPROVAL, S.APPROVED,
                                 S.LOAN_CONTRACT})
# Stages that run against a stage SLA (a rejected application waits for a way out, also timed).
TIMED = frozenset(TRANSITIONS) - TERMINAL

NEXT_ACTION: dict[str, str] = {
    S.DOCUMENTS: "collect the documents, record the credit pre-check, submit",
    S.SUBMITTED: "book the interview (面签)",
    S.INTERVIEW: "order the appraisal",
    S.APPRAISAL: "chase the appraisal report, send to approval",
    S.APPROVAL: "chase the bank's approval",
    S.APPROVED: "sign the loan contract",
    S.REJECTED: "choose a way out: backup bank, provident fund, higher down payment or cash",
    S.LOAN_CONTRACT: "chase the disbursement",
    S.DISBURSED: "register the mortgage (抵押登记)",
    S.REGISTERED: "close the file",
    S.CLOSED: "",
    S.WITHDRAWN: "",
}


def label(stage: str) -> str:
    return str(Stage(stage).label)


def allowed_moves(current: str) -> tuple[str, ...]:
    return TRANSITIONS.get(current, ())


def check_move(current: str, target: str) -> None:
    """Raise `IllegalMove` (with the reason) unless `current → target` is in the status map."""
    if target not in TRANSITIONS:
        raise IllegalMove(f"unknown stage {target!r}")
    if current not in TRANSITIONS:
        raise IllegalMove(f"unknown stage {current!r}")
    if current == target:
        raise IllegalMove(f"the application is already in stage “{label(current)}”")
    allowed = TRANSITIONS[current]
    if target in allowed:
        return
    if not allowed:
        raise IllegalMove(f"“{label(current)}” is final; nothing can follow it")
    names = ", ".join(f"“{label(s)}”" for s in allowed)
    raise IllegalMove(f"cannot move from “{label(current)}” to “{label(target)}”; next can be {names}")


def is_open(stage: str) -> bool:
    return stage not in TERMINAL

"""The status map: legal moves pass, illegal ones are refused with a reason."""

import pytest
from django.utils import translation

from huikuan.mortgages.choices import Stage
from huikuan.mortgages.pipeline import FUNNEL, IllegalMove, allowed_moves, check_move


def test_every_step_of_the_happy_path_is_a_legal_move():
    # given the funnel order, when each consecutive move is checked, then none raises
    for current, target in zip(FUNNEL, FUNNEL[1:], strict=False):
        check_move(current, target)


def test_skipping_the_interview_is_refused_with_the_moves_that_are_allowed():
    # when a submitted application is sent straight to appraisal
    with translation.override("en"), pytest.raises(IllegalMove) as refused:
        check_move(Stage.SUBMITTED, Stage.APPRAISAL)
    # then the reason names where it may go instead
    assert "cannot move from" in str(refused.value)
    assert "interview" in str(refused.value)


def test_a_closed_application_is_final():
    with pytest.raises(IllegalMove, match="final"):
        check_move(Stage.CLOSED, Stage.DOCUMENTS)


def test_moving_to_the_same_stage_is_refused():
    with pytest.raises(IllegalMove, match="already"):
        check_move(Stage.APPROVAL, Stage.APPROVAL)


def test_unknown_stage_is_refused():
    with pytest.raises(IllegalMove, match="unknown stage"):
        check_move(Stage.DOCUMENTS, "teleported")


def test_a_rejection_can_come_at_any_bank_stage_but_not_after_approval():
    # given the bank stages before and after the decision
    for stage in (Stage.SUBMITTED, Stage.INTERVIEW, Stage.APPRAISAL, Stage.APPROVAL):
        check_move(stage, Stage.REJECTED)
    # then an approved or disbursed loan cannot be "rejected"
    for stage in (Stage.APPROVED, Stage.DISBURSED, Stage.REGISTERED):
        with pytest.raises(IllegalMove):
            check_move(stage, Stage.REJECTED)


def test_a_rejected_application_only_closes():
    assert allowed_moves(Stage.REJECTED) == (Stage.CLOSED,)

"""Case work: payment closes the case, promises, disputes pause chasing, restructuring, owners, letters."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from huikuan.dunning import outbound, services
from huikuan.dunning.models import CaseAction, CollectionCase, Dispute, PolicyStep
from huikuan.dunning.positions import position_of_contract
from huikuan.receivables.models import LedgerEntry, Receivable
from huikuan.receivables.services import decide_waiver, outstanding_of, post_receipt
from huikuan.testing.factories import CustomerFactory, UnitFactory, contract, staff

from .conftest import lump_sum

pytestmark = pytest.mark.django_db
APR30 = date(2026, 4, 30)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def case(project):
    """A's case: 1,000,000.00 due 2026-03-09, 4 days late on 2026-03-13 (blue)."""
    a = lump_sum(project)
    services.scan_overdue(date(2026, 3, 13))
    return CollectionCase.objects.get(contract=a)


def pending(case):
    return list(case.actions.filter(kind="step", status="pending").order_by("step__position")
                .values_list("step__name", "planned_on"))


def test_an_overdue_contract_opens_a_case_with_the_blue_steps_planned(case):
    # then: the standard policy, blue steps only, dated from the due date (2026-03-09)
    assert (case.status, case.level, case.overdue, case.days) == ("open", "blue", Decimal("1000000.00"), 4)
    assert case.policy.name == "标准催收 standard"
    assert pending(case) == [("逾期短信", date(2026, 3, 13)), ("逾期邮件", date(2026, 3, 13)),
                             ("催收电话", date(2026, 3, 20))]


def test_payment_in_full_closes_the_case_and_cancels_pending_steps(case, django_capture_on_commit_callbacks):
    # when the buyer pays everything
    with django_capture_on_commit_callbacks(execute=True):
        post_receipt(actor=None, amount="1000000.00", received_on=date(2026, 3, 16), contract=case.contract)
    # then the case is closed at once and no step is left to run
    case.refresh_from_db()
    assert (case.status, case.close_reason) == ("closed", "paid")
    assert set(case.actions.filter(kind="step").values_list("status", flat=True)) == {"cancelled"}
    assert services.run_due_steps(date(2026, 3, 20)) == {"done": 0, "pending_channel": 0, "waiting": 0}


def test_a_part_payment_keeps_the_case_open(case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_receipt(actor=None, amount="999999.99", received_on=date(2026, 3, 16), contract=case.contract)
    case.refresh_from_db()
    assert case.status == "open"


def test_a_broken_promise_escalates(case):
    # given a promise of 10,000.00 by 2026-03-20, and only 5,000.00 paid by then
    promise = services.promise_to_pay(case, actor=None, amount="10000.00", pay_by=date(2026, 3, 20),
                                      made_on=date(2026, 3, 13))
    post_receipt(actor=None, amount="5000.00", received_on=date(2026, 3, 18), contract=case.contract)
    # when the promises are reviewed the day after (twice: idempotent)
    first = services.review_promises(date(2026, 3, 21))
    second = services.review_promises(date(2026, 3, 21))
    # then the promise is broken and the case went from blue to yellow with the reason
    promise.refresh_from_db()
    case.refresh_from_db()
    assert (first, second) == ({"kept": 0, "broken": 1}, {"kept": 0, "broken": 0})
    assert (promise.status, promise.received) == ("broken", Decimal("5000.00"))
    assert case.level == "yellow"
    escalation = case.actions.get(kind="escalate")
    assert escalation.reason == "promise broken: 10000.00 by 2026-03-20, received 5000.00"
    assert ("书面付款通知", date(2026, 4, 9)) in pending(case)


def test_a_broken_promise_on_a_red_case_is_recorded_without_failing_the_review(case):
    # given a case already at red, and a promise on it that is not kept
    services.escalate(case, actor=None, reason="legal review", to_level="red", on=date(2026, 3, 13))
    promise = services.promise_to_pay(case, actor=None, amount="10000.00", pay_by=date(2026, 3, 20),
                                      made_on=date(2026, 3, 13))
    # when the promises are reviewed, the review goes through
    assert services.review_promises(date(2026, 3, 21)) == {"kept": 0, "broken": 1}
    # then the promise is broken and the case stays red (there is no level above)
    promise.refresh_from_db()
    case.refresh_from_db()
    assert (promise.status, case.level) == ("broken", "red")


def test_a_kept_promise_does_not_escalate_and_holds_the_steps_meanwhile(case, sent):
    services.promise_to_pay(case, actor=None, amount="10000.00", pay_by=date(2026, 3, 20), made_on=date(2026, 3, 13))
    # while the promise runs, steps wait
    assert services.run_due_steps(date(2026, 3, 14)) == {"done": 0, "pending_channel": 0, "waiting": 1}
    post_receipt(actor=None, amount="10000.00", received_on=date(2026, 3, 19), contract=case.contract)
    assert services.review_promises(date(2026, 3, 21)) == {"kept": 1, "broken": 0}
    case.refresh_from_db()
    assert case.level == "blue" and sent == []


def test_an_open_dispute_pauses_chasing_of_the_disputed_amount(case, sent):
    # given a dispute on the whole overdue charge, opened 2026-03-13 10:00
    line = case.contract.receivables.get()
    opened = datetime(2026, 3, 13, 10, 0, tzinfo=SHANGHAI)
    dispute = services.open_dispute(receivable=line, reason="面积有误，金额不对", at=opened)
    # then the first response is due 24 clock hours later, and the dispute has the case's owner
    assert dispute.response_due_at == datetime(2026, 3, 14, 10, 0, tzinfo=SHANGHAI)
    assert not dispute.breached(now=opened + timedelta(hours=23, minutes=59))
    assert dispute.breached(now=opened + timedelta(hours=24, minutes=1))
    assert Dispute.objects.breached(now=opened + timedelta(hours=25)).count() == 1
    # when the due steps run: nothing is sent, the step waits and says why
    assert services.run_due_steps(date(2026, 3, 13)) == {"done": 0, "pending_channel": 0, "waiting": 1}
    assert sent == []
    step = case.actions.get(step__name="逾期短信")
    assert (step.status, step.reason) == ("pending", "paused: every overdue amount is disputed")
    # when the dispute is rejected, chasing resumes
    services.respond(dispute, actor=None, text="已受理", at=opened + timedelta(hours=2))
    services.resolve(dispute, actor=None, outcome="rejected", resolution="面积以测绘报告为准")
    assert services.run_due_steps(date(2026, 3, 14)) == {"done": 1, "pending_channel": 0, "waiting": 0}
    assert sent[0]["idempotency_key"] == f"dunning:{case.pk}:{step.step_id}"
    assert sent[0]["context"]["contract"] == case.contract and "overdue" not in sent[0]["context"]
    dispute.refresh_from_db()
    assert dispute.breached() is False


def test_a_partial_dispute_chases_only_the_rest(case, sent):
    line = case.contract.receivables.get()
    services.open_dispute(receivable=line, reason="部分有误", amount="300000.00")
    services.run_due_steps(date(2026, 3, 13))
    assert sent[0]["context"]["overdue"] == outbound._money(Decimal("700000.00"))
    assert sent[0]["template"] == "overdue_reminder" and sent[0]["channel"] == "sms"


def test_an_upheld_dispute_adjusts_the_ledger_through_an_approved_waiver(case):
    line = case.contract.receivables.get()
    clerk, manager = staff("customer_service"), staff("manager")
    dispute = services.open_dispute(receivable=line, reason="重复收费", amount="1000.00", actor=clerk)
    services.resolve(dispute, actor=clerk, outcome="upheld", resolution="属实", adjust_by="1000.00")
    dispute.refresh_from_db()
    decide_waiver(actor=manager, waiver=dispute.waiver, approve=True)
    assert outstanding_of([line.pk])[line.pk] == Decimal("999000.00")


def test_without_a_channel_a_message_step_is_recorded_pending_channel(case, no_channel):
    assert services.run_due_steps(date(2026, 3, 13)) == {"done": 0, "pending_channel": 1, "waiting": 0}
    assert case.actions.get(step__name="逾期短信").status == "pending_channel"


def test_restructuring_needs_a_second_approver_and_sums_exactly(case, django_capture_on_commit_callbacks):
    # given 200,000.00 paid: the line still owes 800,000.00
    post_receipt(actor=None, amount="200000.00", received_on=date(2026, 3, 16), contract=case.contract)
    line = case.contract.receivables.get()
    collector, manager = staff("collector"), staff("manager")
    lines = [(date(2027, 1, 15), "266666.67"), (date(2027, 2, 15), "266666.67"), (date(2027, 3, 15), "266666.66")]
    # a plan one cent short is refused
    with pytest.raises(services.CaseError, match="sum to 799999.98, the lines replaced still owe 800000.00"):
        services.request_restructuring(case, actor=collector, kind="installments", receivables=[line],
                                       lines=[(d, "266666.66") for d, _ in lines], reason="失业，分三期")
    item = services.request_restructuring(case, actor=collector, kind="installments", receivables=[line],
                                          lines=lines, reason="失业，分三期")
    # the requester cannot approve it
    with pytest.raises(services.CaseError, match="someone other than who requested it"):
        services.decide_restructuring(item, actor=collector, approve=True)
    # when a manager approves
    services.decide_restructuring(item, actor=manager, approve=True)
    # then the old line owes nothing, the new lines hold exactly what it owed, and the case is closed
    assert outstanding_of([line.pk])[line.pk] == Decimal("0.00")
    new = Receivable.objects.filter(contract=case.contract, kind="installment").order_by("due_date")
    assert [(r.name, r.amount) for r in new] == [("分期1/3", Decimal("266666.67")), ("分期2/3", Decimal("266666.67")),
                                                 ("分期3/3", Decimal("266666.66"))]
    assert LedgerEntry.objects.get(receivable=line, kind="adjustment").amount == Decimal("-800000.00")
    pos = position_of_contract(case.contract, date(2026, 12, 31))
    assert (pos.due, pos.overdue) == (Decimal("200000.00"), Decimal("0.00"))
    assert position_of_contract(case.contract, date(2027, 3, 15)).due == Decimal("1000000.00")
    case.refresh_from_db()
    assert (case.status, case.close_reason) == ("closed", "restructured")


def test_vip_goes_to_the_advisor_and_a_late_bank_loan_to_the_mortgage_specialist(project):
    advisor = staff("sales", projects=[project])
    specialist = staff("mortgage", projects=[project])
    collector = staff("collector", projects=[project])
    late_march = {"price": "100000.00", "sign_date": date(2026, 3, 25)}  # due 2026-04-01
    vip = lump_sum(project, customer=CustomerFactory(is_vip=True, advisor=advisor), **late_march)
    plain = lump_sum(project, **late_march)
    mortgage = contract(price="1000000.00", method="mortgage", unit=UnitFactory(building__project=project))
    down = mortgage.receivables.get(kind="down_payment")
    post_receipt(actor=None, amount=str(down.amount), received_on=date(2026, 3, 9), contract=mortgage)
    # when the scan finds all three 9 days late (blue)
    services.scan_overdue(date(2026, 4, 10))
    owners = {c.contract_id: (c.owner, c.owner_reason) for c in CollectionCase.objects.all()}
    # then
    assert owners[vip.pk] == (advisor, "advisor")
    assert owners[plain.pk] == (collector, "collector")
    assert owners[mortgage.pk] == (specialist, "mortgage")
    assert CollectionCase.objects.get(contract=mortgage).policy.name == "银行贷款未放款 bank loan late"


def test_hold_skip_escalate_and_a_lawyer_letter(case, sent):
    collector = staff("collector")
    # a hold stops the steps until its day
    services.hold(case, actor=collector, until=date(2026, 3, 20), reason="客户住院")
    assert services.run_due_steps(date(2026, 3, 14))["done"] == 0
    # skipping needs a reason
    sms = case.actions.get(step__name="逾期短信")
    with pytest.raises(services.CaseError, match="a reason is required"):
        services.skip_step(sms, actor=collector, reason=" ")
    services.skip_step(sms, actor=collector, reason="客户已接电话")
    # escalating to yellow plans the notice and the lawyer letter
    services.escalate(case, actor=collector, reason="拒绝沟通", on=date(2026, 3, 14))
    case.refresh_from_db()
    assert case.level == "yellow"
    notice = case.actions.get(step__name="书面付款通知")
    letter = case.actions.get(step__name="律师函")
    assert (notice.planned_on, letter.planned_on) == (date(2026, 4, 9), date(2026, 4, 24))
    # the lawyer letter is a PDF with the amounts
    from huikuan.dunning.steps import run_step

    CaseAction.objects.filter(pk=letter.pk).update(planned_on=date(2026, 3, 21))
    services.release(case, actor=collector)
    assert run_step(letter.pk, date(2026, 3, 21)) == "done"
    letter.refresh_from_db()
    assert letter.document.read(4) == b"%PDF"
    services.log_call(case, actor=collector, outcome="refused", note="挂断")
    assert case.actions.filter(kind="call", outcome="refused").count() == 1


def test_courtesy_reminder_before_due_moves_back_over_the_national_day_holiday(project, sent):
    # given a line due 2026-10-08 (the first day back): 3 days before is 10-05, a holiday → 09-30
    c = lump_sum(project, sign_date=date(2026, 10, 1))  # lump sum due 7 days after signing
    assert c.receivables.get().due_date == date(2026, 10, 8)
    # when the reminders run on 09-29 and on 09-30 (twice)
    assert services.send_courtesy_reminders(date(2026, 9, 29)) == 0
    assert services.send_courtesy_reminders(date(2026, 9, 30)) == 1
    services.send_courtesy_reminders(date(2026, 9, 30))
    # then one key, handed over twice: the outbox sends it once
    step = PolicyStep.objects.get(policy__name="标准催收 standard", position=1)
    assert {m["idempotency_key"] for m in sent} == {f"courtesy:{c.receivables.get().pk}:{step.pk}"}
    assert sent[0]["context"]["receivable"] == c.receivables.get()
    assert sent[0]["template"] == "courtesy_reminder"


def test_steps_reach_the_real_outbox_once_and_payment_stops_what_is_queued(case, django_capture_on_commit_callbacks):
    # given the notifications app's outbox (skip when it is not installed)
    models = pytest.importorskip("huikuan.notifications.models")
    case.customer.email = "buyer@example.com"
    case.customer.save()
    # when the due steps run twice on the same day, and once more the next day
    services.run_due_steps(date(2026, 3, 13))
    services.run_due_steps(date(2026, 3, 13))
    sms = case.actions.get(step__name="逾期短信")
    # then one message per step, under the step's key
    assert sms.status == "done"
    message = models.Message.objects.get(idempotency_key=f"dunning:{case.pk}:{sms.step_id}")
    assert message.contract_id == case.contract_id and message.template_key == "overdue_reminder"
    # when the buyer pays in full, what is still queued for the contract is not sent
    with django_capture_on_commit_callbacks(execute=True):
        post_receipt(actor=None, amount="1000000.00", received_on=date(2026, 3, 16), contract=case.contract)
    message.refresh_from_db()
    assert message.status in {"suppressed", "sent"}
    assert not models.Message.objects.filter(contract=case.contract, status="queued").exists()

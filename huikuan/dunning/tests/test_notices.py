"""A refused case operation in the reader's language; every refusal the case services write has its template."""

from __future__ import annotations

import ast
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from huikuan.dunning import services
from huikuan.dunning.bill import dispute_token
from huikuan.dunning.choices import DisputeStatus
from huikuan.dunning.models import CollectionCase, Dispute, PromiseToPay
from huikuan.dunning.notices import TEMPLATES, fitting, translated
from huikuan.dunning.services import scan_overdue
from huikuan.testing.factories import staff
from huikuan.testing.phrasebooks import hidden_templates
from huikuan.testing.refusals import refusals_written_in, sample_text

APP = Path(__file__).resolve().parents[1]
REFUSALS = {"CaseError"}


def test_every_refusal_the_case_services_write_has_a_template_and_reads_in_chinese():
    # given every CaseError the app raises with a message of its own (about 25: casework, promises, disputes …)
    written = refusals_written_in(APP, REFUSALS)
    assert len(written) >= 24, written
    # then each fits a template, and in Chinese none is left in English
    assert [(where, text) for where, text in written if fitting(text) is None] == []
    with translation.override("zh-hans"):
        assert [(where, text) for where, text in written if translated(text) == text] == []


def test_the_scan_turns_an_f_string_into_a_sample_text():
    assert sample_text(ast.parse('f"case {case.pk} is already {case.level}"', mode="eval").body) == \
        "case 12 is already 12"
    assert sample_text(ast.parse('f"unknown outcome {outcome!r}"', mode="eval").body) == "unknown outcome '12'"
    assert sample_text(ast.parse('str(exc)', mode="eval").body) is None


@pytest.mark.parametrize("text, chinese", [
    ("case 12 is already red", "案件 12 已是红色级别"),
    ("case 12 is closed", "案件 12 已结案"),
    ("restructuring already approved", "该还款重组已批准"),
    ("a dispute must be for more than 0 and at most what is owed (1000.00)",
     "异议金额必须大于 0，且不超过未收金额（1000.00）"),
    ("the new lines sum to 900.00, the lines replaced still owe 1000.00",
     "新应收合计 900.00，而被替换的应收尚欠 1000.00"),
    ("unknown call outcome 'maybe'", "未知的通话结果 'maybe'"),
    # a refused amount, as core.money_notices shows it
    ("'abc' is not an amount", "'abc' 不是金额"),
])
def test_a_refusal_reads_in_chinese_with_its_values_in_place(text, chinese):
    with translation.override("zh-hans"):
        assert translated(text) == chinese


def test_a_refusal_reads_in_traditional_chinese_and_in_english_as_written():
    with translation.override("zh-hant"):
        assert translated("case 12 is already yellow") == "案件 12 已是黃色級別"
    with translation.override("en"):
        assert translated("case 12 is already yellow") == "case 12 is already yellow"


def test_a_message_no_template_fits_is_shown_as_written():
    with translation.override("zh-hans"):
        assert translated("a note someone typed") == "a note someone typed"
        assert translated("case 12 is already purple") == "案件 12 已是purple级别"  # a level not known: its code


def test_each_template_reads_back_its_own_english():
    # a template filled with sample values is found again as itself (no template hides another)
    assert hidden_templates(TEMPLATES, fitting, {"case": "12", "dispute": "7"}) == []


# --- the pages, in Chinese ---------------------------------------------------------------------


@pytest.fixture
def scanned(two_contracts):
    scan_overdue(date(2026, 4, 30))
    return two_contracts


def collector(project) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(staff("collector", projects=[project]))
    return client


@pytest.mark.parametrize("amount, chinese", [("0", "承诺还款金额必须大于 0"), ("abc", "'abc' 不是金额")])
@pytest.mark.django_db
@pytest.mark.urls("huikuan.dunning.tests.urls")
def test_the_case_page_says_why_a_promise_was_refused_in_chinese(scanned, project, amount, chinese):
    # given a case and its collector
    a, _ = scanned
    case = CollectionCase.objects.get(contract=a)
    # when they record a promise for an amount that is not positive (or not an amount)
    page = unescape(collector(project).post(f"/dunning/cases/{case.pk}/", {
        "operation": "promise", "amount": amount, "pay_by": "2026-05-10"}, follow=True).content.decode())
    # then nothing is recorded, and the page says why in Chinese
    assert not PromiseToPay.objects.exists()
    assert chinese in page
    assert "a promise must be" not in page and "is not an amount" not in page


@pytest.mark.django_db
@pytest.mark.urls("huikuan.dunning.tests.urls")
def test_the_worklist_names_the_contract_and_says_why_in_chinese(scanned, project):
    # when a collector puts the ticked cases on hold without saying until when
    a, _ = scanned
    case = CollectionCase.objects.get(contract=a)
    client = collector(project)
    page = client.post("/dunning/", {"case": [str(case.pk)], "operation": "hold", "reason": "客户出差"},
                       follow=True).content.decode()
    # then the page names the contract and the refusal in Chinese
    assert f"{a.contract_no}：暂停需要填写截止日期" in page


@pytest.mark.django_db
@pytest.mark.urls("huikuan.dunning.tests.urls")
def test_the_customer_dispute_page_says_what_is_missing_in_chinese(scanned):
    # given a customer with the link in a reminder
    _, b = scanned
    line = b.receivables.get(due_date=date(2026, 4, 20))
    # when they send the form without a reason
    response = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post(f"/dunning/d/{dispute_token(line.pk)}/", {"reason": " "})
    # then no dispute is opened and the page asks for one in Chinese
    assert response.status_code == 400
    assert not Dispute.objects.exists()
    page = response.content.decode()
    assert "请填写原因" in page and "a reason is required" not in page


@pytest.mark.django_db
@pytest.mark.urls("huikuan.dunning.tests.urls")
def test_a_dispute_upheld_for_more_than_the_charge_owes_stays_open_and_says_why_in_chinese(scanned, project):
    # given a dispute over a charge of 1,000,000.00 (the contract's one line)
    _, b = scanned
    line = b.receivables.get(due_date=date(2026, 4, 20))
    dispute = services.open_dispute(receivable=line, reason="重复收费")
    # when it is upheld with an adjustment larger than what the line owes (the ledger refuses the waiver)
    response = collector(project).post(f"/dunning/disputes/{dispute.pk}/", {
        "outcome": "upheld", "resolution": "属实", "adjust_by": "99999999.00"}, follow=True)
    # then the page says why in Chinese, and the dispute is still open with no waiver
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert "不能减免 99999999.00" in page and "cannot waive" not in page
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN and dispute.waiver_id is None


@pytest.mark.django_db
@pytest.mark.urls("huikuan.dunning.tests.urls")
def test_escalating_to_a_level_that_does_not_exist_is_refused_not_a_server_error(scanned, project):
    a, _ = scanned
    case = CollectionCase.objects.get(contract=a)
    response = collector(project).post(f"/dunning/cases/{case.pk}/", {
        "operation": "escalate", "reason": "多次失联", "to_level": "purple"}, follow=True)
    assert response.status_code == 200
    assert "未知级别 'purple'" in unescape(response.content.decode())
    case.refresh_from_db()
    assert case.level != "purple"

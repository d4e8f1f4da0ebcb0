"""Templates per step and language: the bill with exact amounts, the fallback, the dispute link."""

from datetime import date

import pytest

from huikuan.notifications.models import Template
from huikuan.notifications.rendering import (
    InvalidDisputeToken,
    TemplateMissing,
    dispute_link,
    render,
    verify_dispute_token,
)
from huikuan.notifications.seeding import default_templates

pytestmark = pytest.mark.django_db

AS_OF = {"as_of": date(2026, 3, 19)}


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def test_simplified_chinese_bill_has_items_amounts_late_fee_and_how_to_pay(buyer, settings):
    # given 王芳 (zh-hans) owes 200,000.00 of the down payment, 10 days late, and a payee account
    customer, signed = buyer
    settings.NOTIFICATIONS_PAYEE = {"account_name": "示例置业有限公司", "bank": "示例银行北京分行",
                                    "account_no": "1100 2233 4455"}
    # when the overdue reminder is rendered for e-mail as of 19 March 2026
    rendered = render("overdue_reminder", "email", customer, {"contract": signed, **AS_OF})
    # then the subject, items, totals (late fee 200,000.00 × 0.05 % × 10 days) and payment lines are exact
    assert rendered.language == "zh-hans"
    assert rendered.subject == "【逾期提醒】合同 HT-TEST-001 待付 ¥201,000.00"
    body = lines_of(rendered.body)
    assert "- 首付款：应付日期 2026年3月9日，金额 ¥300,000.00，未付 ¥200,000.00（已逾期 10 天）" in body
    assert "- 按揭款：应付日期 2026年4月1日，金额 ¥700,000.00，未付 ¥700,000.00" in body
    assert "逾期未付合计：¥200,000.00" in body
    assert "截至今日违约金：¥1,000.00" in body
    assert "请尽快支付：¥201,000.00" in body
    assert "收款账号：1100 2233 4455" in body
    assert "转账时请在附言中注明合同编号：HT-TEST-001" in body


def test_traditional_chinese_bill(buyer):
    # given the customer reads Traditional Chinese
    customer, signed = buyer
    customer.language = "zh-hant"
    # when the reminder is rendered
    rendered = render("overdue_reminder", "email", customer, {"contract": signed, **AS_OF})
    # then the words are traditional and the amounts the same
    assert rendered.language == "zh-hant"
    assert rendered.subject == "【逾期提醒】合約 HT-TEST-001 待付 ¥201,000.00"
    body = lines_of(rendered.body)
    assert "- 首付款：應付日期 2026年3月9日，金額 ¥300,000.00，未付 ¥200,000.00（已逾期 10 天）" in body
    assert "- 按揭貸款：應付日期 2026年4月1日，金額 ¥700,000.00，未付 ¥700,000.00" in body
    assert "截至今日違約金：¥1,000.00" in body
    assert "轉帳時請在附言中註明合約編號：HT-TEST-001" in body


def test_english_bill_uses_english_dates_and_item_names(buyer):
    # given the customer reads English
    customer, signed = buyer
    customer.language = "en"
    # when the reminder is rendered
    rendered = render("overdue_reminder", "email", customer, {"contract": signed, **AS_OF})
    # then dates, item names and amounts read in English
    assert rendered.subject == "Payment overdue: contract HT-TEST-001, CNY 201,000.00 to pay"
    body = lines_of(rendered.body)
    assert [line for line in body if line.startswith("As of ")][0].endswith(
        "(contract HT-TEST-001) are unpaid:")
    assert [line for line in body if line.startswith("As of ")][0].startswith("As of 19 Mar 2026, ")
    assert ("- Down payment: due 9 Mar 2026, amount CNY 300,000.00, unpaid CNY 200,000.00 (10 days overdue)"
            in body)
    assert "Late fee to date: CNY 1,000.00" in body
    assert "Please pay now: CNY 201,000.00" in body
    assert "Please quote your contract number as the payment reference: HT-TEST-001" in body


def test_sms_uses_the_short_text_and_provider_parameters(buyer):
    # given the zh-hans customer
    customer, signed = buyer
    # when the reminder is rendered for SMS
    rendered = render("overdue_reminder", "sms", customer, {"contract": signed, **AS_OF})
    # then the body is the short text and the parameters carry the exact amounts
    assert rendered.body.startswith(
        "【huikuan】王芳您好，合同HT-TEST-001逾期未付¥200,000.00，违约金¥1,000.00，")
    assert {k: rendered.params[k] for k in ("name", "contract_no", "amount", "late_fee", "due_date")} == {
        "name": "王芳", "contract_no": "HT-TEST-001", "amount": "201,000.00", "late_fee": "1,000.00",
        "due_date": "2026年3月9日"}


def test_a_language_without_text_falls_back_to_simplified_chinese(buyer):
    # given the English version of the step was deleted
    customer, signed = buyer
    customer.language = "en"
    Template.objects.filter(key="overdue_reminder", language="en").delete()
    # when it is rendered
    rendered = render("overdue_reminder", "email", customer, {"contract": signed, **AS_OF})
    # then the Simplified Chinese text is used
    assert rendered.language == "zh-hans"
    assert rendered.subject == "【逾期提醒】合同 HT-TEST-001 待付 ¥201,000.00"


def test_an_unknown_step_is_an_error(buyer):
    customer, _ = buyer
    with pytest.raises(TemplateMissing):
        render("no_such_step", "email", customer, {})


def test_an_edited_template_is_what_renders(buyer):
    # given finance edited the zh-hans text in the admin
    customer, signed = buyer
    Template.objects.filter(key="overdue_reminder", language="zh-hans").update(
        subject="请付款 {{ contract_no }}", body="违约金 {{ late_fee }} 元")
    # when it renders
    rendered = render("overdue_reminder", "email", customer, {"contract": signed, **AS_OF})
    # then the edited words come out
    assert (rendered.subject, rendered.body) == ("请付款 HT-TEST-001", "违约金 1,000.00 元")


def test_every_default_template_is_seeded_in_three_languages():
    # given the default template files
    defaults = default_templates()
    # then each step exists in zh-hans, zh-hant and en, in the files and in the database
    keys = {d.key for d in defaults}
    assert keys == {"courtesy_reminder", "overdue_reminder", "payment_notice"}
    expected = {(k, lang) for k in keys for lang in ("zh-hans", "zh-hant", "en")}
    assert {(d.key, d.language) for d in defaults} == expected
    assert set(Template.objects.values_list("key", "language")) == expected


def test_dispute_link_round_trip_and_tampering(buyer, settings):
    # given a public base URL and a contract's down payment
    settings.NOTIFICATIONS_PUBLIC_BASE_URL = "https://pay.example.cn"
    _, signed = buyer
    down = signed.receivables.get(kind="down_payment")
    # when a link is made
    link = dispute_link(signed, down)
    token = link.rstrip("/").rsplit("/", 1)[1]
    # then it verifies to the contract and charge, and an edited token does not
    assert link.startswith("https://pay.example.cn/")
    found = verify_dispute_token(token)
    assert (found.contract_id, found.receivable_id) == (signed.pk, down.pk)
    with pytest.raises(InvalidDisputeToken):
        verify_dispute_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    with pytest.raises(InvalidDisputeToken):
        verify_dispute_token(token, max_age_days=-1)

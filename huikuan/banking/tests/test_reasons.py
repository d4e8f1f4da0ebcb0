"""A match's reasons shown in the reader's language; every reason the engine writes has its template."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.utils import translation

from huikuan.banking.matching import Matcher
from huikuan.banking.reasons import TEMPLATES, fitting, translated
from huikuan.testing.phrasebooks import hidden_templates

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from bench.statements_gen import generate  # noqa: E402


def test_every_reason_the_engine_writes_on_data_of_every_noise_kind_has_a_template():
    # given generated statements with every noise kind (split, batch, relatives, typos, duplicates …)
    data = generate(3000, 30_000, 3, escrow_share=0.7)
    proposals = Matcher(data.items).match(data.txns, processes=1)
    reasons = {r for p in proposals for r in p.reasons}
    # then each reason fits a template, and in Chinese none is left in English
    assert len(reasons) > 1000
    assert sorted(r for r in reasons if fitting(r) is None) == []
    with translation.override("zh-hans"):
        assert sorted(r for r in reasons if translated(r) == r) == []


@pytest.mark.parametrize("reason, chinese", [
    ("contract number HT-2026-0012 in the memo", "摘要中有合同编号 HT-2026-0012"),
    ("amount equals mortgage_loan due 2026-11-25", "金额等于 2026-11-25 到期的商业按揭贷款"),
    ("payer name close to contract party 张三丰 (86%)", "付款人姓名与合同当事人 张三丰 相近（86%）"),
    ("not allocated automatically: receivable 17 owes 100.00, cannot take 200.00",
     "未自动核销：应收 17 未收 100.00，不能再核销 200.00"),
    ("suggestion rejected: 不是他", "建议已驳回：不是他"),
    ("undone: wrong contract", "已撤销：wrong contract"),
])
def test_a_reason_reads_in_chinese_with_its_values_in_place(reason, chinese):
    with translation.override("zh-hans"):
        assert translated(reason) == chinese


def test_a_reason_no_template_fits_is_shown_as_written():
    with translation.override("zh-hans"):
        assert translated("a note someone typed") == "a note someone typed"


def test_each_template_reads_back_its_own_english():
    # a template filled with sample values is found again as itself (no template hides another)
    assert hidden_templates(TEMPLATES, fitting) == []


@pytest.mark.django_db
def test_the_queue_and_the_line_show_the_reasons_in_chinese(client):
    from huikuan.banking.models import BankAccount, BankTransaction, Match, Statement
    from huikuan.testing.factories import staff

    account = BankAccount.objects.create(account_no="6222000011112222")
    statement = Statement.objects.create(account=account, file_name="s.csv", sha256="x")
    txn = BankTransaction.objects.create(statement=statement, account=account, key="B1", date="2026-03-02",
                                         amount="86000.00", direction="credit", counterparty="成都蓉欣商贸有限公司")
    match = Match.objects.create(transaction=txn, status="exception", exception_kind="unidentified",
                                 reasons=["no contract, unit, account or name found"])
    client.force_login(staff("finance"))
    for url in ("/banking/review/", f"/banking/matches/{match.pk}/"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "未找到合同、房号、账号或姓名" in page and "no contract, unit" not in page, url

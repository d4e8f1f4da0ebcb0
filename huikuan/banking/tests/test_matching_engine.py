"""Matching engine: signals, 1:N / N:1 / partial allocations, exceptions and batch disbursements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from huikuan.banking.matching import (
    BankTxn,
    DisbursementRow,
    Matcher,
    OpenItem,
    contract_keys_in,
    match_disbursement_list,
    name_key,
    pinyin_of,
    propose_batch,
    unit_keys_in,
)

D = Decimal


def item(rid, contract=1, kind="down_payment", due=date(2026, 3, 5), amount="50000.00", names=("张三",),
         accounts=(), relatives=(), bank="", no=None, unit="3栋1单元1202"):
    return OpenItem(
        receivable_id=rid, contract_id=contract, contract_no=no or f"HT-2026-{contract:04d}", unit_labels=(unit,),
        kind=kind, due_date=due, outstanding=D(amount), party_names=list(names),
        known_payer_accounts=set(accounts), known_payer_names=set(relatives), bank=bank,
    )


def txn(key="t1", amount="50000.00", payer="张三", memo="", account="", day=date(2026, 3, 6)):
    return BankTxn(key=key, date=day, amount=D(amount), counterparty=payer, counterparty_account=account, memo=memo)


def test_memo_forms_of_contract_numbers_and_units():
    # given the ways people write contract numbers and units / then they normalise to one key
    assert contract_keys_in("HT-2026-0012 / HT20260012 / 合同号2026-0012") == ["20260012"] * 3
    keys = {k for form in ("3栋1单元1202", "3-1-1202") for k, full in unit_keys_in(form) if full}
    assert keys == {"3-1-1202"}
    assert {k for form in ("3#1202", "3幢1202室") for k, _ in unit_keys_in(form)} == {"3-1202"}
    assert unit_keys_in("2026-03-05") == []


def test_names_fold_traditional_fullwidth_spacing_and_company_suffixes():
    assert name_key("陳 大文") == name_key("陈大文") == "陈大文"
    assert name_key("ＡＢＣ Co., Ltd.") == name_key("abc") == "abc"
    assert name_key("某某置业有限责任公司") == name_key("某某置业有限公司")
    # pinyin merges homophone surnames; the characters still differ
    assert pinyin_of(name_key("章三")) == pinyin_of(name_key("张三")) == "zhangsan"


def test_contract_number_and_exact_amount_is_auto_confirmed():
    # given two contracts and a payment naming one of them
    m = Matcher([item(1, 1), item(2, 2, names=("李四",), unit="5栋2单元301")])
    # when matched
    [p] = m.match([txn(memo="HT2026-0001 首付款")])
    # then it is high, allocated in full, with the reasons
    assert p.level == "high" and p.exception is None
    assert p.allocations == [(1, D("50000.00"))]
    assert any("contract number" in r for r in p.reasons)


def test_unit_written_in_memo_and_traditional_name():
    m = Matcher([item(1, 1, names=("陈大文",)), item(2, 2, names=("王五",), unit="3栋1单元1203")])
    [p] = m.match([txn(payer="陳大文", memo="3-1-1202 房款")])
    assert p.allocations == [(1, D("50000.00"))]
    assert p.level == "high"


def test_pinyin_payer_and_known_account():
    m = Matcher([item(1, 1, accounts={"6222000011112222"}), item(2, 2, names=("李四",))])
    [p] = m.match([txn(payer="San ZHANG", account="6222 0000 1111 2222")])
    assert p.allocations == [(1, D("50000.00"))]
    assert p.level == "high"


def test_learnt_relative_pays():
    m = Matcher([item(1, 1, relatives={"张父"}), item(2, 2, names=("李四",))])
    [p] = m.match([txn(payer="张父")])
    assert p.allocations == [(1, D("50000.00"))]
    assert any("relative" in r for r in p.reasons)


def test_one_to_many_sum_of_receivables_of_one_contract():
    # given a deposit and a down payment of the same contract
    m = Matcher([item(1, 1, kind="deposit", amount="20000.00", due=date(2026, 3, 1)), item(2, 1)])
    # when one transfer pays both
    [p] = m.match([txn(amount="70000.00", memo="HT-2026-0001")])
    # then both are allocated in full
    assert p.allocations == [(1, D("20000.00")), (2, D("50000.00"))]
    assert p.level == "high"


def test_split_payment_many_to_one_never_over_allocates():
    # given one receivable of 50,000 paid in two parts
    m = Matcher([item(1, 1)])
    first, second = m.match([
        txn("a", "30000.00", memo="HT-2026-0001"), txn("b", "20000.00", memo="HT-2026-0001", day=date(2026, 3, 7)),
    ])
    # then the first is a partial (underpayment) and the second completes it
    assert first.allocations == [(1, D("30000.00"))] and first.exception == "underpayment"
    assert first.level == "medium"
    assert second.allocations == [(1, D("20000.00"))] and second.exception is None
    assert m.remaining[1] == 0


def test_duplicate_payment_is_flagged_without_allocation():
    m = Matcher([item(1, 1)])
    first, dup = m.match([txn("a", memo="HT-2026-0001"), txn("b", memo="HT-2026-0001", day=date(2026, 3, 7))])
    assert first.allocations == [(1, D("50000.00"))]
    assert dup.allocations == [] and dup.exception == "duplicate_payment"


def test_overpayment_allocates_what_is_owed_only():
    m = Matcher([item(1, 1)])
    [p] = m.match([txn(amount="50500.00", memo="HT-2026-0001")])
    assert p.allocations == [(1, D("50000.00"))]
    assert p.exception == "overpayment" and p.level == "medium"


def test_refund_line_is_a_reversal_and_unknown_payer_is_unidentified():
    m = Matcher([item(1, 1)])
    refund, unknown = m.match([txn("r", amount="-500.00"), txn("u", amount="123.45", payer="无关公司")])
    assert refund.exception == "reversal" and refund.allocations == []
    assert unknown.exception == "unidentified" and unknown.level == "low" and unknown.allocations == []


def test_batch_mortgage_disbursement_subset_sum():
    # given five open loan receivables of one bank, three of which the bank paid in one transfer
    loans = [item(10 + i, 10 + i, kind="mortgage_loan", amount=a, bank="中国建设银行", names=(f"客户{i}",))
             for i, a in enumerate(["700123.00", "850456.00", "910789.00", "1200000.00", "655321.00"])]
    t = txn(amount=str(D("700123.00") + D("910789.00") + D("655321.00")), payer="中国建设银行股份有限公司北京分行")
    # when proposed
    p = propose_batch(t, loans)
    # then exactly those three are allocated
    assert sorted(p.allocations) == [(10, D("700123.00")), (12, D("910789.00")), (14, D("655321.00"))]
    assert p.level == "high"
    # and the matcher routes a bank transfer there on its own
    [q] = Matcher(loans).match([t])
    assert sorted(rid for rid, _ in q.allocations) == [10, 12, 14]


def test_disbursement_list_rows():
    loans = [item(1, 1, kind="mortgage_loan", amount="700000.00", bank="建设银行"),
             item(2, 2, kind="mortgage_loan", amount="800000.00", bank="建设银行", names=("李四",))]
    t = txn(amount="1500000.00", payer="中国建设银行")
    rows = [DisbursementRow("HT-2026-0001", "张三", D("700000.00")), DisbursementRow("", "李四", D("800000.00"))]
    p = match_disbursement_list(t, rows, loans)
    assert p.allocations == [(1, D("700000.00")), (2, D("800000.00"))]
    assert p.level == "high" and p.exception is None


def test_thresholds_are_parameters():
    m = Matcher([item(1, 1)], high=0.99999999, medium=0.5)
    [p] = m.match([txn(memo="")])
    assert p.level == "medium"
    assert p.allocations == [(1, D("50000.00"))]

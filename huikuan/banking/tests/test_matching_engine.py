"""Matching engine: signals, 1:N / N:1 / partial allocations, exceptions and batch disbursements."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import numpy as np

from huikuan.banking.matching import (
    BankTxn,
    DisbursementRow,
    Matcher,
    OpenItem,
    contract_key,
    contract_keys_in,
    match_disbursement_list,
    name_key,
    pinyin_of,
    propose_batch,
    subset_sums,
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
    assert m.owed(1) == 0


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


def test_a_project_code_in_the_contract_number_tells_projects_apart():
    # given two projects numbering their contracts alike (JJXF-2025-0003, YHF-2025-0003), one buyer each, owing the
    # same amount, and a payer whose name is neither's
    items = [item(1, 1, no="JJXF-2025-0003", unit="1栋201"), item(2, 2, no="YHF-2025-0003", names=("李四",),
                                                                   unit="2栋305")]
    # when the memo writes the number with its code, with or without dashes, alone or after 合同
    for memo in ("JJXF-2025-0003 首付", "JJXF20250003", "合同JJXF-2025-0003", "ｊｊｘｆ-2025-0003"):
        [p] = Matcher(items).match([txn(payer="王五", memo=memo)])
        # then that project's contract is the only one the number finds
        assert p.contract_id == 1 and p.allocations == [(1, D("50000.00"))], memo
        assert [cid for cid, _ in p.candidates] == [1], memo
        assert any("contract number JJXF-2025-0003" in r for r in p.reasons), memo
    # and the digits alone still find both, so neither is auto-confirmed on them
    [p] = Matcher(items).match([txn(payer="王五", memo="合同号2025-0003")])
    assert sorted(cid for cid, _ in p.candidates) == [1, 2] and p.level != "high"


def test_a_disbursement_list_row_with_a_project_code_is_that_projects_contract():
    loans = [item(1, 1, kind="mortgage_loan", amount="700000.00", bank="建设银行", no="JJXF-2025-0003"),
             item(2, 2, kind="mortgage_loan", amount="700000.00", bank="建设银行", no="YHF-2025-0003",
                  names=("李四",))]
    t = txn(amount="700000.00", payer="中国建设银行")
    p = match_disbursement_list(t, [DisbursementRow("YHF-2025-0003", "", D("700000.00"))], loans)
    assert p.allocations == [(2, D("700000.00"))] and p.level == "high"


def test_thresholds_are_parameters():
    m = Matcher([item(1, 1)], high=0.99999999, medium=0.5)
    [p] = m.match([txn(memo="")])
    assert p.level == "medium"
    assert p.allocations == [(1, D("50000.00"))]


def test_split_payment_with_an_ambiguous_payer_is_summed_many_to_one():
    # given two customers of the same name, each with an open deposit of 20,000 and other receivables
    m = Matcher([
        item(1, 1, kind="deposit", amount="20000.00", due=date(2026, 3, 5)),
        item(2, 2, kind="down_payment", amount="35000.00", due=date(2026, 3, 9)),
    ])
    # when the payer sends 12,000.50 and 7,999.50 (no reference, a new account) two days apart
    p1, p2 = m.match([txn("a", "12000.50", account="6222999900001111", day=date(2026, 3, 5)),
                      txn("b", "7999.50", account="6222999900001111", day=date(2026, 3, 7))])
    # then the N:1 pass finds that together they pay the deposit exactly, and suggests it (never auto)
    assert p1.allocations == [(1, D("12000.50"))] and p2.allocations == [(1, D("7999.50"))]
    assert p1.level == p2.level == "medium"
    assert "N:1" in p1.reasons[0]
    assert m.owed(1) == 0 and m.owed(2) == 3_500_000


def test_many_to_one_leaves_payments_alone_when_two_receivables_fit_equally():
    m = Matcher([item(1, 1, amount="20000.00"), item(2, 2, amount="20000.00")])
    p1, p2 = m.match([txn("a", "12000.00", account="62229999", day=date(2026, 3, 5)),
                      txn("b", "8000.00", account="62229999", day=date(2026, 3, 6))])
    assert p1.allocations == [] and p2.allocations == []
    assert p1.level == p2.level == "low"
    assert m.owed(1) == m.owed(2) == 2_000_000


def test_name_only_and_a_common_amount_is_suggested_not_auto_confirmed():
    # given 30 open deposits of 50,000 and one customer 张三 with such a deposit
    others = [item(100 + i, 100 + i, kind="deposit", names=(f"客户{i}",), unit=f"9栋1单元{1001 + i}")
              for i in range(30)]
    m = Matcher([item(1, 1, kind="deposit"), *others])
    # when 张三 pays 50,000 with no reference
    [p] = m.match([txn(amount="50000.00")])
    # then it is proposed, but a person confirms it
    assert p.allocations == [(1, D("50000.00"))]
    assert p.level == "medium" and p.confidence >= 0.9
    assert any("not auto-confirmed" in r for r in p.reasons)
    # while a contract number with the same amount is still auto-confirmed
    m2 = Matcher([item(1, 1, kind="deposit"), *others])
    [q] = m2.match([txn(amount="50000.00", memo="HT-2026-0001")])
    assert q.level == "high"


def test_due_date_far_from_the_payment_counts_against_a_candidate():
    # given two namesakes owing the same amount, one due now and one due a year later
    m = Matcher([item(1, 1, due=date(2027, 3, 5)), item(2, 2, due=date(2026, 3, 1))])
    [p] = m.match([txn(amount="50000.00", day=date(2026, 3, 3))])
    assert p.allocations == [(2, D("50000.00"))]
    assert p.candidates[0][1] > p.candidates[1][1]


def test_two_character_name_typo_found_through_the_amount_block():
    # given 王芳 owing an unusual amount and an unrelated customer
    m = Matcher([item(1, 1, names=("王芳",), amount="123457.89"), item(2, 2, names=("李四",), amount="90000.00")])
    # when 王兵 (one character wrong, not a homophone, and too short for the one-typo index) pays exactly that
    [p] = m.match([txn(amount="123457.89", payer="王兵")])
    # then it is suggested with the reason
    assert p.allocations == [(1, D("123457.89"))]
    assert p.level in ("medium", "high")
    assert any("one character" in r for r in p.reasons)


def _four_loans(dues):
    return [item(10 + i, 10 + i, kind="mortgage_loan", amount=a, bank="招商银行", names=(f"客户{i}",), due=due,
                 unit=f"8栋1单元{1001 + i}")
            for i, (a, due) in enumerate(zip(["100000.00", "400000.00", "200000.00", "300000.00"], dues, strict=True))]


def test_batch_unique_only_among_the_nearest_loans_is_suggested_not_auto_confirmed():
    # given four loans of one bank where 100+400 = 200+300, the first pair due on the transfer day
    loans = _four_loans([date(2026, 3, 6), date(2026, 3, 6), date(2026, 3, 12), date(2026, 3, 12)])
    t = txn(amount="500000.00", payer="招商银行股份有限公司上海分行", day=date(2026, 3, 6))
    p = propose_batch(t, loans)
    # then the nearer pair is suggested, never auto-confirmed, and the reason says why
    assert p.level == "medium"
    assert sorted(p.allocations) == [(10, D("100000.00")), (11, D("400000.00"))]
    assert any("other sets due further away" in r for r in p.reasons)


def test_a_batch_over_given_loans_leaves_out_those_not_indexed():
    # given a matcher over two loans of one bank, and two more it never indexed (they too sum to the transfer)
    loans = _four_loans([date(2026, 3, 6)] * 4)
    m = Matcher(loans[:2])
    t = txn(amount="500000.00", payer="招商银行", day=date(2026, 3, 6))
    # when a transfer is placed over all four: only the indexed pair counts, and it is allocated
    p = m.propose_batch(t, [loans[3], *loans[:2], loans[2]])
    assert p is not None and p.level == "high"
    assert sorted(p.allocations) == [(10, D("100000.00")), (11, D("400000.00"))]
    assert m.owed(10) == m.owed(11) == 0


def test_batch_with_several_equally_near_subsets_is_not_allocated():
    # given the same four loans all due on the transfer day: two sets sum exactly, neither is nearer
    loans = _four_loans([date(2026, 3, 6)] * 4)
    p = propose_batch(txn(amount="500000.00", payer="招商银行", day=date(2026, 3, 6)), loans)
    assert p.level == "low" and p.allocations == [] and p.exception == "unidentified"
    assert any("ambiguous" in r for r in p.reasons)
    assert len(p.candidates) == 2 and p.candidates[0][1] == 0.5


def test_batch_pool_is_not_truncated_to_a_few_dozen_loans():
    # given 150 open loans of one bank due the same week with distinct amounts; the bank pays three of them
    import random

    rng = random.Random(3)
    loans = [item(1000 + i, 1000 + i, kind="mortgage_loan", amount=f"{rng.randint(300_000, 3_000_000)}.{i % 100:02d}",
                  bank="建设银行", names=(f"客户{i}",), due=date(2026, 3, 1 + i % 7), unit=f"7栋1单元{1001 + i}")
             for i in range(150)]
    picked = [loans[3], loans[77], loans[149]]
    total = sum((it.outstanding for it in picked), D(0))
    [p] = Matcher(loans).match([txn(amount=str(total), payer="中国建设银行", day=date(2026, 3, 4))])
    assert sorted(p.allocations) == sorted((it.receivable_id, it.outstanding) for it in picked)


def test_subset_sums_lists_each_subset_once_and_only_exact_ones():
    from itertools import combinations

    values = [5, 7, 11, 13, 17, 19, 23, 29, 31, 37]
    for target in (36, 60, 77, 100):
        got = subset_sums(values, target, kmax=5, limit=10_000)
        brute = sorted(c for k in range(1, 6) for c in combinations(range(len(values)), k)
                       if sum(values[i] for i in c) == target)
        assert sorted(got) == brute
        assert len(set(got)) == len(got)


def test_a_contracts_sum_of_two_or_three_receivables_is_the_first_in_the_order_of_combinations():
    import random
    from itertools import combinations

    from huikuan.banking.matching.engine import _small_subset

    rng = random.Random(5)
    for _ in range(3000):
        values = [rng.choice([100, 200, 300, rng.randint(1, 900)]) for _ in range(rng.randint(3, 12))]
        target = rng.choice([sum(rng.sample(values, rng.randint(1, 3))), rng.randint(1, 3000)])
        first = next((list(c) for k in (2, 3) for c in combinations(range(len(values)), k)
                      if sum(values[i] for i in c) == target), None)
        assert _small_subset(values, target, 3) == first


def test_subsets_of_any_prefix_of_a_pool_match_brute_force():
    import random
    from itertools import combinations

    from huikuan.banking.matching.engine import _SubsetIndex

    rng = random.Random(3)
    for _ in range(500):
        values = [rng.randint(1, 30) for _ in range(rng.randint(1, 12))]
        index = _SubsetIndex(values)
        n, target = rng.randint(1, len(values)), rng.randint(1, 90)
        kmin = rng.randint(1, 5)
        kmax = rng.randint(kmin, 5)
        brute = sorted(c for k in range(kmin, kmax + 1) for c in combinations(range(n), k)
                       if sum(values[i] for i in c) == target)
        assert sorted(index.find(n, target, kmax, 10**6, kmin)) == brute


def test_subsets_with_a_limit_are_the_first_of_all_in_order_of_size():
    import random

    from huikuan.banking.matching.engine import _SubsetIndex

    rng = random.Random(5)
    for _ in range(300):
        values = [rng.randint(1, 40) for _ in range(rng.randint(2, 14))]
        index, target = _SubsetIndex(values), rng.randint(2, 120)
        every = index.find(len(values), target, 5, 10**6)
        assert [len(s) for s in every] == sorted(len(s) for s in every)
        for limit in (1, 2, 5, 12):
            assert index.find(len(values), target, 5, limit) == every[:limit]


def test_subsets_are_exact_however_many_false_positives_the_prefilter_lets_through(monkeypatch):
    # given a prefilter table of 8 entries: nearly every pair "may take part"
    import random
    import threading
    from itertools import combinations

    from huikuan.banking.matching import engine

    monkeypatch.setattr(engine, "_FILTER_BITS", 3)
    monkeypatch.setattr(engine, "_filter_tables", threading.local())
    rng = random.Random(11)
    for _ in range(200):
        values = [rng.randint(1, 60) for _ in range(rng.randint(1, 11))]
        target = rng.randint(1, 150)
        brute = sorted(c for k in range(1, 6) for c in combinations(range(len(values)), k)
                       if sum(values[i] for i in c) == target)
        assert sorted(engine.subset_sums(values, target, kmax=5, limit=10**6)) == brute
    assert len(engine._filter_tables.table) == 8


def test_fuzzy_indexes_are_built_lazily_once():
    # given 张三丰 owing 50,000 and 401 other customers owing 50,000 due the same week (a standard amount)
    others = [item(100 + i, 100 + i, kind="deposit", names=(f"客户{i:03d}",), unit=f"9栋1单元{1001 + i}")
              for i in range(401)]
    m = Matcher([item(1, 1, names=("张三丰",)), *others])
    assert m._by_pinyin is None
    # when 张四丰 (one character different, not a homophone) pays 50,000: too many items of that amount to
    # compare one by one
    [p] = m.match([txn(payer="张四丰")])
    # then the one-typo index is built and finds him; a second payer reuses it
    masked = m.by_masked
    assert m._by_pinyin is not None and masked.get("张?丰") == ["张三丰"]
    assert p.allocations == [(1, D("50000.00"))] and p.level == "medium"
    assert any("differs by one character" in r for r in p.reasons)
    m.match([txn("t2", payer="张三峰", amount="1.00")])
    assert m.by_masked is masked


def test_a_typo_paying_an_uncommon_amount_needs_no_name_index():
    m = Matcher([item(1, 1, names=("张三丰",), amount="123456.00"), item(2, 2, names=("李四",))])
    [p] = m.match([txn(payer="张三峰", amount="123456.00")])
    assert m._by_pinyin is None  # the items of exactly this amount were compared instead
    assert p.allocations == [(1, D("123456.00"))] and p.level == "medium"


def test_amount_index_lookups_and_the_by_amount_view():
    m = Matcher([item(1, 1, amount="20000.00"), item(2, 2, amount="20000.00"), item(3, 3, amount="123.45")])
    assert m.amount_count(2_000_000) == 2 and m.amount_count(12_345) == 1 and m.amount_count(1) == 0
    assert sorted(it.receivable_id for it in m.by_amount[2_000_000]) == [1, 2]
    assert 1 not in m.by_amount and len(m.by_amount) == 2


def test_an_escrow_account_only_pays_its_project():
    # given two namesakes owing the same deposit, each in another project
    a = item(1, 1, names=("王芳",), amount="20000.00", kind="deposit")
    b = item(2, 2, names=("王芳",), amount="20000.00", kind="deposit")
    a.project, b.project = "P1", "P2"
    # when 王芳 pays 20,000 into the general account: two equal candidates, nothing allocated
    [general] = Matcher([a, b]).match([txn(payer="王芳", amount="20000.00")])
    assert general.level == "low" and general.allocations == []
    assert sorted(cid for cid, _ in general.candidates) == [1, 2]
    # when she pays into project P2's escrow account: only P2's contract can be paid
    escrow = BankTxn(key="e", date=date(2026, 3, 6), amount=D("20000.00"), counterparty="王芳", project="P2")
    [p] = Matcher([a, b]).match([escrow])
    assert p.allocations == [(2, D("20000.00"))] and p.contract_id == 2
    assert [cid for cid, _ in p.candidates] == [2]


def test_a_contract_number_of_another_project_is_not_paid_from_an_escrow_account():
    a = item(1, 1)
    a.project = "P1"
    [p] = Matcher([a]).match([BankTxn(key="e", date=date(2026, 3, 6), amount=D("50000.00"), counterparty="张三",
                                      memo="HT-2026-0001", project="P2")])
    assert p.allocations == [] and p.exception == "unidentified"


def test_batch_pool_is_the_escrow_accounts_project():
    # given loans of one bank in two projects, where 100+400 (P1) and 200+300 (P2) both sum to 500,000
    loans = _four_loans([date(2026, 3, 6)] * 4)
    for it, project in zip(loans, ["P1", "P1", "P2", "P2"], strict=True):
        it.project = project
    t = BankTxn(key="b", date=date(2026, 3, 6), amount=D("500000.00"), counterparty="招商银行上海分行", project="P2")
    [p] = Matcher(loans).match([t])
    # then only P2's set is possible: one subset, allocated
    assert sorted(p.allocations) == [(12, D("200000.00")), (13, D("300000.00"))]
    assert p.level == "high"


def test_a_payer_unlike_every_party_weighs_against_an_amount_only_candidate():
    # given one contract owing an unusual amount; 王五 (nothing like 张三) pays exactly that, no reference
    m = Matcher([item(1, 1, amount="123457.89")])
    [p] = m.match([txn(payer="王五", amount="123457.89")])
    # then the contract is only a candidate: −2.0 (other name) + 4.0 (exact) + 1.0 (due within 10 days) = 3.0
    # against the 6.0 of "none of them"
    assert p.level == "low" and p.allocations == []
    assert p.candidates == [(1, round(1 / (1 + math.exp(3.0)), 4))]
    assert any("not a party" in r for r in p.reasons)


def test_a_typo_of_a_name_that_exists_elsewhere_competes_on_the_amount():
    # given 苏红 owing a 100,000 deposit due now, and another customer 苏阳 owing a 1,200,000 down payment
    m = Matcher([item(1, 1, names=("苏红",), amount="100000.00", kind="deposit"),
                 item(2, 2, names=("苏阳",), amount="1200000.00", due=date(2026, 9, 1), unit="5栋1单元501")])
    # when 苏阳 (a typo of 苏红, and a real customer's name) pays exactly 100,000 with no reference
    [p] = m.match([txn(payer="苏阳", amount="100000.00")])
    # then the receivable of exactly that amount due now wins over a partial payment of the namesake, suggested
    assert p.allocations == [(1, D("100000.00"))] and p.level == "medium"


def test_overpayment_goes_to_the_installment_due_now_not_a_later_larger_one():
    # given equal installments, the last one a little larger (the rounding remainder)
    m = Matcher([item(1, 1, kind="installment", amount="100000.00", due=date(2026, 3, 5)),
                 item(2, 1, kind="installment", amount="100000.00", due=date(2026, 4, 5)),
                 item(3, 1, kind="installment", amount="100002.00", due=date(2026, 5, 5))])
    # when 102,000 arrives on 6 March
    [p] = m.match([txn(amount="102000.00", memo="HT-2026-0001")])
    # then the March installment is the one overpaid
    assert p.allocations == [(1, D("100000.00"))] and p.exception == "overpayment"


def test_a_unit_label_shared_by_many_projects_plans_only_the_payers_contracts():
    # given the label 3栋1单元1202 in twelve projects, and the payer 张三 a party of one of them
    others = [item(10 + i, 10 + i, names=(f"客户{i}",)) for i in range(11)]
    for n, it in enumerate(others):
        it.project = f"P{n}"
    mine = item(1, 1)
    mine.project = "P99"
    m = Matcher([mine, *others])
    # when 张三 pays 50,000 into the general account with the unit in the memo
    [p] = m.match([txn(memo="3栋1单元1202 房款")])
    # then his contract is auto-confirmed; the eleven others, far below, only count at their bound
    assert p.allocations == [(1, D("50000.00"))] and p.level == "high"
    assert [cid for cid, _ in p.candidates] == [1]


def test_the_index_is_frozen_for_the_collector_while_the_matcher_lives():
    import gc

    m = Matcher([item(1, 1)])
    m.match([txn(memo="HT-2026-0001")])
    assert gc.get_freeze_count() > 0
    del m
    gc.collect()
    assert gc.get_freeze_count() == 0


def test_bulk_groups_read_like_a_dict_of_lists():
    from huikuan.banking.matching.engine import _Groups

    g = _Groups(["a", "b", "a", "c"], [0, 1, 2, 3], ["w", "x", "y", "z"])
    assert g.get("a") == ["w", "y"] and g["b"] == ["x"] and g.get("nope") == ()
    assert g.count("a") == 2 and g.count("nope") == 0
    assert "c" in g and "d" not in g and sorted(g) == ["a", "b", "c"] and len(g) == 3
    # with a project code per entry: a lookup in a project sees that project's and those of no known project (0)
    p = _Groups(["a", "a", "a", "a", "b"], [0, 1, 2, 3, 4], ["p2", "p1", "none", "p1b", "p3"], [2, 1, 0, 1, 3])
    assert p.get("a") == ["none", "p1", "p1b", "p2"]  # sorted by project code, in arrival order within one
    assert p.get("a", code=1) == ["none", "p1", "p1b"] and p.count("a", code=2) == 2 and p.count("a") == 4
    assert p.get("b", code=1) == [] and p.get("b", code=3) == ["p3"] and p.get("a", code=-1) == ["none"]


def test_plain_chinese_names_take_the_fast_path_with_the_same_result():
    assert name_key("陳大文") == "陈大文" and name_key("张三") == "张三"
    assert name_key("某某置业有限公司") == "某某置业" and name_key("某某公司") == "某某"
    assert name_key("王 芳") == "王芳"
    from huikuan.banking.matching import contract_key

    assert contract_key("HT-2026-000123") == "2026000123" and contract_key("合同号２０２６-0012") == "20260012"


# ---- both cores: a helper process for the index, two processes for the matching -----------------------------


def _book(seed: int = 5, contracts: int = 1500, n_txns: int = 2500) -> tuple[list[OpenItem], list[BankTxn]]:
    """A generated book with namesakes, learnt payers, loans, escrow projects, and payments of every kind the
    engine tells apart (contract number, unit, name, relative, account, typo, split, duplicate, batch, none)."""
    import random
    from datetime import timedelta

    rng = random.Random(seed)

    def name() -> str:
        given = "".join(rng.choice("伟芳娜敏静丽强磊军洋") for _ in range(rng.randint(1, 2)))
        return rng.choice("王李张刘陈杨黄赵") + given

    items: list[OpenItem] = []
    by_contract: dict[int, list[OpenItem]] = {}
    for c in range(1, contracts + 1):
        parties = [name() for _ in range(rng.choice((1, 1, 2)))]
        accounts = {f"62{rng.randrange(10**8, 10**9)}"} if rng.random() < 0.4 else set()
        relatives = {name()} if rng.random() < 0.2 else set()
        bank = rng.choice(("中国建设银行", "招商银行")) if rng.random() < 0.4 else ""
        due = date(2026, 1, 1) + timedelta(days=rng.randrange(120))
        plan = [("deposit", rng.choice(("20000.00", "50000.00"))), ("down_payment", f"{rng.randrange(100, 900)}000.00")]
        if bank:
            plan.append(("mortgage_loan", f"{rng.randrange(200, 1500)}000.00"))
        for n, (kind, amount) in enumerate(plan):
            it = OpenItem(receivable_id=len(items) + 1, contract_id=c, contract_no=f"HT-2026-{c:04d}",
                          unit_labels=(f"{c % 30 + 1}栋1单元{1001 + c % 97}",), kind=kind,
                          due_date=due + timedelta(days=30 * n), outstanding=D(amount), party_names=parties,
                          known_payer_accounts=accounts, known_payer_names=relatives,
                          bank=bank if kind == "mortgage_loan" else "", project=f"P{c % 5}")
            items.append(it)
            by_contract.setdefault(c, []).append(it)
    txns: list[BankTxn] = []

    def pay(it: OpenItem, amount: Decimal, payer: str, memo: str = "", account: str = "", days: int = 0,
            project: object = None) -> None:
        txns.append(BankTxn(key=f"t{len(txns)}", date=it.due_date + timedelta(days=days), amount=amount,
                            counterparty=payer, counterparty_account=account, memo=memo, project=project))

    for _ in range(n_txns):
        it = rng.choice(items)
        c = by_contract[it.contract_id]
        payer = it.party_names[0]
        kind = rng.choice(("memo", "unit", "name", "relative", "account", "typo", "split", "duplicate", "batch",
                           "none", "escrow", "pinyin"))
        if kind == "memo":
            pay(it, it.outstanding, payer, f"{it.contract_no} 房款", days=rng.randint(-3, 8))
        elif kind == "unit":
            pay(it, it.outstanding, payer, f"{it.unit_labels[0]} 房款")
        elif kind == "name":
            pay(it, it.outstanding, payer, days=rng.randint(0, 5))
        elif kind == "relative" and it.known_payer_names:
            pay(it, it.outstanding, next(iter(it.known_payer_names)))
        elif kind == "account" and it.known_payer_accounts:
            pay(it, it.outstanding, name(), account=next(iter(it.known_payer_accounts)))
        elif kind == "typo" and len(payer) == 3:
            pay(it, it.outstanding, payer[:2] + rng.choice("伟芳娜"))
        elif kind == "split":
            half = (it.outstanding / 2).quantize(D("0.01"))
            pay(it, half, payer, days=1)
            pay(it, it.outstanding - half, payer, days=4)
        elif kind == "duplicate":
            pay(it, it.outstanding, payer, it.contract_no)
            pay(it, it.outstanding, payer, it.contract_no, days=1)
        elif kind == "batch":
            loans = [x for x in items if x.bank == "招商银行" and abs((x.due_date - it.due_date).days) <= 2][:3]
            if loans:
                txns.append(BankTxn(key=f"t{len(txns)}", date=it.due_date, amount=sum(x.outstanding for x in loans),
                                    counterparty="招商银行上海分行"))
        elif kind == "escrow":
            pay(it, it.outstanding, payer, project=it.project)
        elif kind == "pinyin":
            pay(it, it.outstanding, pinyin_of(payer).upper(), days=2)
        else:
            pay(it, D(f"{rng.randrange(1000, 99999)}.00"), name(), "转账")
    return items, txns


def _snapshot(m: Matcher) -> dict:
    """Every key index of a matcher as plain lists of contract ids (by key, in lookup order), and the loans."""
    groups = {name: {k: [c.id for c in getattr(m, name).get(k)] for k in getattr(m, name)}
              for name in ("by_contract_no", "by_unit", "by_name", "by_relative", "by_account")}
    return {**groups, "name_in_p1": {k: [c.id for c in m.by_name.get(k, (), m._code("P1"))] for k in m.by_name},
            "loans": {bank: [m._items[p].receivable_id for p in loans] for bank, loans in m._loans.items()},
            "loan_days": {bank: days.tolist() for bank, days in m._loan_days.items()},
            "loan_codes": {bank: codes.tolist() for bank, codes in m._loan_codes.items()},
            "amounts": m._amt_order.tolist(), "scoped": m._pk_order.tolist()}


def _fuzzy_snapshot(m: Matcher) -> dict:
    """The pinyin and one-typo indexes (name keys by key, in lookup order) and the pinyin noted for each name."""
    pinyin, masked = {k: m.by_pinyin.get(k) for k in m.by_pinyin}, {k: m.by_masked.get(k) for k in m.by_masked}
    assert pinyin and masked
    return {"pinyin": pinyin, "masked": masked, "pinyins": {k: m._pinyins.get(k) for k in m.by_name}}


def test_two_processes_give_the_proposals_of_one(monkeypatch):
    import os

    from huikuan.banking.matching import engine

    # given a generated book and its payments, matched in one process
    items, txns = _book()
    one = Matcher(items)
    serial = one.match(txns, processes=1)
    # when matched again in two processes, in windows small enough that the halves often read what the other wrote
    forks = []
    real_fork = os.fork

    def fork() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(engine, "PARALLEL_WINDOW", 40)
    monkeypatch.setattr(engine.os, "fork", fork)
    two = Matcher(items)
    parallel = two.match(txns, processes=2)
    # then a child matched half of them, and the proposals and what remains are those of the one process
    assert forks and two.rematched > 0
    assert parallel == serial
    assert two.remaining == one.remaining
    assert sum(p.level == "high" for p in serial) > len(serial) // 4  # a book the engine mostly places
    reasons = [" ".join(p.reasons) for p in serial]
    assert any(p.exception == "duplicate_payment" for p in serial) and any("N:1" in r for r in reasons)
    # the run needed the pinyin and one-typo indexes (in two processes: built one in each, then handed over)
    assert one._by_pinyin is not None and any("pinyin of a contract party" in r for r in reasons)
    for index in ("by_pinyin", "by_masked"):
        built_here, handed_over = getattr(one, index), getattr(two, index)
        assert {k: handed_over.get(k) for k in handed_over} == {k: built_here.get(k) for k in built_here}


def test_a_failed_child_leaves_the_rest_of_the_run_to_this_process(monkeypatch):
    import os

    from huikuan.banking.matching import engine

    items, txns = _book(seed=6, contracts=600, n_txns=1200)
    serial = Matcher(items).match(txns, processes=1)
    parent = os.getpid()
    real_send = engine._send
    sent = []

    def send(pipe: int, spool, value) -> None:
        if os.getpid() != parent:
            sent.append(1)
            if len(sent) > 3:  # the child dies after a few windows
                raise RuntimeError("child failure")
        real_send(pipe, spool, value)

    monkeypatch.setattr(engine, "PARALLEL_WINDOW", 40)
    monkeypatch.setattr(engine, "_send", send)
    assert Matcher(items).match(txns, processes=2) == serial


def _with_keys_helper(monkeypatch) -> list:
    """Every index built with the keys helper from now on (however small the book); the helper's first answers, in
    order, are noted in the list returned (None: it failed)."""
    from huikuan.banking.matching import engine, keys_helper

    monkeypatch.setattr(engine, "PARALLEL_INDEX_FROM", 1)
    monkeypatch.setattr(engine, "_cores", lambda: 2)
    answers: list = []
    real_result = keys_helper.KeysHelper.result

    def result(self):
        answers.append(real_result(self))
        return answers[-1]

    monkeypatch.setattr(keys_helper.KeysHelper, "result", result)
    return answers


def test_the_index_built_with_a_helper_process_is_the_index_built_alone(monkeypatch):
    import sys

    from huikuan.banking.matching import keys_helper

    items, _ = _book(seed=7, contracts=800, n_txns=0)
    items = items[:900] + items[1000:1100] + items[900:1000] + items[1100:]  # a contract's items in two runs
    alone = _snapshot(Matcher(items))
    fuzzy_alone = _fuzzy_snapshot(Matcher(items))
    answers = _with_keys_helper(monkeypatch)
    helped = Matcher(items)
    assert _snapshot(helped) == alone
    assert set(answers[-1]) == {"unit", "name"}  # the helper answered, and its parts made those indexes
    # its second answer: the pinyin and one-typo indexes, as this process would build them
    assert helped._helper is not None
    assert _fuzzy_snapshot(helped) == fuzzy_alone
    assert helped._helper is None  # taken, and the helper done with
    # when the helper fails (dies, answers nonsense), this process indexes what it would have
    for command in ([sys.executable, "-c", "raise SystemExit(3)"], [sys.executable, "-c", "print('no pickle')"]):
        monkeypatch.setattr(keys_helper, "COMMAND", command)
        asked = len(answers)
        assert _snapshot(Matcher(items)) == alone
        assert len(answers) == asked + 1 and answers[-1] is None
    # and when it cannot start (no such interpreter, none at all), everything is indexed here, as on one core
    for command in (["/nonexistent/python"], ["", "-c", "pass"]):
        monkeypatch.setattr(keys_helper, "COMMAND", command)
        assert keys_helper.KeysHelper().process is None
        asked = len(answers)
        assert _snapshot(Matcher(items)) == alone
        assert len(answers) == asked  # never asked
    # a helper that fails after its first answer: the pinyin and one-typo indexes are built here
    monkeypatch.setattr(keys_helper, "COMMAND", [sys.executable, "-c", (
        "import huikuan.banking.matching.engine as engine; engine._fuzzy_answer = None; "
        "from huikuan.banking.matching.keys_helper import main; main()")])
    helped = Matcher(items)
    assert set(answers[-1]) == {"unit", "name"} and helped._helper is not None
    assert _fuzzy_snapshot(helped) == fuzzy_alone and helped._helper is None


def test_the_helper_works_out_its_second_answer_before_its_first_is_read(monkeypatch, tmp_path):
    """The matcher reads the first answer only once it has indexed the rest; an answer larger than a pipe holds must
    not keep the helper from the pinyin and one-typo indexes meanwhile (it used to: they were then late)."""
    import pickle
    import sys
    import time

    from huikuan.banking.matching import engine, keys_helper

    items, _ = _book(seed=7, contracts=3000, n_txns=0)
    runs = engine._runs(items)
    firsts = engine._firsts(items, runs)
    request = engine._keys_request(firsts, engine._project_codes(firsts, {None: 0}))
    first_alone = engine._keys_answer(request)
    assert len(pickle.dumps(first_alone, protocol=pickle.HIGHEST_PROTOCOL)) > 1 << 17  # more than a pipe holds
    started = tmp_path / "second answer begun"
    monkeypatch.setattr(keys_helper, "COMMAND", [sys.executable, "-c", (
        "import pathlib, huikuan.banking.matching.engine as engine; fuzzy = engine._fuzzy_answer\n"
        "def noted(parts):\n"
        f"    pathlib.Path({str(started)!r}).touch()\n"
        "    return fuzzy(parts)\n"
        "engine._fuzzy_answer = noted\n"
        "from huikuan.banking.matching.keys_helper import main; main()")])
    helper = keys_helper.KeysHelper()
    try:
        helper.send(request)
        deadline = time.monotonic() + 20
        while not started.exists() and time.monotonic() < deadline and helper.process.poll() is None:
            time.sleep(0.02)
        assert started.exists()  # begun while its first answer, unread, filled the pipe
        first = helper.result()
        assert _parts_equal(first["unit"], first_alone["unit"]) and _parts_equal(first["name"], first_alone["name"])
        pinyins, _, _ = helper.fuzzy()
        assert len(pinyins) == len(first_alone["name"][0]) - (first_alone["name"][4] in first_alone["name"][0])
    finally:
        helper.close()


def _parts_equal(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(
        (x is None and y is None) or (isinstance(x, np.ndarray) and np.array_equal(x, y)) or x == y
        for x, y in zip(a, b, strict=True))


def test_the_helper_is_sent_every_label_and_name_as_it_is(monkeypatch):
    """Contracts with two unit labels or none, and a party name holding the NUL the request joins names with."""
    from huikuan.banking.matching import engine

    items, _ = _book(seed=9, contracts=300, n_txns=0)
    for it in items:
        if it.contract_id == 3:
            it.unit_labels = ("3栋1单元1202", "9栋2单元303")
        elif it.contract_id == 4:
            it.unit_labels = ()
        elif it.contract_id == 5:
            it.party_names = ["王\0伟", "李娜"]
    alone = _snapshot(Matcher(items))
    assert 3 in alone["by_unit"]["9-2-303"] and 3 in alone["by_unit"]["3-1-1202"]
    assert not any(4 in ids for ids in alone["by_unit"].values())
    answers = _with_keys_helper(monkeypatch)
    helped = Matcher(items)
    assert answers[-1] is not None
    assert _snapshot(helped) == alone
    assert [c.id for c in helped.by_name.get(engine.name_key("李娜"))].count(5) == 1


def test_small_runs_stay_in_one_process(monkeypatch):
    import os

    from huikuan.banking.matching import engine

    def no_fork() -> int:
        raise AssertionError("forked for a small run")

    monkeypatch.setattr(engine.os, "fork", no_fork)
    items, txns = _book(seed=8, contracts=200, n_txns=300)
    assert len(Matcher(items).match(txns)) == len(txns)
    assert os.fork is no_fork


def test_many_contract_numbers_and_accounts_normalise_as_one_does():
    from huikuan.banking.matching.engine import _account_key, _account_keys
    from huikuan.banking.matching.normalize import contract_code, contract_keys_and_codes

    numbers = ["HT-2026-0012", "合同号２０２６-0012", "", "HT 2025/7", "abc", "JJXF-2025-0003"]
    assert contract_keys_and_codes(numbers) == ([contract_key(n) for n in numbers],
                                                [contract_code(n) for n in numbers])
    ascii_only = numbers[:1] + numbers[2:]  # (in one translate each)
    assert contract_keys_and_codes(ascii_only) == (["20260012", "", "20257", "", "20250003"],
                                                   ["", "", "", "", "JJXF20250003"])
    assert contract_keys_and_codes(["HT-1", "ht-2"]) == (["1", "2"], ["", ""])
    written = ["6222 0000-1111", "ab12", ""]
    assert _account_keys(written) == ["622200001111", "AB12", ""]
    plain = ["6222", "ab12", "x9"]  # (upper-cased at once)
    assert _account_keys(plain) == [_account_key(a) for a in plain] == ["6222", "AB12", "X9"]


def test_accounts_and_relatives_index_each_contract_under_its_keys_none_under_an_empty_one():
    from huikuan.banking.matching.engine import _account_keys, _Groups, _keys_parts, _name_keys_of

    accounts = [{"6222 0000-1111"}, set(), {"ab12", "CD34"}, {""}]
    by_account = _Groups.of(_keys_parts(accounts, _account_keys), ["c0", "c1", "c2", "c3"])
    assert {k: by_account.get(k) for k in by_account} == {"622200001111": ["c0"], "AB12": ["c2"], "CD34": ["c2"]}
    cache: dict[str, str] = {}
    relatives = [("陳大文", "李 四"), (), ("陈大文",), ("··",)]
    by_relative = _Groups.of(_keys_parts(relatives, lambda names: _name_keys_of(names, cache)), ["a", "b", "c", "d"])
    assert {k: by_relative.get(k) for k in by_relative} == {"陈大文": ["a", "c"], "李四": ["a"]}
    assert cache["陳大文"] == "陈大文" and cache["··"] == ""


def test_the_one_typo_index_lists_each_name_under_each_of_its_masks():
    from huikuan.banking.matching.engine import _Groups, _masked_parts
    from huikuan.banking.matching.normalize import masked_keys

    # names of several lengths, latin ones (no masks), one too short, one with a NUL (masked one by one)
    names = ["张三丰", "张四丰", "欧阳娜娜", "李四", "zhangsan", "王\0五", "陈大文", "欧阳娜妮"]
    index = _Groups.of(_masked_parts(names), names)
    expected: dict[str, list[str]] = {}
    for name in names:
        for mask in masked_keys(name):
            expected.setdefault(mask, []).append(name)
    assert {mask: index.get(mask) for mask in index} == expected
    assert index.get("张?丰") == ["张三丰", "张四丰"] and index.get("王?五") == ["王\0五"]


def test_the_pinyin_table_is_pypinyins_first_reading_without_tones():
    from pypinyin.pinyin_dict import pinyin_dict

    from huikuan.banking.matching import normalize

    # read from pypinyin's data file: the same readings as its module, without importing the package
    assert normalize._pinyin_readings() == pinyin_dict
    table = normalize._pinyin_table()
    assert [table[ord(ch)] for ch in "张绿女"] == ["zhang", "lu", "nu"]
    assert table[ord("曾")] in ("ceng", "zeng") and normalize.pinyin_of("曾小明") == "zengxiaoming"
    assert normalize.pinyin_of(normalize.name_key("張三")) == "zhangsan"


def test_runs_in_due_order_are_told_apart_from_runs_that_need_sorting():
    import random

    import numpy as np

    from huikuan.banking.matching.engine import _in_due_order

    rng = random.Random(11)
    for _ in range(500):
        days = [rng.randrange(5) for _ in range(rng.randint(1, 12))]
        starts = sorted({0, *rng.sample(range(len(days)), rng.randint(0, len(days) - 1))})
        ends = [*starts[1:], len(days)]
        expected = [all(days[i] <= days[i + 1] for i in range(a, b - 1)) for a, b in zip(starts, ends, strict=True)]
        assert _in_due_order(np.array(days, dtype=np.int64), starts) == expected


def test_a_book_with_nothing_open_indexes_and_matches_nothing():
    m = Matcher([])
    assert not m.contracts and not m.by_unit and not m.by_name
    p = m.match([BankTxn("t1", date(2026, 3, 5), Decimal("100.00"), "张三", memo="HT-2026-0001")])[0]
    assert p.allocations == [] and p.level == "low"

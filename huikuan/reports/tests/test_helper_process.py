"""The forked helper that runs a second pass of receivables.balances on the other core (no database here)."""

from decimal import Decimal as D

import pytest


def test_a_forked_helper_hands_back_its_result_or_says_it_failed():
    # given a helper process computing per-project facts, and one that fails
    from huikuan.reports.measures.ledger import _Helper

    good = _Helper(lambda: {7: [D("1.10"), D("0.00")]})
    bad = _Helper(lambda: 1 / 0)
    # then
    assert good.result() == {7: [D("1.10"), D("0.00")]}
    with pytest.raises(RuntimeError, match="helper process"):
        bad.result()

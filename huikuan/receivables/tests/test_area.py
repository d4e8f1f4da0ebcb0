"""Area settlement under the Measures art. 20 default and the contract rules."""

from decimal import Decimal as D

import pytest

from huikuan.receivables.area import settle_area

PRICE, AREA = D("1000000.00"), D("100.00")   # 10,000 yuan per m²


def test_within_three_percent_settles_the_whole_difference_at_unit_price():
    result = settle_area(PRICE, AREA, D("102.50"))
    assert (result.amount, result.buyer_may_cancel, result.error_ratio) == (D("25000.00"), False, D("0.025000"))


def test_exactly_three_percent_is_still_within_the_band():
    assert settle_area(PRICE, AREA, D("97.00")).amount == D("-30000.00")
    assert settle_area(PRICE, AREA, D("103.00")).buyer_may_cancel is False


def test_larger_beyond_band_buyer_pays_only_up_to_three_percent():
    result = settle_area(PRICE, AREA, D("105.00"))
    assert (result.amount, result.buyer_may_cancel) == (D("30000.00"), True)


def test_smaller_beyond_band_refund_doubles_beyond_three_percent():
    # 5 m² short: 3 m² × 10,000 + 2 m² × 20,000 = 70,000 refunded
    result = settle_area(PRICE, AREA, D("95.00"))
    assert (result.amount, result.buyer_may_cancel) == (D("-70000.00"), True)


def test_contract_rules_pro_rata_and_fixed_price():
    assert settle_area(PRICE, AREA, D("105.00"), rule="pro_rata").amount == D("50000.00")
    assert settle_area(PRICE, AREA, D("105.00"), rule="fixed_price").amount == D("0.00")


def test_unrounded_unit_price_keeps_cents_exact():
    # 1,234,567.89 / 89.37 m² is not a whole number of cents per m²
    result = settle_area(D("1234567.89"), D("89.37"), D("90.00"))
    assert result.amount == D("8702.90")   # 0.63 × 13814.1198… = 8702.8955… → 8702.90


def test_areas_must_be_positive():
    with pytest.raises(ValueError):
        settle_area(PRICE, D("0"), D("10"))

"""Area settlement (面积补差). Pure.

Default rule — Measures for the Administration of Sales of Commodity Housing (商品房销售管理办法),
art. 20, where the contract states no rule of its own. With error ratio
r = (registered − contract area) / contract area and band b (3 %):

* |r| ≤ b: the whole difference settles at the contract unit price (price / contract area);
* |r| > b: the buyer may cancel (refund of everything paid, with interest, within 30 days);
  if the buyer keeps the unit —
  * larger area: the buyer pays for the part within b; the developer bears the rest;
  * smaller area: the developer refunds the part within b at the unit price and the part beyond b
    at double the unit price.

Other contract rules: `pro_rata` (the whole difference at the unit price, no band) and
`fixed_price` (priced per unit, nothing to settle).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from huikuan.core.money import ZERO, quantize

STATUTORY, PRO_RATA, FIXED_PRICE = "statutory", "pro_rata", "fixed_price"


@dataclass(frozen=True)
class AreaSettlementResult:
    error_ratio: Decimal      # signed, six places
    unit_price: Decimal       # per m², to the cent
    amount: Decimal           # + the buyer pays, − the developer refunds
    buyer_may_cancel: bool
    within_band_area: Decimal
    beyond_band_area: Decimal


def settle_area(price: Decimal, contract_area: Decimal, registered_area: Decimal, *,
                rule: str = STATUTORY, band: Decimal = Decimal("0.03")) -> AreaSettlementResult:
    if contract_area <= ZERO or registered_area <= ZERO:
        raise ValueError("areas must be positive")
    diff = registered_area - contract_area
    ratio = (diff / contract_area).quantize(Decimal("0.000001"))
    unit_price = price / contract_area               # kept exact; rounded only in the result
    shown_unit_price = quantize(unit_price)
    if rule == FIXED_PRICE or diff == ZERO:
        return AreaSettlementResult(ratio, shown_unit_price, ZERO, False, ZERO, ZERO)
    if rule == PRO_RATA:
        return AreaSettlementResult(ratio, shown_unit_price, quantize(diff * unit_price), False, abs(diff), ZERO)
    if rule != STATUTORY:
        raise ValueError(f"unknown area rule {rule!r}")
    band_area = contract_area * band
    exact_ratio = diff / contract_area
    if abs(exact_ratio) <= band:
        return AreaSettlementResult(ratio, shown_unit_price, quantize(diff * unit_price), False, abs(diff), ZERO)
    beyond = abs(diff) - band_area
    if diff > ZERO:
        amount = quantize(band_area * unit_price)  # the buyer pays only up to the band
    else:
        amount = -quantize(band_area * unit_price + beyond * unit_price * 2)
    return AreaSettlementResult(ratio, shown_unit_price, amount, True, band_area, beyond)

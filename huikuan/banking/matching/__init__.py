"""Matching engine (pure, no Django): bank transactions → receivables. See docs/statements.md."""

from .engine import Matcher, match_disbursement_list, match_transactions, propose_batch, subset_sums
from .model import BankTxn, DisbursementRow, MatchProposal, OpenItem
from .normalize import contract_key, contract_keys_in, name_key, pinyin_of, unit_keys_in

__all__ = [
    "BankTxn", "DisbursementRow", "MatchProposal", "Matcher", "OpenItem", "contract_key", "contract_keys_in",
    "match_disbursement_list", "match_transactions", "name_key", "pinyin_of", "propose_batch", "subset_sums",
    "unit_keys_in",
]

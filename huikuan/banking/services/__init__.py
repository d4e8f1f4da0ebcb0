"""Every write of the banking app: statement import, auto-matching, review decisions.

- `importing.import_statement` — a file into an account, all or nothing, idempotent;
- `reconciliation.reconcile` — the engine over unmatched transactions, auto-allocating the sure ones;
- `review.confirm / split / reject / unmatch / write_off_difference / refund_excess` — a person's decisions;
- `review.settling` — what is left to settle after an allocated match (a small difference, credit);
- `disbursements.place_by_list` (`import_disbursement_list` + `match_disbursement`) — a bank's batch mortgage
  transfer list;
- `jobs.run_import_job` — the background import the upload page follows; `jobs.retry_with_mapping` — a failed
  one again, with the columns a person mapped; `jobs.purge_failed_uploads` — the files of those not retried;
- `accounts.update_account` — an account's name, bank, project and escrow flag.
"""

"""Every write of the banking app: statement import, auto-matching, review decisions.

- `importing.import_statement` — a file into an account, all or nothing, idempotent;
- `reconciliation.reconcile` — the engine over unmatched transactions, auto-allocating the sure ones;
- `review.confirm / split / reject / unmatch / write_off_difference / refund_excess` — a person's decisions;
- `disbursements.import_disbursement_list / match_disbursement` — a bank's batch mortgage transfer list;
- `jobs.run_import_job` — the background import the upload page follows.
"""

"""REST API for the receivables ledger: reads are row-scoped, writes call receivables.services only."""

"""REST API for contracts: row-scoped reads, balance, plan, and the money actions on a contract."""

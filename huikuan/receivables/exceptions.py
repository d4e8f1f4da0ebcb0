class LedgerError(Exception):
    """A money-moving request that cannot be carried out; the message says why."""


class ApprovalError(LedgerError):
    pass

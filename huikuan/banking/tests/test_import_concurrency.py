"""Two imports of the same (or overlapping) statement at the same moment never count a line twice.
PostgreSQL only: the unique (account, key) and (account, file hash) constraints decide the race."""

import pytest

from huikuan.banking.models import BankAccount, BankTransaction, Statement
from huikuan.banking.services.importing import import_statement
from huikuan.testing.concurrency import run_together
from huikuan.testing.services import require_postgres

from .statement_files import MARCH_1_5, MARCH_5_9, csv_statement, without_references

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 5


def test_two_imports_of_the_same_file_at_once_store_each_line_once():
    require_postgres()
    for n in range(ROUNDS):
        account = f"ACCSAME{n}"
        data = csv_statement(MARCH_1_5, account=account)
        # when two clerks import the same file into an unknown account at the same instant
        outcomes = run_together(
            lambda d=data, a=account: import_statement(actor=None, source=d, filename="a.csv", account_no=a),
            lambda d=data, a=account: import_statement(actor=None, source=d, filename="a.csv", account_no=a),
        )
        # then both succeed, one of them finds the file already imported, and every line is there once
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        assert sorted(o.already_imported for o in outcomes) == [False, True]
        assert BankAccount.objects.filter(account_no=account).count() == 1
        assert Statement.objects.filter(account__account_no=account).count() == 1
        assert BankTransaction.objects.filter(account__account_no=account).count() == 3


def test_two_overlapping_statements_at_once_store_the_shared_line_once():
    require_postgres()
    for n in range(ROUNDS):
        account = f"ACCOVER{n}"
        first, second = csv_statement(MARCH_1_5, account=account), csv_statement(MARCH_5_9, account=account)
        # when the 1–5 and the 5–9 March statements (sharing the line of the 5th) are imported at once
        outcomes = run_together(
            lambda d=first, a=account: import_statement(actor=None, source=d, filename="1-5.csv", account_no=a),
            lambda d=second, a=account: import_statement(actor=None, source=d, filename="5-9.csv", account_no=a),
        )
        # then the four distinct lines are stored once each, and the new counts add up to four
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        assert sorted(BankTransaction.objects.filter(account__account_no=account).values_list("key", flat=True)) == [
            "B001", "B002", "B003", "B004"]
        assert sum(o.new for o in outcomes) == 4


def test_the_same_days_exported_two_ways_and_imported_at_once_are_stored_once():
    require_postgres()
    for n in range(ROUNDS):
        account = f"ACCTWICE{n}"
        BankAccount.objects.create(account_no=account)
        with_refs = csv_statement(MARCH_1_5, account=account)
        without = without_references(MARCH_1_5, account=account)
        # when the bank's CSV and another export of the same days (other keys) are imported at the same instant
        outcomes = run_together(
            lambda d=with_refs, a=account: import_statement(actor=None, source=d, filename="a.csv", account_no=a),
            lambda d=without, a=account: import_statement(actor=None, source=d, filename="b.csv", account_no=a),
        )
        # then the imports take the account in turn: the second sees the first's lines, and each is stored once
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        assert BankTransaction.objects.filter(account__account_no=account).count() == 3
        assert sorted(o.new for o in outcomes) == [0, 3]

"""The same lines of an account exported twice in different ways (other keys) are not stored twice."""

from decimal import Decimal as D

import pytest

from huikuan.banking.models import BankTransaction
from huikuan.banking.services.importing import import_statement

from .statement_files import MARCH_1_5, csv_statement, without_references

pytestmark = pytest.mark.django_db

ACCOUNT = "6222000011112222"


def mt940(rows) -> bytes:
    """The same lines as the account's MT940 (balances only at the end of the day's statement)."""
    out = [":20:STMT", f":25:{ACCOUNT}", ":28C:1/1", ":60F:C260301CNY100000,00"]
    for day, income, expense, _, payer, _, memo, _ in rows:
        mark, value = ("C", income) if income else ("D", expense)
        yymmdd = day[2:].replace("-", "")
        out += [f":61:{yymmdd}{yymmdd[2:]}{mark}{value.replace('.', ',')}NTRFNONREF", f":86:/NAME/{payer}/ {memo}"]
    out += [":62F:C260305CNY152988,00", "-"]
    return ("\n".join(out) + "\n").encode()


def test_the_same_lines_exported_without_references_are_not_stored_again():
    # given March 1–5 imported from the bank's CSV with its references
    first = import_statement(actor=None, source=csv_statement(MARCH_1_5), filename="march.csv", account_no=ACCOUNT)
    # when the same days come again from another export, with no reference column (so other keys)
    again = import_statement(actor=None, source=without_references(MARCH_1_5), filename="march-export.csv",
                             account_no=ACCOUNT)
    # then nothing is added, and each line says which stored line it is
    assert (first.new, again.new, again.duplicates) == (3, 0, 3)
    assert BankTransaction.objects.count() == 3
    assert "line 3: the same line as line 4 of march.csv (2026-03-02, 50000.00, balance 150000.00) under another " \
           "reference: not stored again" in again.warnings


def test_a_statement_that_gives_a_balance_only_at_the_end_of_the_day_is_checked_on_that_line():
    # given the CSV imported, then the same days as MT940, whose last line carries the day's closing balance
    import_statement(actor=None, source=csv_statement(MARCH_1_5), filename="march.csv", account_no=ACCOUNT)
    again = import_statement(actor=None, source=mt940(MARCH_1_5), filename="march.sta", account_no=ACCOUNT)
    # then the line with the balance is recognised; the two without one are left to their keys (stored: nothing
    # on them tells them from two other payments of the same amount that day)
    assert again.new == 2
    assert [w for w in again.warnings if "not stored again" in w] == [
        "line 9: the same line as line 6 of march.csv (2026-03-05, 3000.50, balance 152988.00) under another "
        "reference: not stored again"]


def test_a_line_of_the_same_day_and_amount_with_another_balance_is_a_line_of_its_own():
    import_statement(actor=None, source=csv_statement(MARCH_1_5), filename="march.csv", account_no=ACCOUNT)
    # a second 3,000.50 on 5 March, after the first: the balance has moved on
    later = [("2026-03-05", "3000.50", "", "155988.50", "李四", "6222000011112222", "3栋1202", "")]
    again = import_statement(actor=None, source=without_references(later), filename="march-5.csv",
                             account_no=ACCOUNT)
    assert again.new == 1 and not [w for w in again.warnings if "not stored again" in w]


def test_an_account_back_at_the_same_figure_the_same_day_keeps_each_of_its_lines():
    # given +100, −100, +100 on one day: the first and third lines share date, amount and balance
    day = [("2026-03-06", "100.00", "", "153088.00", "王五", "", "定金", "R1"),
           ("2026-03-06", "", "100.00", "152988.00", "王五", "", "退定金", "R2"),
           ("2026-03-06", "100.00", "", "153088.00", "王五", "", "定金", "R3")]
    import_statement(actor=None, source=csv_statement(day), filename="day.csv", account_no=ACCOUNT)
    # when another export of that day comes (no references)
    again = import_statement(actor=None, source=without_references(day), filename="day-export.csv",
                             account_no=ACCOUNT)
    # then each of its three lines is one stored line: none added, none counted twice against one stored line
    assert again.new == 0 and BankTransaction.objects.count() == 3
    # and a file with a fourth such line adds exactly that one
    more = without_references([*day, day[1], day[2]], memo_suffix=" 补")
    assert import_statement(actor=None, source=more, filename="day-more.csv", account_no=ACCOUNT).new == 2
    assert sorted(BankTransaction.objects.values_list("amount", flat=True)) == [D("-100.00")] * 2 + [D("100.00")] * 3

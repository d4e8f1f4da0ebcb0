"""Statement import: idempotent, overlapping files add only new lines, gaps flagged, all or nothing."""

import json
from datetime import UTC, datetime
from decimal import Decimal as D
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from huikuan.banking.choices import StatementStatus
from huikuan.banking.models import BankAccount, BankTransaction, Statement
from huikuan.banking.services.importing import import_statement
from huikuan.banking.statements import ColumnMapping, StatementError, parse_statement
from huikuan.core.models import AuditEvent
from huikuan.testing.factories import staff

from .statement_files import MARCH_1_5, MARCH_5_9, csv_statement

pytestmark = pytest.mark.django_db

ACCOUNT = "6222000011112222"
OTHER = "6222000099998888"


def test_first_import_creates_the_account_with_a_warning_and_stores_every_line():
    # given an account number nobody has set up
    clerk = staff()
    # when a statement is imported into it
    outcome = import_statement(actor=clerk, source=csv_statement(MARCH_1_5), filename="march.csv", account_no=ACCOUNT)
    # then the account exists, the warning says so, and the three lines are stored as printed
    assert outcome.account_created and "was not known" in outcome.warnings[0]
    assert BankAccount.objects.get().account_no == ACCOUNT
    rows = list(BankTransaction.objects.order_by("line_no").values_list("key", "amount", "direction", "balance"))
    assert rows == [("B001", D("50000.00"), "credit", D("150000.00")), ("B002", D("-12.50"), "debit", D("149987.50")),
                    ("B003", D("3000.50"), "credit", D("152988.00"))]
    statement = Statement.objects.get()
    assert (statement.rows_total, statement.rows_new, statement.status) == (3, 3, StatementStatus.IMPORTED)
    assert (str(statement.period_start), str(statement.period_end)) == ("2026-03-02", "2026-03-05")
    assert AuditEvent.objects.filter(action="statement.imported").count() == 1


def test_re_importing_the_same_file_adds_nothing():
    # given a statement already imported
    import_statement(actor=None, source=csv_statement(MARCH_1_5), filename="march.csv", account_no=ACCOUNT)
    # when the very same file is imported again
    again = import_statement(actor=None, source=csv_statement(MARCH_1_5), filename="copy.csv", account_no=ACCOUNT)
    # then it is recognised and nothing is added
    assert again.already_imported and again.new == 0
    assert (Statement.objects.count(), BankTransaction.objects.count()) == (1, 3)


def test_the_command_says_when_the_file_was_imported_in_china_time(tmp_path):
    # given a file the command imported once
    path = tmp_path / "march.csv"
    path.write_bytes(csv_statement(MARCH_1_5))
    call_command("import_statement", str(path), "--account", ACCOUNT, stdout=StringIO(), stderr=StringIO())
    statement = Statement.objects.get()
    statement.imported_at = datetime(2026, 3, 5, 16, 30, tzinfo=UTC)  # 00:30 the next day in Beijing
    statement.save(update_fields=["imported_at"])
    # when it is imported again / then the message gives the business time of the first import
    out = StringIO()
    call_command("import_statement", str(path), "--account", ACCOUNT, stdout=out, stderr=StringIO())
    assert f"already imported into {ACCOUNT} on 2026-03-06 00:30; nothing added" in out.getvalue()


def test_an_overlapping_statement_adds_only_its_new_lines():
    # given the statement of 2–5 March imported
    import_statement(actor=None, source=csv_statement(MARCH_1_5), filename="1-5.csv", account_no=ACCOUNT)
    # when the statement of 5–9 March (which repeats the line of the 5th) is imported
    outcome = import_statement(actor=None, source=csv_statement(MARCH_5_9), filename="5-9.csv", account_no=ACCOUNT)
    # then only the 9 March line is new
    assert (outcome.total, outcome.new, outcome.duplicates) == (2, 1, 1)
    assert sorted(BankTransaction.objects.values_list("key", flat=True)) == ["B001", "B002", "B003", "B004"]
    assert BankTransaction.objects.get(key="B003").statement.file_name == "1-5.csv"


def test_lines_without_a_bank_reference_are_keyed_by_content_and_repeat_count():
    # given a statement with two identical lines and no references
    same = ("2026-03-02", "100.00", "", "", "张三", "", "定金", "")
    data = csv_statement([same, same])
    # when it is imported twice
    first = import_statement(actor=None, source=data, filename="a.csv", account_no=ACCOUNT)
    again = import_statement(actor=None, source=data + b"\n", filename="b.csv", account_no=ACCOUNT)
    # then both identical lines are kept once each, and the second file adds nothing
    assert (first.new, again.new, again.already_imported) == (2, 0, False)
    keys = list(BankTransaction.objects.values_list("key", flat=True))
    assert len(set(keys)) == 2 and all(k.startswith("h:") for k in keys)


def test_a_balance_gap_is_flagged_on_the_statement_and_printed():
    # given a statement where the line of the 3rd (−12.50) is missing
    rows = [MARCH_1_5[0], MARCH_1_5[2]]
    path_stdout, path_stderr = StringIO(), StringIO()
    # when it is imported through the command
    from tempfile import NamedTemporaryFile

    with NamedTemporaryFile(suffix=".csv") as f:
        f.write(csv_statement(rows))
        f.flush()
        call_command("import_statement", f.name, "--account", ACCOUNT, "--no-progress", stdout=path_stdout,
                     stderr=path_stderr)
    # then the gap is stored on the statement, which needs review, and the command says so
    statement = Statement.objects.get()
    assert statement.status == StatementStatus.NEEDS_REVIEW
    assert len(statement.gaps) == 1 and "balance 152988.00 but 153000.50 expected" in statement.gaps[0]
    assert "balance gap: line 5" in path_stderr.getvalue()
    assert "1 balance gap(s)" in path_stdout.getvalue()


def test_a_bad_file_writes_nothing_and_exits_2(tmp_path):
    # given a statement whose second line has an amount but no readable date
    bad = csv_statement([MARCH_1_5[0], ("2026-13-45", "10.00", "", "", "x", "", "", "B9")])
    path = tmp_path / "bad.csv"
    path.write_bytes(bad)
    err = StringIO()
    # when it is imported
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_statement", str(path), "--account", ACCOUNT, "--no-progress", stderr=err)
    # then the command fails with status 2 and the engine's message, and nothing was written, not even the account
    assert exit_info.value.code == 2
    assert "bad.csv: line 5" in err.getvalue() and "nothing was imported" in err.getvalue()
    assert (BankAccount.objects.count(), Statement.objects.count(), BankTransaction.objects.count()) == (0, 0, 0)


def test_a_binary_file_is_refused_by_the_service_too():
    # given garbage bytes; when imported; then the engine's error, and no rows
    with pytest.raises(StatementError, match="unrecognised file"):
        import_statement(actor=None, source=b"\x00\x01\x02" * 500, filename="x.bin", account_no=ACCOUNT)
    assert BankAccount.objects.count() == 0


def test_a_mapping_given_once_is_saved_on_the_account_and_reused():
    # given a file whose headers detection cannot read
    data = "when;how much;who;ref\n02.03.2026;1000.00;张三;M1\n".encode()
    mapping = ColumnMapping(columns={"date": "when", "amount": "how much", "counterparty": "who", "bank_ref": "ref"},
                            date_format="%d.%m.%Y", amount_convention="signed")
    # when it is imported once with the mapping, then a later file without one
    import_statement(actor=None, source=data, filename="a.csv", account_no=ACCOUNT, mapping=mapping)
    later = "when;how much;who;ref\n03.03.2026;2000.00;李四;M2\n".encode()
    outcome = import_statement(actor=None, source=later, filename="b.csv", account_no=ACCOUNT)
    # then the saved mapping read the second file
    assert BankAccount.objects.get().column_mapping["columns"]["amount"] == "how much"
    assert outcome.new == 1 and BankTransaction.objects.get(key="M2").amount == D("2000.00")


def test_a_saved_mapping_that_no_longer_fits_gives_way_to_detection_with_a_warning():
    # given an account whose saved mapping reads the bank's old export
    old = "when;how much;who;ref\n02.03.2026;1000.00;张三;M1\n".encode()
    mapping = ColumnMapping(columns={"date": "when", "amount": "how much", "counterparty": "who", "bank_ref": "ref"},
                            date_format="%d.%m.%Y", amount_convention="signed")
    import_statement(actor=None, source=old, filename="a.csv", account_no=ACCOUNT, mapping=mapping)
    # when the bank's new export comes, with headers detection knows
    new = csv_statement(MARCH_1_5, account=ACCOUNT)
    outcome = import_statement(actor=None, source=new, filename="b.csv", account_no=ACCOUNT)
    # then its lines are read by detection, and the warning says the saved mapping did not fit
    assert outcome.new == 3
    assert outcome.warnings[0].startswith("the column mapping saved on the account does not fit this file (no line "
                                          "has all the mapped headers: how much, ref, when, who): its columns were "
                                          "detected instead")


def test_a_saved_mapping_that_fits_the_columns_keeps_a_bad_line_an_error():
    # given the saved mapping, and a file of its layout with an amount that is not one
    mapping = ColumnMapping(columns={"date": "when", "amount": "how much", "counterparty": "who", "bank_ref": "ref"},
                            date_format="%d.%m.%Y", amount_convention="signed")
    import_statement(actor=None, source="when;how much;who;ref\n02.03.2026;1000.00;张三;M1\n".encode(),
                     filename="a.csv", account_no=ACCOUNT, mapping=mapping)
    bad = "when;how much;who;ref\n03.03.2026;1,00.00;李四;M2\n".encode()
    # then the line's error stands (no second reading of the file)
    with pytest.raises(StatementError, match="line 2"):
        import_statement(actor=None, source=bad, filename="b.csv", account_no=ACCOUNT)


def test_the_command_reads_a_mapping_file(tmp_path):
    # given a mapping file and a statement only it can read
    (tmp_path / "m.json").write_text(json.dumps({"columns": {"date": 0, "amount": 1}, "date_format": "%d.%m.%Y",
                                                 "amount_convention": "signed", "header_line": 1}))
    (tmp_path / "s.csv").write_text("a;b\n02.03.2026;1000.00\n")
    out = StringIO()
    # when imported with --mapping
    call_command("import_statement", str(tmp_path / "s.csv"), "--account", "A-1", "--mapping",
                 str(tmp_path / "m.json"), "--no-progress", stdout=out, stderr=StringIO())
    # then the line is in
    assert "1 new" in out.getvalue()
    assert BankTransaction.objects.get().amount == D("1000.00")


@pytest.mark.parametrize("fixture", ["wechat_bill.csv", "alipay_bill.csv", "icbc_corporate_gbk.csv", "boc_drcr.csv"])
def test_each_stored_line_is_the_parsed_line(fixture):
    # given a statement file (neutral wallet lines, padded cells, balances, Dr/Cr marks)
    data = (Path(__file__).parent / "fixtures" / fixture).read_bytes()
    parsed = parse_statement(data, filename=fixture).transactions
    # when it is imported
    outcome = import_statement(actor=None, source=data, filename=fixture, account_no=ACCOUNT)
    # then every line is stored, with exactly the values the parser read
    fields = ("date", "amount", "currency", "counterparty", "counterparty_account", "memo", "balance", "bank_ref",
              "direction", "line_no", "confidence")
    stored = list(BankTransaction.objects.order_by("line_no").values_list(*fields, "needs_review", "statement"))
    assert outcome.new == len(parsed) == len(stored) > 0
    assert stored == [(*(getattr(t, f) for f in fields), False, outcome.statement.pk) for t in parsed]
    assert all(row.account.account_no == ACCOUNT for row in BankTransaction.objects.select_related("account"))


def test_progress_is_reported_per_chunk_of_lines():
    # given a statement of 1,201 lines
    lines = [(f"2026-03-{1 + i % 28:02d}", f"{i + 1}.00", "", "", "张三", "", "", f"R{i}") for i in range(1201)]
    seen = []
    # when it is imported with a progress callback
    outcome = import_statement(actor=None, source=csv_statement(lines), filename="big.csv", account_no=ACCOUNT,
                               progress=lambda done, total: seen.append((done, total)))
    # then progress starts at 0, rises per chunk of 500 lines, and ends with all of them
    assert seen == [(0, 1201), (500, 1201), (1000, 1201), (1201, 1201)]
    assert outcome.new == BankTransaction.objects.count() == 1201


def test_a_line_whose_amount_is_not_a_number_writes_nothing(monkeypatch):
    # given a parser that (by some future format's mistake) hands over a NaN amount on line 7
    from datetime import date

    from huikuan.banking.services import importing
    from huikuan.banking.statements import ParseResult, Transaction

    bad = ParseResult(format="csv", transactions=[Transaction(date=date(2026, 3, 2), amount=D("NaN"), line_no=7)])
    monkeypatch.setattr(importing, "parse_statement", lambda *args, **kwargs: bad)
    # when it is imported / then the error names the file and the line, and nothing is written
    with pytest.raises(StatementError, match="not a number") as err:
        import_statement(actor=None, source=b"anything", filename="odd.csv", account_no=ACCOUNT)
    assert (err.value.filename, err.value.line) == ("odd.csv", 7)
    assert (BankAccount.objects.count(), Statement.objects.count(), BankTransaction.objects.count()) == (0, 0, 0)


def test_several_files_are_imported_each_whole_with_a_bad_one_handed_back(tmp_path, monkeypatch):
    from huikuan.banking.services import importing
    from huikuan.banking.services.importing import import_statements

    # given three statement files of two accounts, the middle one unreadable
    paths = []
    for name, content in (("first.csv", csv_statement(MARCH_1_5)), ("bad.csv", b"\x00\x01\x02" * 500),
                          ("second.csv", csv_statement(MARCH_5_9, account=OTHER))):
        paths.append(tmp_path / name)
        paths[-1].write_bytes(content)
    forks = []
    real = importing.results_in_child

    def counting(*args, **kwargs):
        forks.append(kwargs.get("apart"))
        return real(*args, **kwargs, apart=True)  # parsed in a child, whatever the machine

    monkeypatch.setattr(importing, "results_in_child", counting)
    # when they are imported at once, the first and the bad one into one account, the last into another
    outcomes = list(import_statements(actor=None, files=[(paths[0], ACCOUNT), (paths[1], ACCOUNT), (paths[2], OTHER)]))
    # then each file has its outcome, in order: the bad one its error (nothing of it written), the others stored
    assert forks == [None] and [path.name for path, _ in outcomes] == ["first.csv", "bad.csv", "second.csv"]
    first, bad, second = (outcome for _, outcome in outcomes)
    assert isinstance(bad, StatementError) and "unrecognised file" in str(bad)
    assert (first.new, second.new) == (3, 2)
    assert sorted(Statement.objects.values_list("file_name", "account__account_no")) == [
        ("first.csv", ACCOUNT), ("second.csv", OTHER)]
    assert BankTransaction.objects.filter(account__account_no=ACCOUNT).count() == 3


def test_a_folder_of_statements_one_per_account_from_the_command(tmp_path):
    # given two statements named by their accounts and one broken file
    (tmp_path / "6222000000000001.csv").write_bytes(csv_statement(MARCH_1_5))
    (tmp_path / "6222000000000002.csv").write_bytes(csv_statement(MARCH_5_9))
    (tmp_path / "6222000000000003.csv").write_bytes(b"\x00\x01\x02" * 500)
    out, err = StringIO(), StringIO()
    # when the three are imported at once, each into the account its name gives
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_statement", *sorted(str(p) for p in tmp_path.glob("*.csv")), "--account-from-name",
                     "--no-progress", stdout=out, stderr=err)
    # then the two good ones are stored in their accounts, the broken one is reported, and the status is 2
    assert exit_info.value.code == 2
    assert sorted(Statement.objects.values_list("account__account_no", "rows_new")) == [
        ("6222000000000001", 3), ("6222000000000002", 2)]
    assert "6222000000000001.csv (csv) → 6222000000000001: 3 line(s), 3 new" in out.getvalue()
    assert "6222000000000003.csv: nothing was imported." in err.getvalue()
    assert "1 of 3 file(s) not imported." in err.getvalue()


def test_an_account_number_typed_with_spaces_or_dashes_is_the_same_account():
    # given a statement imported into an account whose number was typed with spaces
    first = import_statement(actor=None, source=csv_statement(MARCH_1_5), filename="march.csv",
                             account_no="6222 0000-1111 2222")
    # when the same file is imported under the number as printed, and one with full-width digits
    again = import_statement(actor=None, source=csv_statement(MARCH_1_5), filename="march.csv", account_no=ACCOUNT)
    later = import_statement(actor=None, source=csv_statement(MARCH_5_9), filename="later.csv",
                             account_no="６２２２００００１１１１２２２２")
    # then there is one account, and no line was stored twice
    assert first.account_created and not again.account_created and again.already_imported
    assert not later.account_created and later.new == 1
    assert list(BankAccount.objects.values_list("account_no", flat=True)) == [ACCOUNT]
    assert BankTransaction.objects.count() == 4
    assert BankAccount.objects.numbered("6222-0000-1111-2222").get().account_no == ACCOUNT


def test_a_file_naming_another_known_account_is_refused_and_writes_nothing():
    # given two accounts known here, and a statement whose preamble names the first
    import_statement(actor=None, source=csv_statement(MARCH_1_5[:1]), filename="a.csv", account_no=ACCOUNT)
    BankAccount.objects.create(account_no=OTHER)
    before = (Statement.objects.count(), BankTransaction.objects.count())
    # when it is imported into the second
    with pytest.raises(StatementError) as err:
        import_statement(actor=None, source=csv_statement(MARCH_5_9), filename="b.csv", account_no=OTHER)
    # then it is refused, naming the account it belongs to, and nothing is written
    assert f"the file is a statement of account {ACCOUNT}, not of 6222000099998888" in str(err.value)
    assert (Statement.objects.count(), BankTransaction.objects.count()) == before


def test_a_file_naming_an_unknown_account_is_imported_as_asked_with_a_warning():
    outcome = import_statement(actor=None, source=csv_statement(MARCH_1_5, account="6222000055556666"),
                               filename="a.csv", account_no=ACCOUNT)
    assert outcome.new == 3
    assert any("names account 6222000055556666, imported into" in w for w in outcome.warnings)


def test_the_same_file_into_a_second_account_is_refused():
    # given a statement with no account number in it, imported into one account
    data = csv_statement(MARCH_1_5).replace(f"账号：{ACCOUNT}\n".encode(), b"")
    import_statement(actor=None, source=data, filename="a.csv", account_no=ACCOUNT)
    # when the very same bytes are imported into another account
    with pytest.raises(StatementError) as err:
        import_statement(actor=None, source=data, filename="a.csv", account_no=OTHER)
    # then it is refused: its money would be counted twice
    assert f"already imported into account {ACCOUNT}" in str(err.value)
    assert BankTransaction.objects.count() == 3 and BankAccount.objects.count() == 1


def test_reconcile_and_export_find_the_account_however_its_number_is_written(tmp_path):
    import_statement(actor=None, source=csv_statement(MARCH_1_5), filename="march.csv", account_no=ACCOUNT)
    out = StringIO()
    call_command("reconcile", "--account", "6222 0000 1111 2222", "--no-progress", stdout=out, stderr=StringIO())
    assert "3 transaction(s) considered" in out.getvalue()
    out = StringIO()
    call_command("export_matches", "--account", "6222-0000-1111-2222", "--format", "json", stdout=out)
    assert {json.loads(line)["bank_ref"] for line in out.getvalue().splitlines()} == {"B001", "B002", "B003"}


def test_the_migration_makes_stored_numbers_canonical_unless_that_would_merge_two_accounts():
    from importlib import import_module

    from django.apps import apps

    canonicalise = import_module("huikuan.banking.migrations.0002_canonical_account_numbers").canonicalise
    # given numbers stored before numbers were made canonical (written past BankAccount.save)
    a = BankAccount.objects.create(account_no="1")
    b = BankAccount.objects.create(account_no="2")
    c = BankAccount.objects.create(account_no="3")
    BankAccount.objects.filter(pk=a.pk).update(account_no="6222 0000 1111 2222")
    BankAccount.objects.filter(pk=b.pk).update(account_no="6222-0000-3333")
    BankAccount.objects.filter(pk=c.pk).update(account_no="62220000 3333")  # the same as b once canonical
    # when the migration runs
    canonicalise(apps, None)
    # then each is canonical, but for the one that would become another's number
    numbers = dict(BankAccount.objects.values_list("pk", "account_no"))
    assert numbers[a.pk] == ACCOUNT
    assert sorted([numbers[b.pk], numbers[c.pk]]) == sorted(["622200003333", "62220000 3333"])


def test_a_form_refuses_a_second_account_with_the_same_number_written_differently():
    from django.forms import modelform_factory

    BankAccount.objects.create(account_no=ACCOUNT)
    form = modelform_factory(BankAccount, fields=["account_no", "name"])({"account_no": "6222 0000 1111 2222",
                                                                         "name": "x"})
    assert not form.is_valid() and "account_no" in form.errors


def test_a_missing_day_between_two_statements_is_flagged_on_the_later_one():
    # given the 1–5 March statement imported (closing balance 152,988.00)
    first = import_statement(actor=None, source=csv_statement(MARCH_1_5), filename="march-1.csv", account_no=ACCOUNT)
    assert first.statement.closing_balance == D("152988.00")
    # when the next statement follows on, and another one after it starts from a balance 5,000 off
    follows = [("2026-03-09", "800.00", "", "153788.00", "王五", "6222000033334444", "", "B004")]
    gap = [("2026-03-16", "", "100.00", "158688.00", "物业", "", "", "B009"),  # 5,000 in between, not here
           ("2026-03-17", "200.00", "", "158888.00", "赵六", "", "", "B010")]
    ok = import_statement(actor=None, source=csv_statement(follows), filename="march-2.csv", account_no=ACCOUNT)
    later = import_statement(actor=None, source=csv_statement(gap), filename="march-3.csv", account_no=ACCOUNT)
    # then the one that follows on has no gap, the later one says where and by how much
    assert ok.gaps == [] and ok.statement.status == StatementStatus.IMPORTED
    assert later.gaps == ["line 4: balance 158688.00 but 153688.00 expected after march-2.csv (to 2026-03-09, "
                          "closing balance 153788.00) (difference 5000.00); a day or a statement may be missing"]
    assert later.statement.status == StatementStatus.NEEDS_REVIEW


def test_a_statement_listed_newest_first_is_checked_from_its_oldest_line():
    import_statement(actor=None, source=csv_statement(MARCH_1_5), filename="march-1.csv", account_no=ACCOUNT)
    newest_first = [("2026-03-10", "200.00", "", "153988.00", "赵六", "", "", "B011"),
                    ("2026-03-09", "800.00", "", "153788.00", "王五", "", "", "B004")]
    outcome = import_statement(actor=None, source=csv_statement(newest_first), filename="b.csv", account_no=ACCOUNT)
    assert outcome.gaps == [] and outcome.statement.closing_balance == D("153988.00")


def test_an_opening_balance_that_is_not_the_previous_closing_one_is_a_gap():
    import_statement(actor=None, source=csv_statement(MARCH_1_5), filename="march-1.csv", account_no=ACCOUNT)
    data = csv_statement([("2026-03-09", "800.00", "", "", "王五", "", "", "B004")]).replace(
        "户名".encode(), "期初余额：150000.00\n户名".encode())
    outcome = import_statement(actor=None, source=data, filename="b.csv", account_no=ACCOUNT)
    assert outcome.gaps == ["opening balance 150000.00 but 152988.00 expected after march-1.csv (to 2026-03-05, "
                            "closing balance 152988.00) (difference -2988.00); a day or a statement may be missing"]

"""Statement import: a file → one `Statement` and its new `BankTransaction` rows, all or nothing.

The file is parsed completely before anything is written (a bad file writes nothing, not even the account).
Then, in one transaction: the account (created with a warning when unknown), the statement (unique per
account and file hash: the same file twice is a no-op), and the lines, inserted as plain tuples
(`core.bulk.insert_rows`: no model instances, so `BankTransaction.save` is not involved — these rows are
new) with ON CONFLICT DO NOTHING against the unique (account, key) constraint — so re-importing an
overlapping statement, or two imports of one file at the same moment, never add a line twice; and a line
stored from another file under another key (the same day exported another way) is recognised by its date,
amount and balance (`same_lines`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.timezone import localtime

from huikuan.banking.statements import (
    ColumnMapping,
    ParseResult,
    StatementError,
    check_balance_continuity,
    parse_statement,
    transaction_keys,
)
from huikuan.core.bulk import insert_rows
from huikuan.core.forking import results_in_child
from huikuan.core.services import record

from ..account_numbers import canonical_account_no
from ..choices import Direction, StatementStatus
from ..models import BankAccount, BankTransaction, Statement
from .same_lines import drop_stored_lines

REVIEW_CONFIDENCE = 0.8
CHUNK = 500

Progress = Callable[[int, int], None]   # (done, total)


@dataclass
class ImportOutcome:
    statement: Statement
    new: int
    total: int
    already_imported: bool = False
    account_created: bool = False
    warnings: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        return self.total - self.new


def read_mapping(text: str) -> ColumnMapping:
    return ColumnMapping.from_json(text)


def import_statement(*, actor: Any, source: str | Path | bytes, account_no: str, filename: str | None = None,
                     mapping: ColumnMapping | None = None, progress: Progress | None = None) -> ImportOutcome:
    """Import one statement file into `account_no`. Raises StatementError (nothing written) for a bad file."""
    account_no = _account_no(account_no)
    parsed = _parse(*_read(source, filename), mapping, _saved_mapping(account_no) if mapping is None else None)
    if progress:
        progress(0, len(parsed.result.transactions))
    return _store(actor=actor, parsed=parsed, account_no=account_no, new_mapping=mapping, progress=progress)


def import_statements(*, actor: Any, files: Sequence[tuple[str | Path, str]], mapping: ColumnMapping | None = None
                      ) -> Iterator[tuple[Path, ImportOutcome | StatementError]]:
    """Several (file, account number) at once, each as `import_statement` — all or nothing per file; a bad file is
    handed back with its error and the others go ahead — in order, each file's outcome as soon as it is stored.
    The files are read and parsed in a forked child process (`core.forking.results_in_child`, on a second core)
    while this one stores the files before. The account mappings used are those saved when the run starts."""
    jobs = [(Path(path), _account_no(account)) for path, account in files]
    saved = _saved_mappings({account for _, account in jobs}) if mapping is None else {}

    def parse(job: tuple[Path, str]) -> _Parsed:
        return _parse(*_read(job[0], None), mapping, saved.get(job[1]))

    for (path, account), parsed in zip(jobs, results_in_child(parse, jobs, handed=(StatementError,)), strict=True):
        if isinstance(parsed, _Parsed):
            try:
                yield path, _store(actor=actor, parsed=parsed, account_no=account, new_mapping=mapping, progress=None)
            except StatementError as exc:
                yield path, exc
        elif isinstance(parsed, StatementError):
            yield path, parsed
        else:
            raise parsed


@dataclass
class _Parsed:
    """A statement file read and parsed (nothing written yet)."""

    filename: str
    digest: str
    result: ParseResult


def _account_no(account_no: str) -> str:
    account_no = canonical_account_no(account_no)
    if not account_no:
        raise StatementError("an account number is needed to import a statement")
    return account_no


def _read(source: str | Path | bytes, filename: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        return bytes(source), filename or "statement"
    path = Path(source)
    filename = filename or path.name
    try:
        return path.read_bytes(), filename
    except OSError as exc:
        raise StatementError(f"cannot read the file: {exc.strerror}", filename=filename)


def _saved_mapping(account_no: str) -> ColumnMapping | None:
    """The column mapping saved on the account, if it is known and has one."""
    return _saved_mappings({account_no}).get(account_no)


def _saved_mappings(account_nos: set[str]) -> dict[str, ColumnMapping]:
    """Account number → the column mapping saved on it, for those of the accounts that are known and have one
    (one query)."""
    return {number: ColumnMapping.from_dict(saved) for number, saved in BankAccount.objects.filter(
        account_no__in=account_nos).values_list("account_no", "column_mapping") if saved}


def _parse(data: bytes, filename: str, mapping: ColumnMapping | None, saved: ColumnMapping | None = None) -> _Parsed:
    """No database: the file's transactions (StatementError for a bad file), read with ``mapping`` when one is
    given, else with the mapping ``saved`` on the account — and, when the file's columns are not where that one
    says (the bank changed its export), by detecting them, with a warning; else by detection."""
    digest = hashlib.sha256(data).hexdigest()
    if mapping is not None or saved is None:
        return _Parsed(filename, digest, parse_statement(data, filename=filename, mapping=mapping))
    try:
        return _Parsed(filename, digest, parse_statement(data, filename=filename, mapping=saved))
    except StatementError as misfit:
        if misfit.line is not None:
            raise  # the columns fit, a line does not: the file's own error
        try:
            result = parse_statement(data, filename=filename)
        except StatementError:
            raise misfit from None
        result.warnings.insert(0, f"the column mapping saved on the account does not fit this file ({misfit.message})"
                                  ": its columns were detected instead — check the lines, and map them again if the "
                                  "bank changed its export")
        return _Parsed(filename, digest, result)


def _warnings_for(result: ParseResult, account_no: str) -> list[str]:
    warnings = list(result.warnings)
    if result.account and _digits(result.account) and _digits(result.account) != _digits(account_no) \
            and "*" not in result.account:
        warnings.append(f"the file names account {result.account}, imported into {account_no} as asked")
    return warnings


def _refuse_another_accounts(result: ParseResult, account_no: str, digest: str, filename: str) -> None:
    """A statement belongs to one account: StatementError (nothing written) when the file names another account
    known here, or when these very bytes were imported into another account already — either way its money would
    be counted twice. (A number the file names that is not known here is only a warning: see `_warnings_for`.)"""
    named = canonical_account_no(result.account or "")
    if named and "*" not in named and _digits(named) != _digits(account_no):
        other = BankAccount.objects.filter(account_no=named).first()
        if other is not None:
            raise StatementError(f"the file is a statement of account {other.account_no}, not of {account_no}: "
                                 f"import it into {other.account_no}", filename=filename)
    earlier = Statement.objects.filter(sha256=digest, rows_total__gt=0).exclude(
        account__account_no=account_no).select_related("account").first()
    if earlier is not None:
        raise StatementError(f"this file was already imported into account {earlier.account.account_no} on "
                             f"{localtime(earlier.imported_at):%Y-%m-%d %H:%M}; a statement belongs to one account",
                             filename=filename)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


@transaction.atomic
def _store(*, actor: Any, parsed: _Parsed, account_no: str, new_mapping: ColumnMapping | None,
           progress: Progress | None) -> ImportOutcome:
    result, data_hash, filename = parsed.result, parsed.digest, parsed.filename
    txs = result.transactions
    keys = transaction_keys(txs)
    gaps = [str(g) for g in check_balance_continuity(txs, result.opening_balance)]
    warnings = _warnings_for(result, account_no)
    rows = _rows(txs, keys, filename)  # checked before anything is written
    _refuse_another_accounts(result, account_no, data_hash, filename)
    account, created = BankAccount.objects.get_or_create(
        account_no=account_no, defaults={"name": result.account_name or "", "currency": result.currency or "CNY"})
    if created:
        warnings.insert(0, f"account {account_no} was not known: created it; set its bank, project and "
                           "escrow flag on the accounts page")
        record(actor, "bank_account.created", account, account_no=account_no, by="import")
    if new_mapping is not None:
        account.column_mapping = new_mapping.to_dict()
        account.save(update_fields=["column_mapping"])
    BankAccount.objects.select_for_update().filter(pk=account.pk).exists()  # one import into an account at a time
    existing = Statement.objects.filter(account=account, sha256=data_hash).first()
    if existing is not None:
        return ImportOutcome(existing, 0, len(txs), already_imported=True, account_created=created,
                             warnings=warnings, gaps=list(existing.gaps))
    rows, same = drop_stored_lines(account, rows, ROW_FIELDS)
    warnings += same
    review = sum(1 for t in txs if t.confidence < REVIEW_CONFIDENCE)
    dates = [t.date for t in txs]
    in_time = _in_time_order(txs)
    gaps += _gap_after_previous(account, in_time, result.opening_balance)
    closing = result.closing_balance if result.closing_balance is not None else \
        next((t.balance for t in reversed(in_time) if t.balance is not None), None)
    try:
        with transaction.atomic():
            statement = Statement.objects.create(
                account=account, file_name=filename[:255], sha256=data_hash, format=result.format,
                period_start=min(dates) if dates else None, period_end=max(dates) if dates else None,
                opening_balance=result.opening_balance, closing_balance=closing,
                rows_total=len(txs), rows_review=review, warnings=warnings, gaps=gaps,
                status=StatementStatus.NEEDS_REVIEW if gaps or review else StatementStatus.IMPORTED,
                imported_by=actor if getattr(actor, "pk", None) else None)
    except IntegrityError:
        # the same file is being imported at this moment by someone else, who committed first
        existing = Statement.objects.get(account=account, sha256=data_hash)
        return ImportOutcome(existing, 0, len(txs), already_imported=True, account_created=created,
                             warnings=warnings, gaps=list(existing.gaps))
    for start in range(0, len(rows), CHUNK):
        # plain tuples in one prepared INSERT: no model instances, no per-value preparation by Django;
        # a line whose (account, key) is already stored is skipped (ON CONFLICT DO NOTHING)
        insert_rows(BankTransaction, ROW_FIELDS, rows[start:start + CHUNK], ignore_conflicts=True, fill_defaults=True,
                    same={"statement": statement.pk, "account": account.pk})
        if progress:
            progress(min(start + CHUNK, len(rows)), len(rows))
    if progress and not rows:
        progress(0, 0)
    statement.rows_new = BankTransaction.objects.filter(statement=statement).count()
    statement.save(update_fields=["rows_new"])
    record(actor, "statement.imported", statement, account=account_no, file=filename, format=result.format,
           lines=len(txs), new=statement.rows_new, gaps=len(gaps))
    return ImportOutcome(statement, statement.rows_new, len(txs), account_created=created, warnings=warnings,
                         gaps=gaps)


def _in_time_order(txs: list[Any]) -> list[Any]:
    """The lines oldest first (a statement listed newest first, reversed)."""
    return list(reversed(txs)) if txs and txs[0].date > txs[-1].date else txs


def _gap_after_previous(account: BankAccount, in_time: list[Any], opening: Decimal | None) -> list[str]:
    """Balance continuity across statements: this file's opening balance (given, or its first balance less the
    lines up to it) against the closing balance of the account's statement that ended the day before it or
    earlier. A difference means a day or a whole statement between them is missing. (Overlapping statements are
    checked line by line instead: their shared lines are stored once.)"""
    if not in_time:
        return []
    previous = Statement.objects.filter(account=account, period_end__lt=in_time[0].date,
                                        closing_balance__isnull=False).order_by("-period_end", "-pk").first()
    if previous is None:
        return []
    closed: Decimal = previous.closing_balance  # type: ignore[assignment]  # (filtered: not null)
    after = f"after {previous.file_name} (to {previous.period_end}, closing balance {closed})"
    if opening is not None:
        if opening == closed:
            return []
        return [f"opening balance {opening} but {closed} expected {after} "
                f"(difference {opening - closed}); a day or a statement may be missing"]
    moved = Decimal(0)
    for t in in_time:
        moved += t.amount
        if t.balance is not None:
            expected = closed + moved
            if t.balance == expected:
                return []
            return [f"line {t.line_no}: balance {t.balance} but {expected} expected {after} "
                    f"(difference {t.balance - expected}); a day or a statement may be missing"]
    return []


ROW_FIELDS = ("key", "date", "amount", "currency", "counterparty", "counterparty_account", "memo", "balance",
              "bank_ref", "direction", "line_no", "confidence", "needs_review")
_DIRECTIONS = frozenset(Direction.values)


def _rows(txs: list[Any], keys: list[str], filename: str) -> list[tuple]:
    """BankTransaction rows (ROW_FIELDS) as the database driver takes them: str, date, Decimal, int, float, bool."""
    rows = []
    for tx, key in zip(txs, keys, strict=True):
        if not tx.amount.is_finite() or tx.balance is not None and not tx.balance.is_finite():
            # Django's DecimalField refused these (a ValidationError); the driver would store them
            raise StatementError(f"amount {tx.amount} / balance {tx.balance}: not a number", line=tx.line_no,
                                 filename=filename)
        direction = tx.direction if tx.direction in _DIRECTIONS else Direction.CREDIT.value
        rows.append((key[:128], tx.date, tx.amount, (tx.currency or "CNY")[:3], tx.counterparty[:255],
                     tx.counterparty_account[:64], tx.memo[:512], tx.balance, tx.bank_ref[:128], direction,
                     int(tx.line_no), float(tx.confidence), tx.confidence < REVIEW_CONFIDENCE))
    return rows

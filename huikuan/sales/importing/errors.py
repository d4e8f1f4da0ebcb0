"""Import errors: each names the file, the row (as a spreadsheet shows it), the column and the reason."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RowError:
    file: str
    row: int | None        # 1 is the header row; None: the file as a whole
    column: str            # the column as headed in the file ("" when the error is not about one column)
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.reason}"


class ImportFailed(Exception):
    """The file was refused; nothing from it was written. `errors` lists every problem found."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} error(s); nothing was imported")

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)

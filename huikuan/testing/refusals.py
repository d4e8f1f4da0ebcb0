"""The refusals an app writes, read from its source: each `raise SomeError("…")` whose message is a string or an
f-string, as a sample text (each value in braces written as `12`, or `'12'` when it is shown by its repr).

An app's `tests/test_notices.py` checks each sample fits a template of the app's notices, so a refusal added
without one fails a test instead of reaching a page in English.
"""

from __future__ import annotations

import ast
from pathlib import Path

SAMPLE = "12"


def refusals_written_in(app: Path, errors: set[str]) -> list[tuple[str, str]]:
    """Each `raise <error>(…)` (or `raise module.<error>(…)`) in the app's source, its tests left out, whose first
    argument is a string or an f-string, as (file:line, sample text)."""
    found = []
    for path in sorted(app.rglob("*.py")):
        if "tests" in path.relative_to(app).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args):
                continue
            called = node.exc.func
            name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", None)
            text = sample_text(node.exc.args[0])
            if name in errors and text is not None:
                found.append((f"{path.relative_to(app)}:{node.lineno}", text))
    return found


def sample_text(message: ast.expr) -> str | None:
    """The message as a text with sample values, or None when it is not written out (`str(exc)`)."""
    if isinstance(message, ast.Constant) and isinstance(message.value, str):
        return message.value
    if isinstance(message, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else _sample_value(part)
                       for part in message.values)
    return None


def _sample_value(part: ast.expr) -> str:
    assert isinstance(part, ast.FormattedValue)
    return repr(SAMPLE) if part.conversion == ord("r") else SAMPLE

"""The report registry: every `huikuan report NAME` is a function registered here.

A report module anywhere in huikuan registers itself:

    from huikuan.reports.registry import ReportOptions, register

    @register("aging", help="receivables by age bucket", text=render_aging_text)
    def aging(options: ReportOptions) -> dict: ...

The function returns a JSON-able dict (amounts as decimal strings). For big reports, a value may be
an iterator (written as a JSON array as it is consumed) or a zero-argument callable (called when the
writer reaches it — e.g. totals summed while the rows streamed), so the document is produced
incrementally. `materialise()` turns such a dict into plain lists and values for the API and pages.

Modules named `reports` in any installed huikuan app (`huikuan.<app>.reports`) are imported on
first use, so adding a module and a `@register` line is all a new report needs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from importlib import import_module
from importlib.util import find_spec
from typing import Any, TextIO

ReportFunction = Callable[["ReportOptions"], dict[str, Any]]
TextRenderer = Callable[[dict[str, Any], TextIO], None]

_REPORTS: dict[str, Report] = {}
_discovered = False
BUILT_IN = ["huikuan.reports.balances_report", "huikuan.reports.kpis", "huikuan.reports.review"]


@dataclass(frozen=True)
class ReportOptions:
    as_of: date
    date_from: date | None = None
    date_to: date | None = None
    project: str | None = None        # a project code or name
    user: Any = None                  # narrows to the user's row scope; None: everything (command line)
    parallel: bool = False            # may fork a helper process (the command line; never a web worker)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    name: str
    build: ReportFunction
    text: TextRenderer
    help: str = ""


class UnknownReport(LookupError):
    pass


def register(name: str, *, text: TextRenderer | None = None, help: str = "") -> Callable[[ReportFunction],
                                                                                         ReportFunction]:
    def decorator(function: ReportFunction) -> ReportFunction:
        if name in _REPORTS and _REPORTS[name].build is not function:
            raise ValueError(f"report {name!r} is registered twice")
        _REPORTS[name] = Report(name, function, text or render_json_text, help or (function.__doc__ or "").strip())
        return function
    return decorator


def autodiscover() -> None:
    """Import the built-in reports and every installed app's `reports` module (once)."""
    global _discovered
    if _discovered:
        return
    from django.apps import apps

    for module in BUILT_IN:
        import_module(module)
    for config in apps.get_app_configs():
        if not config.name.startswith("huikuan."):
            continue
        candidate = f"{config.name}.reports"
        if find_spec(candidate) is not None:
            import_module(candidate)
    _discovered = True


def get_report(name: str) -> Report:
    autodiscover()
    try:
        return _REPORTS[name]
    except KeyError:
        raise UnknownReport(f"no report {name!r}; there are: {', '.join(sorted(_REPORTS))}")


def all_reports() -> list[Report]:
    autodiscover()
    return [_REPORTS[name] for name in sorted(_REPORTS)]


def run_report(name: str, options: ReportOptions) -> dict[str, Any]:
    """The report's data as plain values (lists, dicts, strings): what the API returns."""
    return materialise(get_report(name).build(options))


# --- output ---------------------------------------------------------------------------------


def materialise(value: Any) -> Any:
    if isinstance(value, RawJSON):
        return json.loads(value)
    if isinstance(value, dict):
        return {k: materialise(v) for k, v in value.items()}
    if isinstance(value, list | tuple | Iterator):
        return [materialise(v) for v in value]
    if callable(value):
        return materialise(value())
    return value


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Iterator):
        return list(value)
    if callable(value):
        return value()
    raise TypeError(f"{type(value).__name__} is not JSON")


_dumps = json.JSONEncoder(ensure_ascii=False, default=_default).encode


class RawJSON(str):
    """A row already encoded as JSON text (e.g. computed in another process): written as it is."""


def encode(value: Any) -> str:
    return value if isinstance(value, RawJSON) else _dumps(value)
ROWS_PER_WRITE = 2_000


def write_json(value: Any, out: TextIO) -> None:
    """Write `value` as one JSON document. The top-level dict and its iterators are streamed: each
    element of an array is written as soon as it is produced, one per line."""
    if callable(value):
        value = value()
    if isinstance(value, dict):
        out.write("{")
        for i, (k, v) in enumerate(value.items()):
            out.write(("," if i else "") + "\n  " + _dumps(str(k)) + ": ")
            write_json(v, out)
        out.write("\n}" if value else "}")
    elif isinstance(value, list | tuple | Iterator):
        out.write("[")
        chunk: list[str] = []
        written = False
        for item in value:
            chunk.append(encode(item))
            if len(chunk) == ROWS_PER_WRITE:
                out.write(("," if written else "") + "\n    " + ",\n    ".join(chunk))
                written, chunk = True, []
        if chunk:
            out.write(("," if written else "") + "\n    " + ",\n    ".join(chunk))
            written = True
        out.write("\n  ]" if written else "]")
    else:
        out.write(_dumps(value))


def render_json_text(data: dict[str, Any], out: TextIO) -> None:
    """The fallback text output for a report without its own renderer."""
    write_json(data, out)
    out.write("\n")

"""The quarterly collection review: `huikuan report quarterly --period 2026Q3 --format pptx|pdf --out FILE`.

content.build_review (from the kpis document) → pptx_writer / pdf_writer; the same content as a page
(views.QuarterlyReviewView).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import CommandError

from ..kpis import kpis_data, period_of, scope_of
from ..periods import PeriodError
from ..registry import ReportOptions, register
from .content import build_review
from .pdf_writer import write_pdf
from .pptx_writer import write_pptx

WRITERS = {"pdf": write_pdf, "pptx": write_pptx}


def write_review(period: Any, scope: Any, fmt: str, out: Path, data: dict | None = None, *,
                 parallel: bool = False) -> Path:
    """Write the review; without `data` (the kpis document) it is computed — with `parallel` (the command
    line), its two passes of receivables.balances on both cores."""
    if fmt not in WRITERS:
        raise ValueError(f"format must be pdf or pptx, not {fmt!r}")
    if data is None:
        data = kpis_data(period, scope, parallel=parallel)
    return WRITERS[fmt](build_review(period, scope, data), out)


def _render_text(data: dict[str, Any], out: TextIO) -> None:
    out.write(f"wrote the {data['period']} review ({data['format']}) to {data['out']}\n")


@register("quarterly", text=_render_text,
          help="the quarterly review: --period 2026Q3 --format pdf|pptx --out FILE")
def quarterly(options: ReportOptions) -> dict[str, Any]:
    try:
        period = period_of(options)
    except PeriodError as exc:
        raise CommandError(str(exc))
    out_text = options.extra.get("out")
    if not out_text:
        raise CommandError("say where to write the review: --out FILE (or --option out=FILE)")
    out = Path(out_text)
    fmt = (options.extra.get("format") or out.suffix.lstrip(".") or "pdf").lower()
    if fmt not in WRITERS:
        raise CommandError(f"--format must be pdf or pptx, not {fmt!r}")
    write_review(period, scope_of(options), fmt, out, parallel=options.parallel)
    return {"period": period.label, "format": fmt, "out": str(out), "bytes": out.stat().st_size}

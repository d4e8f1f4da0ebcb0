"""The review as plain content — sections of blocks — that the PPTX, PDF and HTML writers lay out.

Every block names the measures (keys of the kpis document) its numbers come from, so each figure in
the written review can be traced back: the PPTX puts them in the speaker notes, the PDF under the block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class Text:
    lines: list[str]
    measures: list[str] = field(default_factory=list)


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]
    measures: list[str] = field(default_factory=list)


@dataclass
class Chart:
    """kind: "bar" (clustered columns), "pie" or "line"; values are Decimals (None: no value)."""

    title: str
    kind: str
    categories: list[str]
    series: list[tuple[str, list[Decimal | None]]]
    unit: str
    measures: list[str] = field(default_factory=list)

    def rows(self) -> list[tuple[str, list[Decimal | None]]]:
        return [(c, [values[i] for _, values in self.series]) for i, c in enumerate(self.categories)]


Block = Text | Table | Chart


@dataclass
class Section:
    number: int
    title: str
    title_en: str
    blocks: list[Block] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{'一二三四五'[self.number - 1]}、{self.title}"


@dataclass
class Review:
    title: str
    subtitle: str
    period: str
    sections: list[Section]
    values: dict          # the kpis document the review was built from

    def measure_value(self, key: str) -> str:
        """A short rendering of a measure's value for the speaker notes / footnotes."""
        value = self.values.get(key)
        if value is None:
            return self.values.get("notes", {}).get(key, "null")
        text = str(value)
        return text if len(text) <= 160 else text[:157] + "…"

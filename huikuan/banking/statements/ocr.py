"""Scanned statements: RapidOCR (ONNX Runtime, default models shipped in the wheel) → table rows."""

from __future__ import annotations

import io
import threading
from typing import Any

from .model import StatementError
from .tabular import Row, _map_header

_ENGINE: Any = None
_LOCK = threading.Lock()
OCR_PARAMS = {"Det.limit_type": "max", "Det.limit_side_len": 1280}


def ocr_available() -> bool:
    try:
        import rapidocr  # noqa: F401
    except ImportError:
        return False
    return True


def engine() -> Any:
    """One RapidOCR engine per process (loading the models takes seconds)."""
    global _ENGINE
    with _LOCK:
        if _ENGINE is None:
            try:
                from rapidocr import RapidOCR
            except ImportError:
                raise StatementError("this is a scanned statement but OCR (rapidocr) is not installed")
            import logging

            logging.getLogger("RapidOCR").setLevel(logging.WARNING)
            _ENGINE = RapidOCR(params=OCR_PARAMS)
            logging.getLogger("RapidOCR").setLevel(logging.WARNING)
        return _ENGINE


def ocr_boxes(image: Any) -> list[tuple[float, float, float, float, str, float]]:
    """(x0, y0, x1, y1, text, score) of each text box found in a PIL image."""
    import numpy as np

    result = engine()(np.asarray(image.convert("RGB")))
    boxes = getattr(result, "boxes", None)
    if boxes is None or len(boxes) == 0:
        return []
    out = []
    for box, text, score in zip(boxes, result.txts, result.scores, strict=False):
        xs = [float(p[0]) for p in box]
        ys = [float(p[1]) for p in box]
        out.append((min(xs), min(ys), max(xs), max(ys), str(text), float(score)))
    return out


def group_rows(boxes: list[tuple[float, float, float, float, str, float]]) -> list[list[tuple]]:
    """Boxes whose vertical centres lie within half a line height of each other form one row."""
    if not boxes:
        return []
    heights = sorted(b[3] - b[1] for b in boxes)
    tol = max(heights[len(heights) // 2] * 0.5, 3.0)
    rows: list[list[tuple]] = []
    centres: list[float] = []
    for b in sorted(boxes, key=lambda b: (b[1] + b[3]) / 2):
        c = (b[1] + b[3]) / 2
        if rows and abs(c - centres[-1]) <= tol:
            rows[-1].append(b)
            centres[-1] = sum((x[1] + x[3]) / 2 for x in rows[-1]) / len(rows[-1])
        else:
            rows.append([b])
            centres.append(c)
    return [sorted(r, key=lambda b: b[0]) for r in rows]


def rows_from_boxes(boxes: list[tuple], first_line: int = 1, page: int = 1) -> list[Row]:
    """Assign each box to a column defined by the header row's boxes; keep the min score per row."""
    lines = group_rows(boxes)
    header_idx = None
    for i, line in enumerate(lines[:40]):
        cols = _map_header([b[4] for b in line])
        if "date" in cols and ({"amount", "credit", "debit"} & set(cols)):
            header_idx = i
            break
    out: list[Row] = []
    if header_idx is None:
        for i, line in enumerate(lines):
            out.append(Row(first_line + i, [b[4] for b in line], min(b[5] for b in line), {"page": page}))
        return out
    header = lines[header_idx]
    centres = [(b[0] + b[2]) / 2 for b in header]
    spans = [(b[0], b[2]) for b in header]
    for i, line in enumerate(lines):
        conf = min(b[5] for b in line)
        if i <= header_idx:
            out.append(Row(first_line + i, [b[4] for b in line], conf, {"page": page}))
            continue
        cells = [""] * len(header)
        for b in line:
            cx = (b[0] + b[2]) / 2
            best = None
            for j, (x0, x1) in enumerate(spans):
                overlap = min(b[2], x1) - max(b[0], x0)
                if overlap > 0 and (best is None or overlap > best[0]):
                    best = (overlap, j)
            j = best[1] if best else min(range(len(centres)), key=lambda k: abs(centres[k] - cx))
            cells[j] = f"{cells[j]} {b[4]}".strip() if cells[j] else b[4]
        out.append(Row(first_line + i, cells, conf, {"page": page}))
    return out


def image_rows(data: bytes) -> list[Row]:
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = 80_000_000  # refuse decompression bombs
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise StatementError(f"truncated or corrupt image: {exc}")
    return rows_from_boxes(ocr_boxes(img))

"""A CJK font for the PDF: the first TrueType font found on the system (Noto Sans CJK, WenQuanYi), else
reportlab's built-in CID font STSong-Light (not embedded: the reader's viewer supplies the glyphs)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

CANDIDATES = (
    ("NotoSansCJK", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),   # index 2: SC
    ("NotoSansCJK", "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf", 0),
    ("WenQuanYiMicroHei", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("WenQuanYiZenHei", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)
FALLBACK = "STSong-Light"


@cache
def cjk_font() -> str:
    """Register and return the name of the font the PDF writes Chinese in."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    for name, path, index in CANDIDATES:
        if Path(path).exists():
            try:
                pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
                return name
            except (TTFError, OSError):   # e.g. CFF outlines reportlab cannot embed
                continue
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
    return FALLBACK

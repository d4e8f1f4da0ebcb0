"""Guards run before any parser touches a file: size, binary garbage, zip bombs, XML entities."""

from __future__ import annotations

import io
import re
import zipfile

from .model import StatementError

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED = 300 * 1024 * 1024
MAX_RATIO = 150


def check_size(data: bytes, max_bytes: int) -> None:
    if not data:
        raise StatementError("the file is empty", line=1)
    if len(data) > max_bytes:
        raise StatementError(
            f"the file is {len(data) / 1e6:.1f} MB, above the {max_bytes / 1e6:.0f} MB limit for statements"
        )


def check_zip(data: bytes, max_uncompressed: int = MAX_UNCOMPRESSED) -> zipfile.ZipFile:
    """Open an xlsx (a zip) only after checking its total and per-entry compression ratio."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise StatementError(f"truncated or corrupt xlsx (zip) file: {exc}")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1_000_000 and ratio > MAX_RATIO:
            raise StatementError(
                f"refused: zip entry {info.filename} expands {ratio:.0f}× (a zip bomb?); the limit is {MAX_RATIO}×"
            )
    if total > max_uncompressed:
        raise StatementError(
            f"refused: the xlsx expands to {total / 1e6:.0f} MB, above {max_uncompressed / 1e6:.0f} MB (a zip bomb?)"
        )
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise StatementError("a zip file that is not an xlsx workbook (no xl/ part)")
    bad = zf.testzip() if len(data) < 20_000_000 else None
    if bad is not None:
        raise StatementError(f"truncated or corrupt xlsx: entry {bad} fails its checksum")
    return zf


_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def hardened_xml(data: bytes):
    """Parse XML with lxml without DTDs, entity resolution, network or huge trees."""
    from lxml import etree

    if _DOCTYPE.search(data[:65536]) or _DOCTYPE.search(data):
        m = _DOCTYPE.search(data)
        line = data[: m.start()].count(b"\n") + 1 if m else None
        raise StatementError("refused: the XML declares a DTD or entities (entity expansion attack?)", line=line)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False
    )
    try:
        return etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise StatementError(f"malformed XML: {exc.msg}", line=exc.lineno)


_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or b > 13)


def looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls > len(head) * 0.05

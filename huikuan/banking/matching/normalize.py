"""Text normalisation for matching: names (traditional, full-width, pinyin, company suffixes),
contract numbers and unit labels as written in bank memos. Table-driven, so it is fast enough
for a million open items: each table is built once per process."""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF))


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    """Traditional → simplified, character by character (opencc's t2s on each CJK character)."""
    try:
        import opencc
    except ImportError:  # names in traditional characters then only match through pinyin
        return {}
    conv = opencc.OpenCC("t2s")
    chars = [chr(c) for lo, hi in _CJK_RANGES for c in range(lo, hi + 1)]
    converted = conv.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):
        converted = [conv.convert(ch) for ch in chars]
    return {ord(a): b for a, b in zip(chars, converted, strict=True) if a != b and len(b) == 1}


@lru_cache(maxsize=1)
def _pinyin_table() -> dict[int, str]:
    """CJK character → toneless pinyin of its first reading (ü written u)."""
    readings = _pinyin_readings()
    if not readings:
        return {}
    codes = list(readings)
    firsts = [r.split(",", 1)[0] for r in readings.values()]
    plain = _toneless("\n".join(firsts)).split("\n")  # all at once: a few passes in C
    if len(plain) != len(codes):  # a reading with a line break in it (none in pypinyin's): one by one
        plain = list(map(_toneless, firsts))
    table = dict(zip(codes, plain, strict=True))
    for surname, reading in SURNAME_READINGS.items():
        table.setdefault(ord(surname), reading)
    return table


def _toneless(text: str) -> str:
    """Pinyin without its tone marks, in lower case, ü written u: zhāng → zhang, lǜ → lu."""
    text = unicodedata.normalize("NFKD", text)  # the marks apart from their letters
    return text.translate({ord(ch): None for ch in set(text) if unicodedata.combining(ch)}).replace("ü", "u").lower()


def _pinyin_readings() -> dict[int, str]:
    """pypinyin's character readings (code point → "zhāng,zhǎng"), read from its data file without importing the
    package (its phrase dictionary, which this does not use, takes most of the 0.15 s an import costs); through
    the package if the file is not where it keeps it. Empty without pypinyin."""
    spec = importlib.util.find_spec("pypinyin")
    if spec is None:
        return {}
    for folder in spec.submodule_search_locations or ():
        path = Path(folder) / "pinyin_dict.json"
        if path.is_file():
            return {int(code): readings for code, readings in json.loads(path.read_text(encoding="utf-8")).items()}
    from pypinyin.pinyin_dict import pinyin_dict

    return dict(pinyin_dict)


def load_tables() -> None:
    """Load the character tables now (importing pypinyin's dictionary takes ≈ 0.2 s): a process about to fork
    children that all use them loads them once, before."""
    _t2s_table()
    _traditional()
    _pinyin_table()


# surnames whose common reading differs from the character's first reading
SURNAME_READINGS = {"单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "朴": "piao", "查": "zha", "区": "ou"}

_COMPANY_SUFFIXES = (
    "股份有限公司", "有限责任公司", "有限公司", "集团公司", "公司", "co.,ltd.", "co.,ltd", "co.ltd", "coltd",
    "companylimited", "limited", "ltd.", "ltd", "inc.", "inc", "corp.", "corporation", "llc", "co.", "co",
)
_PUNCT_CHARS = " \t\u3000·•.,，。-_()（）[]【】'\"/\\&*"
_DELETE = {ord(c): None for c in _PUNCT_CHARS}
_PUNCT = re.compile(r"[\s·•.,，。\-_()（）\[\]【】'\"/\\&*]+")


def fold(text: str) -> str:
    """NFKC (full-width → ASCII), lower case, traditional → simplified."""
    return unicodedata.normalize("NFKC", text or "").lower().translate(_t2s_table())


@lru_cache(maxsize=1)
def _traditional() -> re.Pattern[str]:
    """Any character the traditional → simplified table changes."""
    chars = "".join(sorted(chr(c) for c in _t2s_table()))
    return re.compile(f"[{re.escape(chars)}]") if chars else re.compile(r"(?!)")


_PLAIN_CJK = re.compile(r"[\u4e00-\u9fff]+")
_CJK_SUFFIXES = tuple(s for s in _COMPANY_SUFFIXES if not s.isascii())


def name_key(name: str) -> str:
    """A person's or company's name reduced for comparison: 陳 大文 → 陈大文, ABC Co., Ltd → abc."""
    if name and _PLAIN_CJK.fullmatch(name) and not name.endswith(_CJK_SUFFIXES):
        # only unified ideographs (most personal names): NFKC, case, spaces and punctuation change nothing
        return name.translate(_t2s_table()) if _traditional().search(name) else name
    text = unicodedata.normalize("NFKC", name or "").lower().translate(_t2s_table())
    text = "".join(text.split())
    for _ in range(2):
        if not text.endswith(_COMPANY_SUFFIXES):
            break
        for suffix in _COMPANY_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix) + 1:
                text = text[: -len(suffix)].rstrip(",.")
                break
        else:
            break
    return text.translate(_DELETE)


def is_latin(key: str) -> bool:
    return bool(key) and key.isascii() and key.isalpha()


def pinyin_of(key: str) -> str:
    """Pinyin of a name key: 张三 → zhangsan; a latin key stays itself."""
    if key.isascii():
        return key
    table = _pinyin_table()
    first = SURNAME_READINGS.get(key[0])
    out = (first + key[1:].translate(table)) if first else key.translate(table)
    return out if out.isascii() else "".join(ch for ch in out if "a" <= ch <= "z")


def latin_variants(name: str) -> list[str]:
    """Keys of a name written in letters, in the given and in Western order: 'San Zhang' → sanzhang, zhangsan."""
    tokens = [t for t in re.split(r"[^a-z]+", unicodedata.normalize("NFKC", name).lower()) if t]
    if not tokens:
        return []
    keys = ["".join(tokens).replace("v", "u")]
    if len(tokens) >= 2:
        keys.append((tokens[-1] + "".join(tokens[:-1])).replace("v", "u"))
    return keys


def masked_keys(key: str) -> list[str]:
    """One-substitution neighbourhood keys (张三丰 → ?三丰, 张?丰, 张三?), for typo retrieval."""
    if len(key) < 3 or is_latin(key):
        return []
    return [key[:i] + "?" + key[i + 1 :] for i in range(len(key))]


_CONTRACT = re.compile(
    # HT-2026-0012, 合同号2026-0012, Contract No. ABC-2026-001 — or a project's code written bare: JJXF-2025-0003
    r"(?:(?:ht|合同(?:编号|号码|号)?|contract(?:\s*no\.?)?)\s*[:：#]?\s*[-\s]?([a-z]{0,6})|(?<![a-z0-9])([a-z]{2,6}))"
    r"[-\s]?(\d{2,4})[-\s/]?(\d{2,6})(?!\d)",
    re.IGNORECASE,
)
GENERIC_PREFIX = "HT"  # 合同: a prefix that numbers of every project share, not what tells them apart


_NOT_DIGIT = re.compile(r"[^0-9]+")


_NOT_DIGIT_BYTES = bytes(c for c in range(256) if not 48 <= c <= 57)


def contract_key(contract_no: str) -> str:
    """Canonical contract number: its digits (HT-2026-0012, HT20260012, 合同号2026-0012 → 20260012)."""
    text = contract_no or ""
    if text.isascii():
        return text.encode("ascii").translate(None, _NOT_DIGIT_BYTES).decode("ascii")
    text = unicodedata.normalize("NFKC", text)  # full-width digits → ASCII
    return _NOT_DIGIT.sub("", text)


_NOT_DIGIT_NOR_LINE = bytes(c for c in range(256) if not 48 <= c <= 57 and c != 10)
_LETTERS_ONLY = bytes(c for c in range(256) if not (65 <= c <= 90 or 97 <= c <= 122))
_LETTERS_NOR_LINE = bytes(c for c in range(256) if not (65 <= c <= 90 or 97 <= c <= 122 or c == 10))


def contract_code(contract_no: str) -> str:
    """A contract number with the letters that tell it apart from other projects' numbers (a project's code):
    JJXF-2025-0003 → JJXF20250003, while YHF-2025-0003 → YHF20250003 (both have the digits key 20250003). ''
    when its letters are none or only HT (its digits are its key then)."""
    text = unicodedata.normalize("NFKC", contract_no or "")
    letters = text.encode("ascii", "ignore").translate(None, _LETTERS_ONLY).decode("ascii").upper()
    letters = letters.removeprefix(GENERIC_PREFIX)
    digits = contract_key(text)
    return letters + digits if letters and digits else ""


def contract_keys_and_codes(numbers: list[str]) -> tuple[list[str], list[str]]:
    """The `contract_key` and the `contract_code` of each number, for many at once: ASCII numbers in one translate
    each (digits; letters), and only the numbers with letters other than HT worked out one by one."""
    joined = "\n".join(n or "" for n in numbers)
    n = len(numbers)
    if not numbers or not joined.isascii() or joined.count("\n") != n - 1:
        return [contract_key(x) for x in numbers], [contract_code(x) for x in numbers]
    raw = joined.encode("ascii")
    digits = raw.translate(None, _NOT_DIGIT_NOR_LINE).decode("ascii").split("\n")
    letters = raw.translate(None, _LETTERS_NOR_LINE).upper()
    codes = [""] * n
    generic = GENERIC_PREFIX.encode()
    if letters in (b"\n" * (n - 1), (generic + b"\n") * (n - 1) + generic):  # no project codes: done
        return digits, codes
    for i in [i for i, x in enumerate(letters.split(b"\n")) if x and x != generic]:
        codes[i] = contract_code(numbers[i])
    return digits, codes


def contract_lookup_key(contract_no: str) -> str:
    """The key a contract number is looked up by: its code where its letters tell it apart, else its digits."""
    return contract_code(contract_no) or contract_key(contract_no)


def contract_keys_in(memo: str) -> list[str]:
    """The contract numbers written in a memo, as lookup keys: digits (HT-2026-0012, 合同号2026-0012 → 20260012) or,
    with a project's code, its code and digits (JJXF-2025-0003 → JJXF20250003, see `contract_code`)."""
    text = unicodedata.normalize("NFKC", memo or "")
    keys = []
    for m in _CONTRACT.finditer(text):
        letters = (m.group(1) or m.group(2) or "").upper().removeprefix(GENERIC_PREFIX)
        keys.append(letters + m.group(3) + m.group(4))
    return keys


_UNIT = re.compile(
    r"(?<![\d.])(\d{1,3})\s*(?:栋|幢|号楼|座|#|号|-|－)\s*(?:(\d{1,2})\s*(?:单元|-)\s*)?(\d{3,4})(?!\d)\s*(?:室|号)?"
)


def unit_keys_in(text: str) -> list[tuple[str, bool]]:
    """Unit labels written in a memo: (key, has_unit_number). 3栋1单元1202 → ('3-1-1202', True), ('3-1202', False)."""
    out = []
    for m in _UNIT.finditer(unicodedata.normalize("NFKC", text or "")):
        building, unit, room = int(m.group(1)), m.group(2), int(m.group(3))
        if unit is not None:
            out.append((f"{building}-{int(unit)}-{room}", True))
        out.append((f"{building}-{room}", False))
    return out


_BANK_PREFIX = re.compile(r"^(中国|中華|中华)")


def bank_key(name: str) -> str:
    """A lender reduced to its bank: 中国建设银行股份有限公司北京分行 → 建设银行; 中国银行 stays."""
    text = fold(name).replace(" ", "")
    if "公积金" in text:
        return text[: text.index("公积金")] + "公积金"
    pos = text.find("银行")
    if pos < 0:
        return name_key(name)
    head = text[: pos + 2]
    short = _BANK_PREFIX.sub("", head)
    return short if len(short) > 2 else head


def looks_like_bank(name: str) -> bool:
    text = fold(name)
    return "银行" in text or "公积金" in text or "bank" in text

"""Turning what people type into clean values.

Each parser takes a raw cell (str, int, float, date, datetime or None) and
returns the clean value, or raises ValueError with a Chinese sentence.
"""

import datetime
import re
import unicodedata

from django.utils.translation import gettext as _

_SPACES = re.compile(r"\s+")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
#: Characters that make a spreadsheet treat a cell as a formula (and their
#: full-width forms, which NFKC folds into these).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_FORMULA_START = frozenset(FORMULA_PREFIXES)
#: What may stand before the formula character: spaces and Excel's "treat as
#: text" apostrophe (people type both; neither stops a formula on export).
_LEAD = " \u3000'‘’`"
#: Every first character of a text that `looks_like_formula` may answer yes
#: for: the formula characters, what NFKC folds into one (⁼ ﹦ ＋ ﹫ …), and
#: what clean_text drops before it (spaces, apostrophes). A quick filter for
#: a long column: a value starting with anything else is not a formula.
#: tests/test_tabular_damage.py walks every code point to hold it complete.
FORMULA_SUSPECTS = frozenset(
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f '+-=@`\x85\xa0\u1680\u1fef\u2000\u2001\u2002\u2003"
    "\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b‘’\u2028\u2029\u202f\u205f⁺⁼₊₌⩵⩶"
    "\u3000﬩﹢﹣﹦﹫＇＋－＝＠｀"
)


def cell_text(value) -> str:
    """A cell as text, without NFKC: numbers lose a trailing .0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


#: Anything clean_text would change in a string that is already NFKC.
_NEEDS_CLEANING = re.compile(r"[^\S ]| {2}|^[ '‘’`]| $|\u200b")


def clean_text(value) -> str:
    """Full-width to half-width, stray spaces gone, a leading apostrophe
    (Excel's "treat as text" mark) dropped."""
    if type(value) is str and unicodedata.is_normalized("NFKC", value):
        # Fast path (most cells of a large file): nothing to change.
        if not _NEEDS_CLEANING.search(value):
            return value
    text = unicodedata.normalize("NFKC", cell_text(value)).replace("\u200b", "")
    text = _SPACES.sub(" ", text).strip()
    if text[:1] in ("'", "‘", "’", "`"):
        text = text[1:].strip()
    return text


def clean_name(value) -> str:
    """A person's or an enterprise's name: spaces between Chinese characters
    are typing slips (张 三 is 张三)."""
    return _CJK_GAP.sub("", clean_text(value))


def looks_like_formula(value, *, phone: bool = False) -> bool:
    """A text cell a spreadsheet would run as a formula: it starts with
    = + - @, tab or CR, as typed (after spaces and Excel's apostrophe) or
    once cleaned (NFKC folds ＝ ⁼ ﹦ into =, and the clean text is what is
    stored). The one check of every importer (roster, enterprises,
    declarations, sheets).

    Not a formula: a number cell (Excel stores a number, whatever its sign;
    a cell stored as a formula is found by the reader, `Table.formula_cells`),
    a lone dash (how people write "none"), and with `phone`, a number
    written with its country code (+86 138 …)."""
    if type(value) is not str or not value or value[0] not in FORMULA_SUSPECTS:
        return False
    text = clean_text(value)
    if value.lstrip(_LEAD)[:1] not in _FORMULA_START and text[:1] not in _FORMULA_START:
        return False
    if text == "-":
        return False
    return not (phone and re.sub(r"[\s-]", "", text).startswith("+86"))


def formula_message() -> str:
    """The one sentence for a formula, typed or stored, in any importer."""
    return _(
        "The cell holds a formula or starts with = + - or @; type the value"
        " itself (a formula is never imported)."
    )


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[.\-/年](\d{1,2})[.\-/月](\d{1,2})日?(?:\s.*)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def parse_date(value) -> datetime.date | None:
    """Excel dates and serial numbers; 2015.3.1, 2015年3月1日, 2015/03/01,
    2015-03-01, 20150301. Empty gives None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000000 <= value <= 21001231 and float(value).is_integer():
            return parse_date(str(int(value)))
        if 1 <= value < 80000:
            return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise ValueError(_("“%(value)s” is not a date.") % {"value": cell_text(value)})
    text = clean_text(value)
    if not text:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(*(int(g) for g in match.groups()))
            except ValueError:
                break
    raise ValueError(
        _("“%(value)s” is not a date; write it like 2015-03-01 or 2015年3月1日.") % {"value": text}
    )


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(0\d{2,3})?[2-9]\d{6,7}$")


def parse_phone(value) -> str:
    """A mobile (11 digits) or a landline, without +86, spaces or dashes.
    Empty gives ""."""
    text = clean_text(value)
    if not text:
        return ""
    digits = re.sub(r"[\s\-()（）.]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if _MOBILE.match(digits) or _LANDLINE.match(digits):
        return digits
    raise ValueError(
        _("“%(value)s” is not a phone number: a mobile has 11 digits starting with 1.")
        % {"value": text}
    )


_TRUE = {"是", "有", "y", "yes", "true", "1", "√", "✓", "对"}
_FALSE = {"否", "无", "没有", "n", "no", "false", "0", "×", "不是", "-"}


def parse_bool(value) -> bool | None:
    """是/否 and their usual spellings. Empty gives None."""
    text = clean_text(value).lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(_("“%(value)s” should be 是 or 否.") % {"value": clean_text(value)})


def parse_int(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and value >= 0:
            return int(value)
    text = clean_text(value).replace(",", "")
    if text.isdigit():
        return int(text)
    if not text:
        return None
    raise ValueError(_("“%(value)s” is not a whole number.") % {"value": clean_text(value)})

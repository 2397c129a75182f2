"""Resident ID numbers (公民身份号码), GB 11643-1999.

Seventeen digits and an ISO 7064 MOD 11-2 check character (0-9 or X):
six of address, eight of birth date, three of sequence (odd for men, even
for women) and the check character.
"""

import datetime
import functools
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chunshu_union.masks import mask_phone  # noqa: F401  (re-exported: members' callers)
from chunshu_union.tabular.damage import excel_damaged, excel_number_message, excel_number_text

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"

MALE, FEMALE = "M", "F"


def check_character(first17: str) -> str:
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


@dataclass(frozen=True)
class IdFacts:
    birth_date: datetime.date
    sex: str


#: What normalising changes: full-width digits and X (typed with a Chinese
#: IME) become ASCII; spaces anywhere (110102 19850312 0011) and Excel's
#: leading apostrophe go. Nothing else: a circled ①, a dingbat ❶, a
#: mathematical 𝟏 or an Arabic-Indic ١ is not silently read as a digit.
_FULL_WIDTH = {0xFF10 + d: str(d) for d in range(10)} | {0xFF38: "X", 0xFF58: "X", ord("x"): "X"}
_SPACES = {ord(c): None for c in " \u3000\u00a0\u2002\u2003\u2009\u200b\t\r\n"}
_TRANSLATE = _FULL_WIDTH | _SPACES
_APOSTROPHES = "'‘’`"
_ASCII_ID = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
_DIGITS = frozenset("0123456789")


def normalise(value) -> str:
    """The number as typed, ready for `id_number_error`: full-width digits
    and spaces inside are what people type, and every door (roster, admin,
    portal, API) reads them the same way."""
    if value is None:
        return ""
    value = excel_number_text(value)  # past 15 digits: 1.10102E+17, as Excel shows it
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a shorter numeric cell: its digits, for the sentences below
    text = str(value)
    if _ASCII_ID.fullmatch(text):
        return text  # the usual case
    text = text.strip().lstrip(_APOSTROPHES).translate(_TRANSLATE)
    return text


def read(value) -> tuple[str, str | None]:
    """(the normalised number, the sentence saying what is wrong or None)."""
    number = normalise(value)
    return number, id_number_error(number)


def region_exists(code: str) -> bool:
    """A GB/T 2260 region code (the first six digits) that ever existed, in
    python-stdnum's table of them (counties renamed or merged keep their
    old codes there: a person keeps the number issued then)."""
    return code in _regions()


@functools.cache
def _regions():
    """Every six-digit code of stdnum's GB/T 2260 table (stdnum/cn/loc.dat,
    the one stdnum.cn.ric.get_birth_place reads): a province line (11
    province=...) and its county lines (  0102 county=...). Read directly:
    numdb's general parser takes 0.2 s, a sixth of a 10,000-row import."""
    from importlib import resources

    province = ""
    codes = set()
    with resources.files("stdnum.cn").joinpath("loc.dat").open(encoding="utf-8") as table:
        for line in table:
            if line[:2].isdigit():
                province = line[:2]
            elif line.startswith("  ") and line[2:6].isdigit() and "county=" in line:
                codes.add(province + line[2:6])
    if codes:
        return frozenset(codes)
    # A stdnum whose table has another layout: ask stdnum itself.
    from stdnum import numdb

    return _AskStdnum(numdb.get("cn/loc"))


class _AskStdnum:
    def __init__(self, db):
        self.db = db

    def __contains__(self, code: str) -> bool:
        return any("county" in props for _part, props in self.db.info(code))


EXCEL_DAMAGE = "excel_damage"


def id_number_error(value: str, *, allow_excel_damage: bool = False) -> str | None:
    """The Chinese sentence that explains what is wrong, or None if valid.
    `value` is normalised (`normalise`); any text at all is answered with a
    sentence, never an exception."""
    return _error(value, allow_excel_damage)[1]


def id_number_problem(value: str, *, allow_excel_damage: bool = False):
    """(code, sentence) or (None, None); code is EXCEL_DAMAGE for the number
    Excel damaged, which staff may confirm by hand in the admin."""
    return _error(value, allow_excel_damage)


def _error(value: str, allow_excel_damage: bool):
    if excel_damaged(value) and not (allow_excel_damage and value.isdigit()):
        # Before the other checks: 1.10102E+17 is not "a character that is
        # not a digit", and 110102198503120000 whose check happens to fit
        # (1 in 11) is still not the person's number.
        return EXCEL_DAMAGE, excel_number_message(_("ID number"), _shown(value))
    odd = next((c for c in value if c not in _DIGITS and c != "X"), None)
    if odd is not None:
        return "characters", _(
            "The ID number holds “%(char)s”, which is not one of the digits 0-9 (or X at the"
            " end); please type the number again with ordinary digits."
        ) % {"char": odd}
    if len(value) != 18:
        return "length", _("A resident ID number has 18 characters; this one has %(n)d.") % {
            "n": len(value)
        }
    if "X" in value[:17]:
        return "characters", _("A resident ID number is 17 digits followed by a digit or X.")
    if not region_exists(value[:6]):
        return "region", _(
            "The first six digits of the ID number (%(code)s) are not a region code that has"
            " ever existed; please check the number for a typing error."
        ) % {"code": value[:6]}
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "birth", _("Digits 7 to 14 of the ID number are not a real date of birth.")
    if birth.year < 1900 or birth > datetime.date.today():
        return "birth", _("The date of birth in the ID number (%(date)s) is not possible.") % {
            "date": birth.isoformat()
        }
    if value[17] != check_character(value[:17]):
        return "check", _(
            "The check character of the ID number is wrong; please check the number for a"
            " typing error."
        )
    return None, None


def _shown(value: str) -> str:
    """A damaged number as the sentence shows it: Excel's short form as it
    is (1.10102E+17), anything longer masked like every ID number."""
    return value if len(value) <= 11 else mask(value)


def facts(value: str) -> IdFacts:
    """Birth date and sex read from a valid number."""
    birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    return IdFacts(birth_date=birth, sex=sex_of(value))


def sex_of(value: str) -> str:
    """The 17th digit: odd for men, even for women."""
    return MALE if int(value[16]) % 2 else FEMALE


def birth_month_of(value: str) -> tuple[int, int]:
    """(year, month) of birth, from digits 7 to 12."""
    return int(value[6:10]), int(value[10:12])


def validate_id_number(value: str) -> None:
    message = id_number_error(normalise(value))
    if message:
        raise ValidationError(message, code="id_number")


def mask(value: str) -> str:
    """110102********123X: area code and the last four, never the birth date."""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def make_id_number(first17: str) -> str:
    return first17 + check_character(first17)

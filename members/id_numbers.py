"""Resident ID numbers (公民身份号码), GB 11643-1999.

Seventeen digits and an ISO 7064 MOD 11-2 check character (0-9 or X):
six of address, eight of birth date, three of sequence (odd for men, even
for women) and the check character.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"

MALE, FEMALE = "M", "F"


def check_character(first17: str) -> str:
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


@dataclass(frozen=True)
class IdFacts:
    birth_date: datetime.date
    sex: str


def id_number_error(value: str) -> str | None:
    """The Chinese sentence that explains what is wrong, or None if valid."""
    if len(value) != 18:
        return _("A resident ID number has 18 characters; this one has %(n)d.") % {"n": len(value)}
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return _("A resident ID number is 17 digits followed by a digit or X.")
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return _("Digits 7 to 14 of the ID number are not a real date of birth.")
    if birth.year < 1900 or birth > datetime.date.today():
        return _("The date of birth in the ID number (%(date)s) is not possible.") % {
            "date": birth.isoformat()
        }
    if value[17] != check_character(value[:17]):
        return _(
            "The check character of the ID number is wrong; please check the number for a"
            " typing error."
        )
    return None


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
    message = id_number_error(value)
    if message:
        raise ValidationError(message, code="id_number")


def mask(value: str) -> str:
    """110102********123X: area code and the last four, never the birth date."""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    digits = value or ""
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "****" + digits[-4:]


def make_id_number(first17: str) -> str:
    return first17 + check_character(first17)

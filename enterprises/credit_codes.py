"""Unified social credit codes (统一社会信用代码), GB 32100-2015.

Eighteen characters from a 31-letter alphabet (no I, O, Z, S, V); the last
is a MOD 31 check character over the first seventeen.

Excel keeps 15 significant digits of a number. A code of digits only (or of
digits around one E, which Excel reads as an exponent) typed into a cell
that is not formatted as text loses its last digits for good: the cell
shows 9.11101E+17, or 911101085923660000 once typed back. Such a code gets
the sentence every identifier Excel made a number gets
(chunshu_union.tabular.damage), because "the check character should be G"
would invite a wrong correction.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chunshu_union.tabular.damage import (
    excel_damaged,
    excel_number_message,
    excel_number_text,
    stored_as_number,
)
from chunshu_union.tabular.normalize import clean_text

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


def check_character(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_error(code: str) -> str | None:
    """The Chinese sentence that explains what is wrong, or None if valid."""
    problem = _shape_error(code)
    if problem and excel_damaged(code):
        return excel_number_message(_("credit code"), code)
    return problem


def looks_excel_damaged(code: str) -> bool:
    """An invalid code that bears Excel's marks (its scientific notation, or
    eighteen digits ending in 000): a valid code is taken as it is."""
    return excel_damaged(code) and _shape_error(code) is not None


def _shape_error(code: str) -> str | None:
    if len(code) != 18:
        return _("A unified social credit code has 18 characters; this one has %(n)d.") % {
            "n": len(code)
        }
    bad = [c for c in code if c not in _VALUE]
    if bad:
        return _("The credit code contains the character “%(c)s”, which codes never use.") % {
            "c": bad[0]
        }
    if not code[2:8].isdigit():
        return _("Characters 3 to 8 of a credit code are the area code and must be digits.")
    expected = check_character(code[:17])
    if code[17] != expected:
        return _(
            "The check character of the credit code is wrong (the last character should be"
            " “%(expected)s”); please check the code for a typing error."
        ) % {"expected": expected}
    return None


def normalize_credit_code(value) -> str:
    """A cell as read from the file (text, or the number Excel made of it)
    as a code: full-width, spaces, lower case and Excel's apostrophe gone.
    A number past Excel's 15 digits comes back as Excel shows it (9.11101E+17),
    so that `credit_code_error` can say what happened."""
    if stored_as_number(value):
        return excel_number_text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # an exact integer, written by a program rather than Excel
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(value).upper().replace(" ", "")


def validate_credit_code(value: str) -> None:
    message = credit_code_error(value)
    if message:
        raise ValidationError(message, code="credit_code")


def make_credit_code(first17: str) -> str:
    """Complete seventeen characters with their check character (demo, tests)."""
    return first17 + check_character(first17)

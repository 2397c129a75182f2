"""What Excel does to a long number: the one check, and the one sentence, for
an identifier that Excel "made a number" (resident ID numbers, credit codes).

Excel keeps 15 significant digits. Eighteen digits typed into a cell that is
not formatted as text become a number: the cell shows 1.10102E+17, and the
last three digits are zeros for good (110102198503120000 once typed back as
text). A credit code of digits only, or of digits around one E, suffers the
same. Such a value gets its own sentence, because "the check character is
wrong" would invite a wrong correction.

    text = excel_number_text(cell)        # a number cell as Excel keeps it
    if excel_damaged(text): fault(excel_number_message(_("ID number"), text))

Each identifier's reader (members.id_numbers, enterprises.credit_codes)
decides what a damaged-looking value that passes its check means: an ID
number ending in 000 is refused all the same (staff may confirm it by hand
in the admin), a credit code that passes its check is taken (the tax
bureau's file cannot be corrected, and no door confirms a code by hand).
"""

import re

from django.utils.translation import gettext as _

#: The longest number Excel stores exactly: 15 significant digits.
EXCEL_DIGITS = 15
_EXACT = 10**EXCEL_DIGITS
#: How Excel shows a number too long for its column: 1.10102E+17,
#: 9.1110108592366E+17 (one digit before the point, as Excel writes it; a
#: credit code such as 91110108717800E017 is not one).
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)


def stored_as_number(value) -> bool:
    """A number cell too long for Excel to keep exactly (an int is exact:
    a program wrote it, Excel did not)."""
    return type(value) is float and abs(value) >= _EXACT


def excel_number_text(value) -> str:
    """A number cell past Excel's 15 digits as Excel shows it in a narrow
    column (1.10102E+17): what the chair sees, and not the whole number
    (an ID number's digits stay out of messages and logs). Anything else
    is returned as it is, for the caller's own reading."""
    if stored_as_number(value):
        return f"{value:.6G}"
    return value


def excel_damaged(text: str, *, length: int = 18) -> bool:
    """Text bearing Excel's marks on a long number: its scientific notation,
    or `length` digits ending in the 000 that Excel puts after the 15th."""
    if not text:
        return False
    if _SCIENTIFIC.match(text):
        return True
    return len(text) == length and text.endswith("000") and text.isdigit() and text.isascii()


def excel_number_message(what: str, shown: str) -> str:
    """The one sentence for an identifier Excel made a number: `what` names
    it (the ID number, the credit code), `shown` is the cell as the chair
    sees it (masked where it is personal)."""
    return _(
        "The %(what)s “%(value)s” was stored by Excel as a number: Excel keeps only 15"
        " digits, so the last ones are lost. Format the column as text and type the"
        " %(what)s again."
    ) % {"what": what, "value": shown}

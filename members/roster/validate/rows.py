"""The reference row checker: the roster's rules, one row at a time.

`RowRules.check(record)` turns one row into a clean `RosterRow`, or into
faults a chair understands: each a `RowError(row, column, message)`, the row
number Excel shows, the column title as written in the file, and a Chinese
sentence. This is the readable statement of the rules, and the only place
that words a fault; `columns.RowChecker.check_rows` applies the same rules to
whole columns for speed and sends every row it is not sure of here.
"""

from __future__ import annotations

import datetime
import operator
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from chunshu_union import crypto
from chunshu_union.tabular import FileRejected, RowError
from chunshu_union.tabular.damage import excel_damaged
from chunshu_union.tabular.normalize import (
    clean_name,
    clean_text,
    formula_message,
    parse_bool,
    parse_date,
    parse_phone,
)

from ...id_numbers import (
    CHECK,
    WEIGHTS,
    birth_month_of,
    id_number_error,
    normalise,
    region_exists,
    sex_of,
)
from ...models import Member
from ..fields import CODE_LISTS, OTHER_ETHNICITIES, SEX_CODES, SEX_LABELS

#: The longest name the member table holds.
NAME_MAX = Member._meta.get_field("name").max_length
_YEAR_MONTH = re.compile(r"^(\d{4})[.\-/年](\d{1,2})月?$|^(\d{4})(\d{2})$")
_TEXT_FIELDS = (
    "name",
    "enterprise",
    "credit_code",
    "sex",
    "ethnicity",
    "education",
    "political_status",
    "id_number",
    "birth",
    "joined_on",
)


@dataclass(slots=True)
class RosterRow:
    """A valid row: who, where, and the member fields the file sets."""

    row: int
    id_number: str
    digest: str
    name: str
    enterprise_id: int
    joined_on: datetime.date | None
    values: dict = field(default_factory=dict)


@dataclass
class EnterpriseIndex:
    """The enterprises a roster may name, by name and by credit code."""

    by_name: dict
    by_code: dict
    community_names: dict
    allowed_community_id: int | None

    @classmethod
    def load(cls, community=None) -> EnterpriseIndex:
        from enterprises.models import Community, Enterprise

        by_name: dict[str, list] = {}
        by_code = {}
        for e in Enterprise.objects.values("id", "name", "credit_code", "community_id"):
            by_name.setdefault(clean_name(e["name"]), []).append(e)
            by_code[e["credit_code"]] = e
        names = dict(Community.objects.values_list("id", "name"))
        return cls(by_name, by_code, names, community.pk if community else None)

    def community_of(self) -> dict[int, int]:
        """Enterprise id → its community's id, for every enterprise."""
        return {e["id"]: e["community_id"] for e in self.by_code.values()}


_MOBILE = re.compile(r"1[3-9]\d{9}")
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
#: A landline whose leading 0 Excel dropped (010-63012345 typed as the
#: number 1063012345): the area code's 0 back in front makes a landline.
#: Area codes: 10 (Beijing), 2x, or three digits from 3; a mobile (1[3-9])
#: missing a digit is not taken for one.
_LANDLINE_WITHOUT_ZERO = re.compile(r"^(?:10|2\d|[3-9]\d\d)[2-9]\d{6,7}$", re.ASCII)
#: What a name looks like after a rare character was lost in a GBK export.
_LOST_CHARACTERS = ("?", "\ufffd")


def _plainly_valid(number: str, today: datetime.date, births: dict | None = None) -> bool:
    """The same rules as id_numbers.id_number_error, quickly, for the
    common case; a number failing here is explained by id_number_error.
    `births` remembers which birth dates (digits 7-14) are possible, for the
    many numbers of one file."""
    if len(number) != 18 or not _ID_SHAPE.fullmatch(number):
        return False
    if excel_damaged(number) or not region_exists(number[:6]):
        return False
    born = number[6:14]
    fine = births.get(born) if births is not None else None
    if fine is None:
        try:
            day = datetime.date(int(born[:4]), int(born[4:6]), int(born[6:]))
        except ValueError:
            day = None
        fine = day is not None and day.year >= 1900 and day <= today
        if births is not None:
            births[born] = fine
    if not fine:
        return False
    # ASCII digits (the shape says so): their character codes, no int() for each
    total = sum(map(operator.mul, number.encode(), WEIGHTS)) - _WEIGHTS_OF_ZERO
    return number[17] == CHECK[total % 11]


_WEIGHTS_OF_ZERO = ord("0") * sum(WEIGHTS)
_LAST_DIGITS = frozenset("0123456789X")


def _id_text(raw) -> str:
    if type(raw) is str and _plain_number(raw):
        return raw  # the usual case, as typed: nothing to clean
    if type(raw) is float:
        return normalise(raw)  # a number cell: as Excel shows it (1.10102E+17)
    # The one reader every door uses (full-width digits, spaces inside);
    # a dingbat or other non-ASCII digit stays, for id_number_error to name.
    return normalise(clean_text(raw) if type(raw) is not str else raw)


def _plain_number(text: str) -> bool:
    """ASCII digits, the last one perhaps X: nothing to change."""
    return text.isascii() and text[:-1].isdigit() and text[-1:] in _LAST_DIGITS


def _phone(raw):
    """(phone, fault message or None)."""
    if type(raw) is str and len(raw) == 11 and _MOBILE.match(raw):
        return raw, None  # the usual case, already clean
    phone, problem = _parsed(parse_phone, raw)
    if problem:
        digits = clean_text(raw).replace(" ", "").replace("-", "")
        if _LANDLINE_WITHOUT_ZERO.match(digits):
            problem = _(
                "“%(value)s” looks like a landline whose leading 0 Excel dropped (it was kept"
                " as a number); format the column as text and type it with its area code,"
                " such as 0%(value)s."
            ) % {"value": digits}
    return phone, problem


def _parsed(parse, raw):
    try:
        return parse(raw), None
    except ValueError as error:
        return None, str(error)


_ETHNICITY = CODE_LISTS["ethnicity"]
_SEX = CODE_LISTS["sex"]
_OTHER_ETHNICITY = "97"  # GB 3304: 其他


def _ethnicity(raw):
    """(GB 3304 code, fault message or None): 汉, 汉族 and 01 are all 01."""
    text = clean_text(raw)
    if not text:
        return "", None
    code = _ETHNICITY.read(text)
    if code is None and text in OTHER_ETHNICITIES:
        code = _OTHER_ETHNICITY
    if code is None:
        return None, _("“%(value)s” is not an ethnic group.") % {"value": text}
    return code, None


def _from_list(codes, *, levels: bool = False):
    """A coded column read through a national list: the standard's name, its
    code or a short form gives the code the member stores. The fault names
    the list (for 学历 its levels only: 42 entries would drown the sentence)."""
    examples = "、".join(name for code, name in codes.choices() if not levels or code[-1] == "0")

    def parse(raw):
        text = clean_text(raw)
        if not text:
            return "", None
        code = codes.read(text)
        if code is not None:
            return code, None
        return None, _("“%(value)s” is not one of: %(choices)s.") % {
            "value": text,
            "choices": examples,
        }

    return parse


def _sex(raw):
    """(M, F or None, the text as typed)."""
    text = clean_text(raw).upper()
    return SEX_CODES.get(_SEX.read(text)), text


def _year_month(raw):
    """((year, month) or None, fault message or None): a date, or a month
    alone (1985.3, 1985年3月, 198503)."""
    if type(raw) is str and len(raw) == 10 and raw[4] == raw[7] == "-" and raw.isascii():
        try:  # 1985-03-12, the usual spelling, read in C
            day = datetime.date.fromisoformat(raw)
        except ValueError:
            pass  # 1985-02-30 and the like: parse_date explains
        else:
            return (day.year, day.month), None
    text = clean_text(raw)
    if not text:
        return None, None
    match = _YEAR_MONTH.match(text) if isinstance(raw, str) else None
    if match:
        year, month = (g for g in match.groups() if g)
        return (int(year), int(month)), None
    try:
        day = parse_date(raw)
    except ValueError as error:
        return None, str(error)
    return ((day.year, day.month) if day else None), None


def _lost_characters(name: str) -> bool:
    return any(mark in name for mark in _LOST_CHARACTERS)


def _flag(raw):
    return _parsed(parse_bool, raw)


_CODED = (
    ("ethnicity", _ethnicity),
    ("education", _from_list(CODE_LISTS["education"], levels=True)),
    ("political_status", _from_list(CODE_LISTS["political_status"])),
    ("is_migrant_worker", _flag),
    ("is_model_worker", _flag),
    ("is_in_hardship", _flag),
)


class RowRules:
    """Checks one record at a time, remembering who it has seen."""

    def __init__(self, header, index: EnterpriseIndex, formula_cells: set, today):
        self.header = header
        self.index = index
        self.formula_cells = formula_cells
        self.today = today
        self.seen: dict[str, int] = {}
        # Coded columns repeat the same few values down a long file: each
        # distinct value is parsed once.
        self.memos: dict[str, dict] = {}
        self.has = {name: name in header.columns for name in header.columns}
        self.typed = tuple(name for name in _TEXT_FIELDS if name in header.columns)
        self.phone = ("phone",) if "phone" in header.columns else ()
        if "enterprise" not in header.columns and "credit_code" not in header.columns:
            raise FileRejected(
                _(
                    "Could not find the enterprise column (所在企业 or 统一社会信用代码);"
                    " please use the template."
                )
            )

    def check(self, record) -> tuple[RosterRow | None, list[RowError], str | None]:
        """The clean row (or None), its faults, and the digest of a valid
        ID number (so that a faulty row still counts as "listed")."""
        faults: list[RowError] = []
        title = self.header.title
        row = record.row

        def fault(name, message):
            faults.append(RowError(row, title(name), message))

        formula_fields = self._formula_fields(record)
        for name in self.header.columns:  # in the file's order
            if name in formula_fields:
                fault(name, formula_message())
        number, digest = self._id_number(record, fault, formula_fields)
        name = clean_name(record["name"])
        if not name and "name" not in formula_fields:
            fault("name", _("The name is missing."))
        elif len(name) > NAME_MAX:
            fault(
                "name",
                _("The name has %(n)d characters; at most %(max)d fit. Is it a name?")
                % {"n": len(name), "max": NAME_MAX},
            )
        elif _lost_characters(name):
            fault(
                "name",
                _(
                    "The name holds “?”: a rare character may have been lost in the file's"
                    " encoding; please check it and type it again."
                ),
            )
        enterprise = self._enterprise(record, fault, formula_fields)
        values = {"name": name}
        self._coded(record, values, fault, formula_fields)
        if number:
            self._against_id(record, number, fault)
        joined_on = self._date(record, "joined_on", fault)
        if joined_on and joined_on > self.today:
            fault("joined_on", _("The join date %(date)s is in the future.") % {"date": joined_on})
        if faults:
            return None, faults, digest
        return RosterRow(row, number, digest, name, enterprise["id"], joined_on, values), [], digest

    def _formula_fields(self, record) -> set[str]:
        """Formulas typed in the text columns and the phone (tabular's one
        check), and any mapped cell the file stores as a formula."""
        hits = set(record.formulas(self.typed, phone=self.phone))
        if self.formula_cells:
            for name, column in self.header.columns.items():
                if (record.row, column) in self.formula_cells:
                    hits.add(name)
        return hits

    def _id_number(self, record, fault, skip) -> tuple[str, str | None]:
        if "id_number" in skip:
            return "", None
        number = _id_text(record["id_number"])
        if not number:
            fault("id_number", _("The ID number is missing."))
            return "", None
        if not _plainly_valid(number, self.today):
            fault("id_number", id_number_error(number) or _("The ID number is not valid."))
            return "", None
        digest = crypto.digest(number)
        first = self.seen.get(digest)
        if first is not None:
            fault(
                "id_number",
                _("The same person (same ID number) already appears in row %(row)d.")
                % {"row": first},
            )
            return "", digest
        self.seen[digest] = record.row
        return number, digest

    def _enterprise(self, record, fault, skip):
        if "enterprise" in skip or "credit_code" in skip:
            return None
        raw_code = record["credit_code"] if self.has.get("credit_code") else None
        raw_name = record["enterprise"] if self.has.get("enterprise") else None
        found, column, problem = self._memo(
            "enterprise", (raw_code, raw_name), lambda key: self._find_enterprise(*key)
        )
        if problem:
            fault(column, problem)
        return found

    def _find_enterprise(self, raw_code, raw_name):
        """(enterprise, column, fault message or None)."""
        code = clean_text(raw_code).upper()
        name = clean_name(raw_name)
        column = "credit_code" if code else "enterprise"
        if code:
            found = self.index.by_code.get(code)
        elif name:
            matches = self.index.by_name.get(name, [])
            if len(matches) > 1 and self.index.allowed_community_id:
                mine = [m for m in matches if m["community_id"] == self.index.allowed_community_id]
                matches = mine or matches
            if len(matches) > 1:
                return (
                    None,
                    column,
                    _("Several enterprises are called “%(name)s”; add the credit code column.")
                    % {"name": name},
                )
            found = matches[0] if matches else None
        else:
            return None, column, _("The enterprise is missing.")
        if found is None:
            return (
                None,
                column,
                _(
                    "No enterprise “%(name)s” is known in the street; pick it from the"
                    " template's list, or ask the street union to add it first."
                )
                % {"name": code or name},
            )
        allowed = self.index.allowed_community_id
        if allowed and found["community_id"] != allowed:
            return (
                None,
                column,
                _(
                    "“%(name)s” belongs to %(community)s, not to your community; members of"
                    " another community's enterprise cannot be imported here."
                )
                % {
                    "name": found["name"],
                    "community": self.index.community_names.get(found["community_id"], ""),
                },
            )
        return found, column, None

    def _memo(self, name: str, raw, parse):
        """(value, fault message or None) for a raw cell, parsed once per
        distinct value."""
        memo = self.memos.setdefault(name, {})
        try:
            return memo[raw]
        except KeyError:
            pass
        except TypeError:  # an unhashable cell: parse it every time
            return parse(raw)
        answer = parse(raw)
        if len(memo) < 50_000:
            memo[raw] = answer
        return answer

    def _coded(self, record, values, fault, skip) -> None:
        if self.has.get("phone") and "phone" not in skip:
            phone, problem = _phone(record["phone"])
            if problem:
                fault("phone", problem)
            elif phone:
                values["phone"] = phone
        for name, parse in _CODED:
            if not self.has.get(name) or name in skip:
                continue
            value, problem = self._memo(name, record[name], parse)
            if problem:
                fault(name, problem)
            elif value is not None and value != "":
                values[name] = value

    def _against_id(self, record, number: str, fault) -> None:
        """Sex and birth month, when the file has them, must agree with the
        number (the number is what the state issued)."""
        if self.has.get("sex"):
            sex, text = self._memo("sex", record["sex"], _sex)
            if text:
                implied = sex_of(number)
                if sex is None:
                    fault("sex", _("Sex should be 男 or 女, not “%(value)s”.") % {"value": text})
                elif sex != implied:
                    fault(
                        "sex",
                        _(
                            "Sex “%(value)s” contradicts the ID number, whose 17th digit says"
                            " %(sex)s (odd for men, even for women)."
                        )
                        % {"value": text, "sex": SEX_LABELS[implied]},
                    )
        if self.has.get("birth"):
            month, problem = self._memo("birth", record["birth"], _year_month)
            if problem:
                fault("birth", problem)
            implied = birth_month_of(number)
            if month and month != implied:
                fault(
                    "birth",
                    _(
                        "The birth month %(y)d年%(m)d月 contradicts the ID number, which says"
                        " %(iy)d年%(im)d月."
                    )
                    % {"y": month[0], "m": month[1], "iy": implied[0], "im": implied[1]},
                )

    def _date(self, record, name, fault) -> datetime.date | None:
        if not self.has.get(name):
            return None
        day, problem = self._memo(name, record[name], lambda raw: _parsed(parse_date, raw))
        if problem:
            fault(name, problem)
        return day

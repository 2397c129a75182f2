"""Turning roster rows into clean values, or into faults a chair understands.

Each fault is a `RowError(row, column, message)`: the row number Excel shows,
the column title as written in the file, and a Chinese sentence.
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
    FORMULA_SUSPECTS,
    clean_name,
    clean_text,
    formula_message,
    looks_like_formula,
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


def _mark(slow: bytearray, column: list, values: set) -> None:
    """Send the rows holding any of `values` to check()."""
    if values:
        for i, raw in enumerate(column):
            if raw in values:
                slow[i] = 1


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


class RowChecker:
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

    def check_rows(self, rows: list[tuple[int, list]]) -> list[tuple]:
        """Check many rows at once. For each (row number, cells): (the
        Record or None, the clean row or None, its faults, the digest).

        Each column is looked at whole and each distinct value parsed once,
        by the parsers `check` uses. A row whose every value is plainly
        valid becomes a RosterRow here; any other (a fault, a formula, the
        same person twice, anything unusual) goes through `check`, which
        finds and explains its faults exactly as for a single row."""
        count = len(rows)
        if not count:
            return []
        slow = bytearray(count)  # 1: the row goes through check()
        columns = self._columns(rows)
        if self.formula_cells:
            formula_rows = {number for number, _col in self.formula_cells}
            for i, (number, _cells) in enumerate(rows):
                if number in formula_rows:
                    slow[i] = 1
        for name in (*_TEXT_FIELDS, "phone"):
            if name in columns:
                # A formula-like cell starts with one of these (cheap to test).
                suspect = {
                    v for v in set(columns[name]) if type(v) is str and v[:1] in FORMULA_SUSPECTS
                }
                phone = name == "phone"
                _mark(
                    slow,
                    columns[name],
                    {v for v in suspect if looks_like_formula(v, phone=phone)},
                )
        numbers, digests = self._numbers(columns["id_number"], slow)
        names = self._distinct(columns["name"], clean_name)
        _mark(
            slow,
            columns["name"],
            {
                raw
                for raw, name in names.items()
                if not name or len(name) > NAME_MAX or _lost_characters(name)
            },
        )
        enterprises = self._enterprises(rows, columns, slow)
        phones = self._distinct(columns["phone"], _phone) if "phone" in columns else None
        if phones:
            _mark(slow, columns["phone"], {raw for raw, (_p, problem) in phones.items() if problem})
        coded = []
        for name, parse in _CODED:
            if name in columns:
                parsed = self._distinct(
                    columns[name], lambda raw, n=name, p=parse: self._memo(n, raw, p)
                )
                _mark(
                    slow, columns[name], {raw for raw, (_v, problem) in parsed.items() if problem}
                )
                coded.append((name, columns[name], parsed))
        joined = self._joined_on(columns, slow)
        self._against_ids(columns, numbers, slow)
        # The coded columns repeat a few combinations down a long file: the
        # values each combination sets are worked out once.
        combos = list(zip(*(c for _n, c, _p in coded), strict=True)) if coded else None
        sets = {}
        if combos is not None:
            for combo in set(combos):
                sets[combo] = {
                    field_name: value
                    for (field_name, _c, parsed), raw in zip(coded, combo, strict=True)
                    if (value := parsed[raw][0]) is not None and value != ""
                }
        results = []
        for i, (number, cells) in enumerate(rows):
            if slow[i]:
                record = self.header.record(number, cells)
                row, faults, digest = self.check(record)
                results.append((record, row, faults, digest))
                continue
            name = names[columns["name"][i]]
            values = {"name": name}
            if phones and (phone := phones[columns["phone"][i]][0]):
                values["phone"] = phone
            if combos is not None:
                values.update(sets[combos[i]])
            digest = digests[i]
            self.seen[digest] = number
            row = RosterRow(number, numbers[i], digest, name, enterprises[i], joined[i], values)
            results.append((None, row, [], digest))
        return results

    def _columns(self, rows) -> dict[str, list]:
        """The mapped columns of the rows, field name → values (None past
        the end of a short row)."""
        names = list(self.header.columns)
        indices = [self.header.columns[name] for name in names]
        width = max(indices) + 1
        pick = operator.itemgetter(*indices, width - 1)  # two at least: always a tuple
        padding = [None] * width
        picked = [
            pick(cells) if len(cells) >= width else pick([*cells, *padding])
            for _number, cells in rows
        ]
        return dict(zip(names, map(list, zip(*picked, strict=True)), strict=False))

    def _distinct(self, column: list, parse) -> dict:
        return {raw: parse(raw) for raw in set(column)}

    def _numbers(self, column: list, slow: bytearray) -> tuple[list, list]:
        """The ID numbers and their digests; a number not plainly valid, or
        the same person twice (in this chunk or before it), is for check()."""
        numbers: list = [None] * len(column)
        digests: list = [None] * len(column)
        counts: dict[str, int] = {}
        births = self.memos.setdefault("births", {})
        digest_of = crypto.digester()
        for i, raw in enumerate(column):
            # A row already sent to check() (a formula elsewhere in it) is
            # counted too: the same person further down is for check() as
            # well, which names the repeat whatever else the first row has.
            if type(raw) is not str:
                slow[i] = 1
                continue
            number = _id_text(raw)
            if not _plainly_valid(number, self.today, births):
                slow[i] = 1
                continue
            numbers[i] = number
            digests[i] = digest = digest_of(number)
            counts[digest] = counts.get(digest, 0) + 1
        twice = {d for d, n in counts.items() if n > 1} | (counts.keys() & self.seen.keys())
        if twice:
            for i, digest in enumerate(digests):
                if digest in twice:
                    slow[i] = 1
        return numbers, digests

    def _enterprises(self, rows, columns: dict, slow: bytearray) -> list:
        """Each row's enterprise id (None where check() must explain)."""
        none = [None] * len(rows)
        keys = list(
            zip(columns.get("credit_code", none), columns.get("enterprise", none), strict=True)
        )
        found = self._distinct(
            keys, lambda key: self._memo("enterprise", key, lambda k: self._find_enterprise(*k))
        )
        ids = []
        for i, key in enumerate(keys):
            enterprise, _column, problem = found[key]
            if problem:
                slow[i] = 1
                ids.append(None)
            else:
                ids.append(enterprise["id"])
        return ids

    def _joined_on(self, columns: dict, slow: bytearray) -> list:
        if "joined_on" not in columns:
            return [None] * len(slow)
        column = columns["joined_on"]
        days = self._distinct(
            column, lambda raw: self._memo("joined_on", raw, lambda r: _parsed(parse_date, r))
        )
        _mark(
            slow,
            column,
            {raw for raw, (day, problem) in days.items() if problem or (day and day > self.today)},
        )
        return [days[raw][0] for raw in column]

    def _against_ids(self, columns: dict, numbers: list, slow: bytearray) -> None:
        """Sex and birth month that contradict the number: for check()."""
        if "sex" in columns:
            sexes = self._distinct(columns["sex"], lambda raw: self._memo("sex", raw, _sex))
            for i, raw in enumerate(columns["sex"]):
                sex, text = sexes[raw]
                if text and not slow[i]:
                    if sex is None or sex != sex_of(numbers[i]):
                        slow[i] = 1
        if "birth" in columns:
            # Each distinct birth cell as the number would write its month
            # (digits 7-12): "" for an empty cell, None for one check() must
            # explain. Kept across chunks, so each row compares two strings.
            digits = self.memos.setdefault("birth_digits", {})
            column = columns["birth"]
            if len(digits) > 100_000:
                digits.clear()
            for raw in set(column) - digits.keys():
                month, problem = self._memo("birth", raw, _year_month)
                digits[raw] = None if problem else f"{month[0]:04d}{month[1]:02d}" if month else ""
            for i, raw in enumerate(column):
                expected = digits[raw]
                if expected == "" or slow[i]:
                    continue
                if expected is None or numbers[i][6:12] != expected:
                    slow[i] = 1

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

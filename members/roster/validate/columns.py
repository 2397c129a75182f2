"""The fast column checker: the rules of `rows.RowRules`, over whole columns.

A large roster is checked 5,000 rows at a time. Each column is looked at
whole and each distinct value parsed once, by the parsers `RowRules.check`
uses; a row whose every value is plainly valid becomes a RosterRow here,
without a Record. Any other row (a fault, a formula, the same person twice,
anything unusual) goes through `RowRules.check`, which finds and explains its
faults: this module only decides which rows are plainly valid, it never
words a fault. tests/members/test_roster_import.py
(test_check_rows_gives_what_check_gives_row_by_row) holds the two paths to
the same answer for every row.
"""

from __future__ import annotations

import operator

from chunshu_union import crypto
from chunshu_union.tabular.normalize import (
    FORMULA_SUSPECTS,
    clean_name,
    looks_like_formula,
    parse_date,
)

from ...id_numbers import sex_of
from .rows import (
    _CODED,
    _TEXT_FIELDS,
    NAME_MAX,
    RosterRow,
    RowRules,
    _id_text,
    _lost_characters,
    _parsed,
    _phone,
    _plainly_valid,
    _sex,
    _year_month,
)


def _mark(slow: bytearray, column: list, values: set) -> None:
    """Send the rows holding any of `values` to check()."""
    if values:
        for i, raw in enumerate(column):
            if raw in values:
                slow[i] = 1


class RowChecker(RowRules):
    """`RowRules`, and `check_rows` for many rows at once (the import's path)."""

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

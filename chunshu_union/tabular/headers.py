"""Finding the header row below title rows, and mapping the many ways people
name a column to the field it means."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .errors import FileRejected
from .normalize import FORMULA_SUSPECTS, cell_text, clean_text, looks_like_formula
from .reader import Table

HEADER_SEARCH_ROWS = 30
_DECORATION = re.compile(r"[\s*＊:：]|[(（][^)）]*[)）]$")
_SKIP_PREFIXES = ("合计", "总计", "小计", "共计")
_NOTE_PREFIXES = ("注:", "注：", "注 ", "备注:", "备注：", "说明:", "说明：", "填表说明")


def header_key(text) -> str:
    """身份证号码（必填）* and 身份证号码 are the same column."""
    return _DECORATION.sub("", clean_text(text)).lower()


@dataclass(frozen=True)
class Field:
    name: str
    aliases: tuple[str, ...]
    required: bool = False

    def keys(self) -> set[str]:
        return {header_key(alias) for alias in self.aliases}


@dataclass
class Record:
    row: int
    values: dict[str, object]
    raw: list
    #: the fields whose cell the file stores as a formula (`Table.formula_cells`)
    stored_formulas: frozenset[str] = frozenset()

    def __getitem__(self, name):
        return self.values.get(name)

    def formulas(self, names, *, phone=()) -> list[str]:
        """The fields among `names` and `phone` (a phone column: +86 … is a
        phone) that hold a formula: stored as one in the file, or typed as
        text a spreadsheet would run. The one formula check of every
        importer; each fault is `formula_message()`."""
        typed = any(type(c) is str and c[:1] in FORMULA_SUSPECTS for c in self.raw)
        found = []
        for name in (*names, *phone):
            if name not in self.values:
                continue  # not a column of this file
            if name in self.stored_formulas or (
                typed and looks_like_formula(self.values[name], phone=name in phone)
            ):
                found.append(name)
        return found


@dataclass
class Header:
    row: int
    columns: dict[str, int]  # field name -> 0-based column index
    titles: dict[str, str]  # field name -> header text as written in the file
    raw_titles: list[str]

    def title(self, name: str) -> str:
        return self.titles.get(name, name)

    def records(self, table: Table, *, after: Iterator | None = None) -> Iterator[Record]:
        for number, cells in self.data_rows(table, after=after):
            yield self.record(number, cells, table.formula_cells)

    def data_rows(self, table: Table, *, after: Iterator | None = None) -> Iterator[tuple]:
        """(row number, cells) of the rows below the header that hold data:
        blank lines, 合计 rows and notes are left out."""
        rows = after if after is not None else table.rows()
        for number, cells in rows:
            if number <= self.row:
                continue
            first = _first_text(cells)
            if not first:
                continue
            if _is_total(first) or first.startswith(_NOTE_PREFIXES):
                continue
            yield number, cells

    def record(self, number: int, cells: list, formula_cells=()) -> Record:
        width = len(cells)
        values = {
            name: (cells[index] if index < width else None) for name, index in self.columns.items()
        }
        stored = (
            frozenset(
                name for name, index in self.columns.items() if (number, index) in formula_cells
            )
            if formula_cells
            else frozenset()
        )
        return Record(row=number, values=values, raw=list(cells), stored_formulas=stored)


def _is_total(first: str) -> bool:
    """合计, 总计 … also written with spaces between the characters (合 计,
    合　计 with a full-width space, which clean_text has made a space)."""
    return first.startswith(_SKIP_PREFIXES) or (
        " " in first[:8] and first.replace(" ", "").startswith(_SKIP_PREFIXES)
    )


def _first_text(cells) -> str:
    """The first non-blank cell's text (cleaning only as far as needed)."""
    for cell in cells:
        if cell is None or cell == "":
            continue
        text = clean_text(cell)
        if text:
            return text
    return ""


def find_header(table: Table, fields: list[Field]) -> tuple[Header, Iterator]:
    """The first row, among the first few, that names every required field.

    Returns the header and an iterator over the rows after it (the table's
    rows are read once, in order, so large files stream)."""
    wanted = {f.name: f.keys() for f in fields}
    required = [f for f in fields if f.required]
    rows = table.rows()
    best_missing: list[Field] = required
    seen = []
    for number, cells in rows:
        seen.append((number, cells))
        keys = [header_key(c) for c in cells]
        columns: dict[str, int] = {}
        for index, key in enumerate(keys):
            for name, aliases in wanted.items():
                if key and key in aliases and name not in columns:
                    columns[name] = index
        missing = [f for f in required if f.name not in columns]
        if columns and not missing:
            titles = {name: cell_text(cells[i]).strip() for name, i in columns.items()}
            header = Header(number, columns, titles, [cell_text(c).strip() for c in cells])
            return header, rows
        if columns and len(missing) < len(best_missing):
            best_missing = missing
        if len(seen) >= HEADER_SEARCH_ROWS:
            break
    names = "、".join(f"“{f.aliases[0]}”" for f in best_missing)
    raise FileRejected(
        _(
            "Could not find the header row: the columns %(names)s are missing. Please use the"
            " template, or check that the column titles are in one row."
        )
        % {"names": names}
    )

"""How large a sheet will be in memory, measured before any parser builds it.

calamine, our parser, stores a sheet as a dense rectangle: every cell from
the first used row to the last, times the first used column to the last,
32 bytes each whatever it holds. So the rectangle, not the file, is what
costs memory: a 2 KB .xlsx with one cell in A1 and one in XFD200000 asks
for 3.3 billion cells (about 100 GB) and kills the process, and a 6 KB .xls
of four sheets each using A1 and IV65536 takes 2 GB as soon as it is opened
(calamine reads every sheet of an .xls at once). Neither needs a <dimension>
tag, and neither is caught by the file size or the zip's uncompressed size.

Here the sheets are read as a stream, before the parser sees them, and a
file is refused as soon as a sheet would hold more than `max_rows` rows or
its rectangle more than IMPORT_MAX_CELLS cells.

Every member of an .xlsx is scanned in segments cut after a ">" (so no tag
is split), the quickest way that can vouch for it (see `_SheetScan`):

- fast, for sheets as Excel, WPS, LibreOffice and openpyxl write them, every
  cell opening `<c r="A1"` in a one-letter column within the width every row
  may have (IMPORT_MAX_CELLS ÷ max_rows, 24 by default): a dozen passes of
  bytes.count, bytes.find and literal-prefixed searches, all in C, and
  nothing per cell in Python (about three times the cost of inflating the
  sheet; docs/PERFORMANCE.md, "Hostile uploads");
- wide, for the same with wider columns: every reference is read by two
  regex findalls and the rectangle measured;
- exact, for anything else (cells without references, namespace prefixes,
  references written with spaces or single quotes, a second r attribute):
  the sheet is followed tag by tag as calamine does, rows and cells without
  a reference taking the next position. Where an attribute could be
  misread the bound errs upwards (any `r="…"` anywhere counts), so a file
  can be refused for a strange text, never let through by one.

A member that turns out to need a slower way after a quicker one has
counted cells is read again from its start.

The .xls and .ods workbooks are measured the same way, by their own
streams: extent_xls.py (BIFF records) and extent_ods.py (content.xml).
"""

from __future__ import annotations

import functools
import re
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .errors import FileRejected

#: Rows a sheet may have above its data (titles, a 填报单位 line, the header)
#: on top of the importer's row limit, as the row check has always allowed.
ROW_MARGIN = 50
_SEGMENT = 1 << 20


@dataclass(frozen=True)
class Limits:
    max_rows: int
    max_cells: int

    @property
    def row_limit(self) -> int:
        return self.max_rows + ROW_MARGIN

    @property
    def width_every_row_may_have(self) -> int:
        return max(1, self.max_cells // self.row_limit)


def too_many_rows_message(max_rows: int) -> str:
    return _(
        "The file has more than %(n)s rows, the most one upload may hold; please split it."
    ) % {"n": f"{max_rows:,}"}


def too_many_cells_message(max_cells: int) -> str:
    return _(
        "The sheet would hold more than %(n)s cells (rows times columns), the most one upload"
        " may hold; please delete the columns and rows that are not needed, or split the file."
    ) % {"n": f"{max_cells:,}"}


#: Formula cells are kept as a set of (row, column) for the importers to
#: refuse; an .ods repeats a formula cell cheaply, so their number is capped
#: (an honest roster has none, and a sheet of formulas is refused anyway).
MAX_FORMULA_CELLS = 100_000


def too_many_formulas_message(most: int) -> str:
    return _(
        "The sheet holds more than %(n)s formulas; please copy it and paste it as values"
        " (Paste Special → Values), then upload it again."
    ) % {"n": f"{most:,}"}


def too_large_when_opened_message(max_bytes: int) -> str:
    return _("The file would expand to more than %(mb)d MB when opened; it is refused.") % {
        "mb": max_bytes // (1024 * 1024)
    }


# --- .xlsx ------------------------------------------------------------------


def column_number(letters: bytes) -> int:
    """A1's column as calamine reads it (lower case counts as upper)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


#: Written as Excel never writes it (then only the exact path will do): a
#: namespace prefix on a cell, row or shared string; an attribute r followed
#: by a space; and, searched only where a tab or line break is, one of
#: those inside a cell or row tag.
_PREFIXED = re.compile(rb":(?:c|row|si)[\s>/]")
_SPACED_R = re.compile(rb" r\s")
#: A cell with no attributes. (re finds it in half the time `b"<c>" in`
#: takes on a sheet's XML: ">" ends every tag, which defeats the skip table
#: of bytes' own search.)
_CELL_WITHOUT_ATTRIBUTES = re.compile(rb"<c>")
_UNUSUAL_SPACE = re.compile(rb"<(?:[\w.-]+:)?(?:c|row)[\t\r\n]|[\t\r\n]r[\s=]")
_SHARED_STRING = re.compile(rb"<si[\s>/]")
_PREFIXED_SHARED_STRING = re.compile(rb":si[\s>/]")
_FORMULA_CANDIDATE = re.compile(rb"f[\s>/]")
#: What comes right before the f of a formula tag: "<" or "<prefix:".
_TAG_OPENING = re.compile(rb"<(?:\w+:)?$")
_TAG = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
_REFERENCE = re.compile(rb"(?:^|\s)r\s*=\s*[\"']([^\"']*)[\"']")
_ANY_REFERENCE = re.compile(rb"\sr\s*=\s*[\"']([A-Za-z]*)(\d+)")
_PARTS = re.compile(rb"([A-Za-z]*)(\d*)")


@functools.cache
def _marks(width: int) -> bytes:
    """A translation table: digits become 0, letters a, but the column
    letters beyond the width every row may have become z; lower-case c and r
    stay. `<c r="B12"` then reads `<c r="a00"`: whether every cell opens with
    a reference in a one-letter column within the width, and how many digits
    its row has, is a bytes.count or a bytes.find. (A lower-case column c or
    r, which no one writes, falls to the exact path.)"""
    table = bytearray(range(256))
    for index in range(26):
        mark = ord("a") if index < width else ord("z")
        table[ord("A") + index] = table[ord("a") + index] = mark
    table[ord("c")], table[ord("r")] = ord("c"), ord("r")
    for digit in b"0123456789":
        table[digit] = ord("0")
    return bytes(table)


@functools.cache
def _row_above(row_limit: int) -> tuple[re.Pattern, re.Pattern]:
    """A one-letter reference whose row, written with as many digits as the
    limit, is above it; and a quicker search that finds every such one (its
    first digit is at least the limit's) and few others."""
    digits = str(row_limit)
    options = [
        digits[:i].encode() + b"[%d-9]" % (int(digit) + 1) + rb"\d" * (len(digits) - i - 1)
        for i, digit in enumerate(digits)
        if digit != "9"
    ]
    above = re.compile(rb'<c r="[A-Za-z](?:' + b"|".join(options or [b"(?!)"]) + rb')"')
    rest = rb"\d" * (len(digits) - 1)
    maybe = re.compile(rb'<c r="[A-Za-z][%s-9]%s"' % (digits[0].encode(), rest))
    return maybe, above


class _Rescan(Exception):
    """A quicker path met something it cannot vouch for after it had counted
    cells: the member is read again from the start, the slower way."""

    def __init__(self, mode: str):
        self.mode = mode


FAST, WIDE, EXACT = "fast", "wide", "exact"


@dataclass
class PartScan:
    """What the scan of one zip member found."""

    has_formula: bool = False
    cells: int = 0
    strings: int = 0
    max_row: int = 0
    max_column: int = 0
    mode: str = FAST


_REF_ROW = re.compile(rb'<c r="[A-Za-z]+0*(\d+)"')
_REF_COLUMN = re.compile(rb'<c r="([A-Za-z]+)\d')


class _SheetScan:
    """Three ways through a member, the quickest that can vouch for it:

    - fast: every cell opens `<c r="` in a one-letter column within the width
      every row may have, in a row within the limit (counts and searches in C,
      nothing per cell in Python);
    - wide: every cell opens `<c r="`, in any column: each reference is read
      (two regex findalls) and the rectangle measured;
    - exact: anything else, followed tag by tag as calamine does.
    """

    def __init__(self, limits: Limits, mode: str):
        self.limits = limits
        self.result = PartScan(mode=mode)
        self._marks = _marks(limits.width_every_row_may_have)
        self._row_above = _row_above(limits.row_limit)
        self._used = False  # cells or rows already seen the current way
        self._row = self._column = 1  # the exact path's next position, as calamine keeps it

    def feed(self, segment: bytes) -> None:
        result = self.result
        if not result.has_formula:
            result.has_formula = _has_formula_tag(segment)
        # A quick look first: only the shared strings have any, and one
        # search for "si" spares a worksheet the two for "<si" and ":si".
        if b"si" in segment:
            if b"<si" in segment:
                result.strings += len(_SHARED_STRING.findall(segment))
            if b":si" in segment:
                result.strings += len(_PREFIXED_SHARED_STRING.findall(segment))
        if result.strings > self.limits.max_cells:
            raise FileRejected(too_many_cells_message(self.limits.max_cells))
        cells = segment.count(b"<c ")
        if result.mode != EXACT and self._as_excel_writes(segment, cells):
            if result.mode == FAST and self._narrow(segment, cells):
                result.cells += cells
                self._note_use(segment, cells)
                self._check_count()
                return
            if result.mode == FAST:
                self._switch(WIDE)
            if self._measure(segment, cells):
                result.cells += cells
                self._note_use(segment, cells)
                self._check_exact()
                return
        self._switch(EXACT)
        self._follow(segment)
        self._check_exact()

    def _switch(self, mode: str) -> None:
        if self.result.mode == mode:
            return
        if self._used:
            raise _Rescan(mode)
        self.result.mode = mode

    def _note_use(self, segment: bytes, cells: int) -> None:
        self._used = self._used or bool(cells or b"<row" in segment)

    def _as_excel_writes(self, segment: bytes, cells: int) -> bool:
        """No namespace prefix on a cell, row or shared string, no cell
        without attributes, no r written with spaces or single quotes, no
        second r in a tag: every " r=" is a cell's or a row's r=". (Whether
        each cell's first attribute is its reference, the fast and the wide
        way each make sure.)"""
        if (
            _CELL_WITHOUT_ATTRIBUTES.search(segment)
            or _PREFIXED.search(segment)
            or _SPACED_R.search(segment)
        ):
            return False
        if (b"\t" in segment or b"\n" in segment or b"\r" in segment) and _UNUSUAL_SPACE.search(
            segment
        ):
            return False
        return segment.count(b" r=") == cells + segment.count(b'<row r="')

    def _narrow(self, segment: bytes, cells: int) -> bool:
        """Every cell's reference is a one-letter column within the width,
        and its row within the limit (a row above it is refused here)."""
        if not cells:
            return True
        marked = segment.translate(self._marks)
        if marked.count(b'<c r="a0') != cells:
            return False  # a wider column (or a cell whose reference is not first)
        digits = len(str(self.limits.row_limit))
        if b'<c r="a' + b"0" * (digits + 1) in marked:
            return False  # a row number longer than the limit's: the wide way reads it
        if b'<c r="a' + b"0" * digits + b'"' in marked:
            maybe, above = self._row_above
            if maybe.search(segment) and above.search(segment):
                raise FileRejected(too_many_rows_message(self.limits.max_rows))
        return True

    def _measure(self, segment: bytes, cells: int) -> bool:
        """The wide way: every reference read, the rectangle's corner kept."""
        rows = _REF_ROW.findall(segment)
        if len(rows) != cells:
            return False
        if rows:
            result = self.result
            longest = max(zip(map(len, rows), rows, strict=True))[1]
            columns = set(_REF_COLUMN.findall(segment))
            widest = max(column_number(column) for column in columns)
            result.max_row = max(result.max_row, int(longest))
            result.max_column = max(result.max_column, widest)
        return True

    def _follow(self, segment: bytes) -> None:
        """The exact path: calamine's own bookkeeping of positions (quick-xml
        expands <row/> and <c/> into a start and an end, and a cell or row
        without a reference takes the next one)."""
        result = self.result
        for letters, digits in _ANY_REFERENCE.findall(segment):
            self._bump(int(digits), column_number(letters))
        for match in _TAG.finditer(segment):
            closing, name, attributes = match.groups()
            empty = attributes.endswith(b"/")
            if name == b"row":
                if not closing:
                    reference = _REFERENCE.search(attributes)
                    parts = reference and _PARTS.fullmatch(reference.group(1))
                    if parts and parts.group(2):
                        self._row = int(parts.group(2))
                if closing or empty:
                    self._row += 1
                    self._column = 1
                continue
            if closing:
                continue
            result.cells += 1
            reference = _REFERENCE.search(attributes)
            parts = reference and _PARTS.fullmatch(reference.group(1))
            if parts and parts.group(1):
                # its position was counted with every other r="…" above
                self._column = column_number(parts.group(1)) + 1
                continue
            if not empty:  # an empty <c/> holds nothing, and calamine leaves it out
                self._bump(self._row, self._column)
            self._column += 1

    def _bump(self, row: int, column: int) -> None:
        result = self.result
        result.max_row = max(result.max_row, row)
        result.max_column = max(result.max_column, column)

    def _check_count(self) -> None:
        if self.result.cells > self.limits.max_cells:
            raise FileRejected(too_many_cells_message(self.limits.max_cells))

    def _check_exact(self) -> None:
        result = self.result
        if result.max_row > self.limits.row_limit:
            raise FileRejected(too_many_rows_message(self.limits.max_rows))
        if result.max_row * result.max_column > self.limits.max_cells:
            raise FileRejected(too_many_cells_message(self.limits.max_cells))
        self._check_count()


def _has_formula_tag(segment: bytes) -> bool:
    """Whether the segment holds an <f> (or <x:f>) element. The rare letter f
    followed by a delimiter is found first (a fast scan), and only those
    places are checked for the tag's opening."""
    for candidate in _FORMULA_CANDIDATE.finditer(segment):
        start = candidate.start()
        if _TAG_OPENING.search(segment, max(0, start - 40), start):
            return True
    return False


def _segments(stream):
    """The member's bytes in pieces that each end just after a ">"."""
    pending: list[bytes] = []
    while chunk := stream.read(_SEGMENT):
        cut = chunk.rfind(b">") + 1
        if not cut:
            pending.append(chunk)
            continue
        pending.append(chunk[:cut])
        yield b"".join(pending)
        pending = [chunk[cut:]] if cut < len(chunk) else []
    if pending:
        yield b"".join(pending)


def scan_xlsx_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> PartScan:
    """Refuses the member if, parsed, it would exceed the limits; else says
    whether it holds formulas."""
    mode = FAST
    while True:
        scan = _SheetScan(limits, mode)
        try:
            with archive.open(info) as stream:
                for segment in _segments(stream):
                    scan.feed(segment)
        except _Rescan as rescan:
            mode = rescan.mode
            continue
        return scan.result

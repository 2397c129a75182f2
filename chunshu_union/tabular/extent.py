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
"""

from __future__ import annotations

import functools
import re
import struct
import zipfile
from dataclasses import dataclass, field

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


# --- .xls -------------------------------------------------------------------

_BIFF_BOUNDSHEET, _BIFF_EOF = 0x0085, 0x000A
_BIFF_FORMULA, _BIFF_MULRK = 0x0006, 0x00BD
#: Records that give calamine a cell with a value: NUMBER, RK, LABEL,
#: LABELSST, BOOLERR, RSTRING and FORMULA (BIFF8), and BIFF4's FORMULA.
#: BLANK and MULBLANK hold no value, and calamine leaves them out.
_BIFF_CELLS = {0x0203, 0x027E, 0x0204, 0x00FD, 0x0205, 0x00D6, 0x0006, 0x0406}


@dataclass
class XlsSheet:
    name: str
    rows: int = 0
    columns: int = 0
    formula_cells: set[tuple[int, int]] = field(default_factory=set)


def biff_records(stream: bytes, position: int):
    """(record type, where its data starts, its length) from `position`."""
    end = len(stream)
    while position + 4 <= end:
        record, size = struct.unpack_from("<HH", stream, position)
        if position + 4 + size > end:
            return  # a truncated record: calamine will call the file damaged
        yield record, position + 4, size
        position += 4 + size


def scan_xls_stream(stream: bytes, limits: Limits) -> dict[str, XlsSheet]:
    """Every sheet of an .xls workbook stream: its extent and formula cells.
    calamine reads all of them when the file is opened, so their rectangles
    are added up against the limit."""
    sheets = []  # (name, offset of its BOF), in the workbook's order
    for record, at, size in biff_records(stream, 0):
        if record == _BIFF_BOUNDSHEET and size >= 8:
            offset, count, flags = struct.unpack_from("<I2xBB", stream, at)
            raw = stream[at + 8 : at + 8 + count * (2 if flags & 1 else 1)]
            sheets.append((raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace"), offset))
        elif record == _BIFF_EOF:
            break
    found: dict[str, XlsSheet] = {}
    total = 0
    for name, offset in sheets:
        sheet = _scan_xls_sheet(stream, offset, name)
        if sheet.rows > limits.row_limit:
            raise FileRejected(too_many_rows_message(limits.max_rows))
        total += sheet.rows * sheet.columns
        if sheet.formula_cells:
            total += sheet.rows * sheet.columns  # calamine keeps the formulas' range too
        if total > limits.max_cells:
            raise FileRejected(too_many_cells_message(limits.max_cells))
        found.setdefault(name, sheet)
    return found


def _scan_xls_sheet(stream: bytes, offset: int, name: str) -> XlsSheet:
    sheet = XlsSheet(name)
    rows = columns = 0
    for record, at, size in biff_records(stream, offset):
        if record in _BIFF_CELLS and size >= 4:
            row, column = struct.unpack_from("<HH", stream, at)
            rows, columns = max(rows, row + 1), max(columns, column + 1)
            if record == _BIFF_FORMULA:
                sheet.formula_cells.add((row + 1, column))
        elif record == _BIFF_MULRK and size >= 6:
            row = struct.unpack_from("<H", stream, at)[0]
            last = struct.unpack_from("<H", stream, at + size - 2)[0]
            rows, columns = max(rows, row + 1), max(columns, last + 1)
        elif record == _BIFF_EOF:
            break
    sheet.rows, sheet.columns = rows, columns
    return sheet


# --- .ods -------------------------------------------------------------------
#
# An OpenDocument spreadsheet (WPS, LibreOffice) keeps every sheet in
# content.xml, and calamine reads all of them when it opens the file. Two
# attributes make a few bytes mean a great deal: table:number-rows-repeated
# (calamine copies a row holding anything that many times; trailing empty
# rows cost nothing) and table:number-columns-repeated (a cell copied along
# the row), and <text:s text:c="…"/> is that many spaces. content.xml is
# parsed here as a stream (defusedxml: no entity declarations) and the
# rectangle each sheet would take in calamine — from the top to the last row
# holding anything, times the widest such row — is added up against the
# limits, as is the text the copies would hold, before calamine opens it.

_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0 "
_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0 "
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0 "
_ODS_TABLE = _TABLE_NS + "table"
_ODS_ROW = _TABLE_NS + "table-row"
_ODS_CELLS = (_TABLE_NS + "table-cell", _TABLE_NS + "covered-table-cell")
_ODS_SPACES = _TEXT_NS + "s"
_ROWS_REPEATED = _TABLE_NS + "number-rows-repeated"
_COLUMNS_REPEATED = _TABLE_NS + "number-columns-repeated"
_VALUE_TYPE = _OFFICE_NS + "value-type"
_FORMULA = _TABLE_NS + "formula"
_SPACE_COUNT = _TEXT_NS + "c"


@dataclass
class OdsSheet:
    name: str
    rows: int = 0
    columns: int = 0
    formula_cells: set[tuple[int, int]] = field(default_factory=set)


def _count(attributes: dict, name: str) -> int:
    value = attributes.get(name)
    if value is None:
        return 1
    try:
        return max(int(value), 1)
    except ValueError:
        raise ValueError("a repeat count that is not a number") from None


class _OdsScan:
    """expat's callbacks, one per element (no tree is built). A cell's
    text is measured by the bytes it spans, plus the spaces its <text:s/>
    ask for."""

    def __init__(self, parser, limits: Limits, max_text: int):
        self.parser = parser
        self.limits = limits
        self.max_text = max_text
        self.found: dict[str, OdsSheet] = {}
        self.total = self.text = 0
        self.depth = 0
        self.sheet: OdsSheet | None = None
        self.row_index = 0  # rows passed in the current sheet, repeats counted
        self.cell: list | None = None  # [repeats, used, formula, first byte, spaces]
        self.row_repeats = 1
        self._new_row()

    def _new_row(self) -> None:
        self.width = self.weight = self.column = 0
        self.formulas: list[tuple[int, int]] = []  # (first column, count)

    def start(self, name: str, attributes: dict) -> None:
        if name == _ODS_TABLE:
            self.depth += 1
            if self.depth == 1:
                self.sheet = OdsSheet(attributes.get(_TABLE_NS + "name") or "")
                self.row_index = 0
            return
        if self.cell is not None:
            self.cell[1] = True  # any element inside a cell: it holds something
            if name == _ODS_SPACES:
                try:
                    self.cell[4] += max(int(attributes.get(_SPACE_COUNT, "1")), 0)
                except ValueError:
                    self.cell[4] += 1
            return
        if self.depth != 1 or self.sheet is None:
            return
        if name == _ODS_ROW:
            self._new_row()
            self.row_repeats = _count(attributes, _ROWS_REPEATED)
        elif name in _ODS_CELLS:
            self.cell = [
                _count(attributes, _COLUMNS_REPEATED),
                _VALUE_TYPE in attributes,
                _FORMULA in attributes,
                self.parser.CurrentByteIndex,
                0,
            ]

    def end(self, name: str) -> None:
        if name == _ODS_TABLE:
            self.depth -= 1
            if self.depth == 0 and self.sheet is not None:
                sheet = self.sheet
                self.total += sheet.rows * sheet.columns * (2 if sheet.formula_cells else 1)
                if self.total > self.limits.max_cells:
                    raise FileRejected(too_many_cells_message(self.limits.max_cells))
                self.found.setdefault(sheet.name, sheet)
                self.sheet = None
            return
        if self.depth != 1 or self.sheet is None:
            return
        if name in _ODS_CELLS and self.cell is not None:
            count, used, formula, first_byte, spaces = self.cell
            self.cell = None
            if used or formula:  # calamine keeps a formula in a range of its own
                self.width = self.column + count
                if self.width > self.limits.max_cells:
                    raise FileRejected(too_many_cells_message(self.limits.max_cells))
                self.weight += (self.parser.CurrentByteIndex - first_byte + spaces) * count
                if formula:
                    self.formulas.append((self.column, count))
            self.column += count
        elif name == _ODS_ROW:
            self._end_row()

    def _end_row(self) -> None:
        sheet, limits, repeats = self.sheet, self.limits, self.row_repeats
        if self.width:
            last = self.row_index + repeats
            sheet.rows = last
            sheet.columns = max(sheet.columns, self.width)
            if last > limits.row_limit:
                raise FileRejected(too_many_rows_message(limits.max_rows))
            if self.total + last * sheet.columns > limits.max_cells:
                raise FileRejected(too_many_cells_message(limits.max_cells))
            self.text += self.weight * repeats
            if self.text > self.max_text:
                raise FileRejected(too_large_when_opened_message(self.max_text))
            formulas = sum(count for _first, count in self.formulas) * repeats
            if len(sheet.formula_cells) + formulas > MAX_FORMULA_CELLS:
                raise FileRejected(too_many_formulas_message(MAX_FORMULA_CELLS))
            for first, count in self.formulas:
                for row in range(self.row_index + 1, last + 1):
                    sheet.formula_cells.update((row, c) for c in range(first, first + count))
        self.row_index += repeats


def _no_entities(*_args):
    from defusedxml.common import EntitiesForbidden

    raise EntitiesForbidden(*([None] * 6))


def scan_ods_content(stream, limits: Limits, max_text: int) -> dict[str, OdsSheet]:
    """Every sheet of an .ods content.xml: its extent and formula cells,
    refusing the file as soon as the sheets would exceed the limits. Read by
    expat as a stream, entity declarations refused (defusedxml's exception),
    and ExpatError for broken XML, ValueError for an unreadable repeat."""
    from xml.parsers import expat

    parser = expat.ParserCreate(namespace_separator=" ")
    scan = _OdsScan(parser, limits, max_text)
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.EntityDeclHandler = _no_entities
    parser.UnparsedEntityDeclHandler = _no_entities
    parser.ExternalEntityRefHandler = _no_entities
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    while chunk := stream.read(_SEGMENT):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return scan.found

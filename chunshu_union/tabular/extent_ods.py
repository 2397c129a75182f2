"""How large an .ods workbook will be in calamine, measured before it opens
it (extent.py says why the rectangle, not the file, is what costs memory).

An OpenDocument spreadsheet (WPS, LibreOffice) keeps every sheet in
content.xml, and calamine reads all of them when it opens the file. Two
attributes make a few bytes mean a great deal: table:number-rows-repeated
(calamine copies a row holding anything that many times; trailing empty
rows cost nothing) and table:number-columns-repeated (a cell copied along
the row), and <text:s text:c="…"/> is that many spaces. content.xml is
parsed here as a stream (defusedxml: no entity declarations) and the
rectangle each sheet would take in calamine — from the top to the last row
holding anything, times the widest such row — is added up against the
limits, as is the text the copies would hold, before calamine opens it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.parsers import expat

from defusedxml.common import EntitiesForbidden

from .errors import FileRejected
from .extent import (
    _SEGMENT,
    MAX_FORMULA_CELLS,
    Limits,
    too_large_when_opened_message,
    too_many_cells_message,
    too_many_formulas_message,
    too_many_rows_message,
)

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
    raise EntitiesForbidden(*([None] * 6))


def scan_ods_content(stream, limits: Limits, max_text: int) -> dict[str, OdsSheet]:
    """Every sheet of an .ods content.xml: its extent and formula cells,
    refusing the file as soon as the sheets would exceed the limits. Read by
    expat as a stream, entity declarations refused (defusedxml's exception),
    and ExpatError for broken XML, ValueError for an unreadable repeat."""
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

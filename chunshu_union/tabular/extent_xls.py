"""How large an .xls workbook will be in calamine, measured before it opens
it: the sheets' BIFF records read as a stream (extent.py says why the
rectangle, not the file, is what costs memory)."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from .errors import FileRejected
from .extent import Limits, too_many_cells_message, too_many_rows_message

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

"""Opening a spreadsheet safely.

Before any parser sees the bytes: the size, the kind of file (by its first
bytes, not its name), the zip's entry count and uncompressed size, and XML
entity declarations are checked, so that a hostile or broken file is turned
away in milliseconds with a sentence in Chinese.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import olefile
import python_calamine
from defusedxml import ElementTree as DefusedET
from django.conf import settings
from django.utils.translation import gettext as _

from .errors import FileRejected

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


@dataclass
class Table:
    """The rows of one sheet, each with the row number Excel shows."""

    kind: str  # "xlsx", "xls" or "csv"
    height: int
    _rows: Iterator[tuple[int, list]] = field(repr=False)
    merged_title_rows: set[int] = field(default_factory=set)
    #: (row number, 0-based column) of .xlsx cells stored as formulas: calamine
    #: gives their cached values, so the sheet's XML is scanned for <f>.
    formula_cells: set[tuple[int, int]] = field(default_factory=set)

    def rows(self) -> Iterator[tuple[int, list]]:
        return self._rows


def read_table(source, filename: str = "", *, max_rows: int | None = None) -> Table:
    data = _read_bytes(source)
    filename = filename or (str(source) if isinstance(source, (str, Path)) else "")
    max_rows = max_rows or settings.IMPORT_MAX_ROWS
    if not data.strip():
        raise FileRejected(_("The file is empty."))
    if data.startswith(ZIP_MAGIC):
        _check_zip(data, max_rows)
        return _read_workbook(data, "xlsx", max_rows)
    if data.startswith(OLE2_MAGIC):
        if ENCRYPTED_PACKAGE in data[:1_000_000] or ENCRYPTED_PACKAGE in data[-1_000_000:]:
            raise FileRejected(_password_message())
        return _read_workbook(data, "xls", max_rows)
    if data[:2] == b"PK":
        raise FileRejected(_damaged_message())
    return _read_csv(data, filename, max_rows)


def read_bytes(source) -> bytes:
    """The bytes of a path, bytes or file-like source, refusing oversized
    files (for callers that hash the file before reading it)."""
    return _read_bytes(source)


def _read_bytes(source) -> bytes:
    limit = settings.IMPORT_MAX_FILE_BYTES
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    elif isinstance(source, (str, Path)):
        path = Path(source)
        try:
            if path.stat().st_size > limit:
                raise FileRejected(_too_big_message(limit))
            data = path.read_bytes()
        except FileNotFoundError:
            raise FileRejected(_("The file %(name)s does not exist.") % {"name": path}) from None
        except IsADirectoryError:
            raise FileRejected(_("%(name)s is a folder, not a file.") % {"name": path}) from None
    else:  # a file-like object, e.g. an UploadedFile
        if getattr(source, "size", 0) and source.size > limit:
            raise FileRejected(_too_big_message(limit))
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(limit + 1)
    if len(data) > limit:
        raise FileRejected(_too_big_message(limit))
    return data


def _too_big_message(limit: int) -> str:
    return _("The file is larger than %(mb)d MB; please split it into smaller files.") % {
        "mb": limit // (1024 * 1024)
    }


def _damaged_message() -> str:
    return _(
        "The file is damaged or incomplete (perhaps the upload was cut off); please save it"
        " again in Excel and upload it again."
    )


def _password_message() -> str:
    return _(
        "The file is protected by a password; please remove the password in Excel and upload it again."
    )


def _not_spreadsheet_message() -> str:
    return _(
        "This is not a spreadsheet; please upload an Excel file (.xlsx or .xls) or a CSV file."
    )


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]+\d+(?::[A-Z]+(\d+))?\"")


def _check_zip(data: bytes, max_rows: int | None = None) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise FileRejected(_damaged_message()) from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise FileRejected(_not_spreadsheet_message())
    if len(infos) > settings.IMPORT_MAX_ZIP_ENTRIES:
        raise FileRejected(_("The file has too many parts to be an ordinary spreadsheet."))
    if sum(info.file_size for info in infos) > settings.IMPORT_MAX_UNCOMPRESSED_BYTES:
        raise FileRejected(
            _("The file would expand to more than %(mb)d MB when opened; it is refused.")
            % {"mb": settings.IMPORT_MAX_UNCOMPRESSED_BYTES // (1024 * 1024)}
        )
    for info in infos:
        if info.compress_size and info.file_size / info.compress_size > 1000:
            raise FileRejected(_("The file is compressed suspiciously strongly; it is refused."))
        if info.filename.endswith((".xml", ".rels")):
            try:
                with archive.open(info) as part:
                    head = part.read(4096)
            except (zipfile.BadZipFile, EOFError, OSError, ValueError):
                raise FileRejected(_damaged_message()) from None
            # Entity declarations live in the prolog; an ordinary workbook has none.
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise FileRejected(_("The file contains XML entity declarations; it is refused."))
            # A sheet declares its extent up front: refuse a huge one before
            # the parser builds it in memory.
            dimension = _DIMENSION.search(head)
            if max_rows and dimension and dimension.group(1):
                if int(dimension.group(1)) > max_rows + 50:
                    raise FileRejected(_too_many_rows_message(max_rows))
    bad = archive.testzip() if len(data) < 5 * 1024 * 1024 else None
    if bad is not None:
        raise FileRejected(_damaged_message())


def _read_workbook(data: bytes, kind: str, max_rows: int) -> Table:
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = _first_sheet_with_data(workbook)
    except python_calamine.PasswordError:
        raise FileRejected(_password_message()) from None
    except (python_calamine.CalamineError, python_calamine.ZipError, python_calamine.XmlError):
        raise FileRejected(_damaged_message()) from None
    except (ValueError, OSError, EOFError):
        raise FileRejected(_damaged_message()) from None
    if sheet is None:
        raise FileRejected(_("The file has no sheet with any data."))
    start_row = sheet.start[0] if sheet.start else 0
    if sheet.height > max_rows + 50:
        raise FileRejected(_too_many_rows_message(max_rows))
    merged = set()
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
        if r0 == r1 and c1 > c0:
            merged.add(r0 + 1)
    # calamine gives each row as a new list, as wide as the sheet
    rows = ((start_row + i + 1, row) for i, row in enumerate(sheet.iter_rows()))
    if kind == "xlsx":
        formulas = _formula_cells(data, sheet.name)
    else:
        formulas = _xls_formula_cells(data, sheet.name)
    return Table(
        kind=kind, height=sheet.height, _rows=rows, merged_title_rows=merged, formula_cells=formulas
    )


_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")


def _sheet_part(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The zip member holding the sheet called `sheet_name`."""
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    try:
        workbook = DefusedET.fromstring(archive.read("xl/workbook.xml"))
        rels = DefusedET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, DefusedET.ParseError, ValueError):
        return None
    rel_id = next(
        (
            s.get(rel_ns)
            for s in workbook.iter()
            if s.tag.endswith("}sheet") and s.get("name") == sheet_name
        ),
        None,
    )
    target = next((r.get("Target") for r in rels if r.get("Id") == rel_id), None)
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def _formula_cells(data: bytes, sheet_name: str) -> set[tuple[int, int]]:
    """Cells of the sheet stored as formulas. A cheap byte scan first (an
    ordinary roster has none), then a streaming parse only if one is there."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    part = _sheet_part(archive, sheet_name)
    if part is None or part not in archive.NameToInfo:
        return set()
    if not _has_formula_tag(archive, part):
        return set()
    cells: set[tuple[int, int]] = set()
    with archive.open(part) as stream:
        for _event, element in DefusedET.iterparse(stream, events=("end",)):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "c":
                if any(child.tag.rsplit("}", 1)[-1] == "f" for child in element):
                    match = _CELL_REF.match(element.get("r", ""))
                    if match:
                        cells.add((int(match.group(2)), _column_index(match.group(1))))
                element.clear()
            elif tag == "row":
                element.clear()
    return cells


def _has_formula_tag(archive: zipfile.ZipFile, part: str) -> bool:
    """Whether the sheet's XML holds an <f> (or <x:f>) element. The rare
    letter f followed by a delimiter is found first (a fast scan), and only
    those places are checked for the tag's opening."""
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 20):
            text = tail + chunk
            for candidate in _F_CANDIDATE.finditer(text):
                start = candidate.start()
                if _TAG_OPENING.search(text, max(0, start - 40), start):
                    return True
            tail = chunk[-48:]
    return False


_F_CANDIDATE = re.compile(rb"f[\s>/]")
#: What comes right before the f of a formula tag: "<" or "<prefix:".
_TAG_OPENING = re.compile(rb"<(?:\w+:)?$")


_BIFF_FORMULA, _BIFF_BOUNDSHEET, _BIFF_EOF = 0x0006, 0x0085, 0x000A


def _xls_formula_cells(data: bytes, sheet_name: str) -> set[tuple[int, int]]:
    """Cells of an .xls sheet stored as formulas (calamine gives their cached
    values). The sheet's BIFF records are walked for FORMULA records: the
    workbook stream's BOUNDSHEET records give where each sheet begins."""
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            name = "Workbook" if ole.exists("Workbook") else "Book"
            stream = ole.openstream(name).read()
    except Exception:  # calamine has read the file: at worst, no formulas are known
        return set()
    sheets = []  # (name, offset of its BOF), in the workbook's order
    for record, at, size in _biff_records(stream, 0):
        if record == _BIFF_BOUNDSHEET and size >= 8:
            offset, count, flags = struct.unpack_from("<I2xBB", stream, at)
            raw = stream[at + 8 : at + 8 + count * (2 if flags & 1 else 1)]
            sheets.append((raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace"), offset))
        elif record == _BIFF_EOF:
            break
    offset = next((o for n, o in sheets if n == sheet_name), None)
    if offset is None:
        return set()
    cells = set()
    for record, at, size in _biff_records(stream, offset):
        if record == _BIFF_FORMULA and size >= 4:
            row, column = struct.unpack_from("<HH", stream, at)
            cells.add((row + 1, column))
        elif record == _BIFF_EOF:
            break
    return cells


def _biff_records(stream: bytes, position: int):
    """(record type, where its data starts, its length) from `position`."""
    end = len(stream)
    while position + 4 <= end:
        record, size = struct.unpack_from("<HH", stream, position)
        yield record, position + 4, size
        position += 4 + size


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _too_many_rows_message(max_rows: int) -> str:
    return _(
        "The file has more than %(n)s rows, the most one upload may hold; please split it."
    ) % {"n": f"{max_rows:,}"}


def _first_sheet_with_data(workbook):
    for index, meta in enumerate(workbook.sheets_metadata):
        if str(meta.visible).endswith("Visible") is False:
            continue
        if str(meta.typ).endswith("WorkSheet") is False:
            continue
        sheet = workbook.get_sheet_by_index(index)
        if sheet.height and sheet.width:
            return sheet
    return None


def _decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise FileRejected(_not_spreadsheet_message()) from None


def _read_csv(data: bytes, filename: str, max_rows: int) -> Table:
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRejected(_not_spreadsheet_message())
    text = _decode_text(data)
    sample = text[:8192]
    if "<html" in sample.lower() or sample.lstrip().startswith(("{", "%PDF")):
        raise FileRejected(_not_spreadsheet_message())
    lines = text.splitlines()
    if len(lines) > max_rows + 50:
        raise FileRejected(_too_many_rows_message(max_rows))
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows = ((number, row) for number, row in enumerate(reader, start=1))
    return Table(kind="csv", height=len(lines), _rows=rows)

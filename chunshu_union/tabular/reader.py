"""Opening a spreadsheet safely.

Before any parser sees the bytes: the size, the kind of file (by its first
bytes, not its name), the zip's entry count and uncompressed size, XML
entity declarations, and what each sheet would hold once parsed (rows, and
cells of the rectangle the parser allocates: see `extent`) are checked, so
that a hostile or broken file is turned away quickly, without being loaded,
with a sentence in Chinese. A CSV file's rows and cells are counted while
they are read.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers.expat import ExpatError

import olefile
import python_calamine
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedET
from django.conf import settings
from django.utils.translation import gettext as _

from .errors import FileRejected
from .extent import (
    ROW_MARGIN,
    Limits,
    scan_xlsx_member,
    too_many_cells_message,
    too_many_rows_message,
)
from .extent_ods import scan_ods_content
from .extent_xls import scan_xls_stream
from .markup import read_html, read_spreadsheetml, sniff_markup

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
#: What reading a broken zip can raise (zipfile gives NotImplementedError for
#: an unknown compression or version, zlib its own error for a bad stream).
_ZIP_TROUBLE = (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, zlib.error)


@dataclass
class Table:
    """The rows of one sheet, each with the row number Excel shows."""

    #: "xlsx", "xls", "ods", "csv", "html" (an "xls" that is a web page) or
    #: "xml" (an "xls" that is Excel 2003's SpreadsheetML)
    kind: str
    height: int
    _rows: Iterator[tuple[int, list]] = field(repr=False)
    merged_title_rows: set[int] = field(default_factory=set)
    #: (row number, 0-based column) of cells stored as formulas (.xlsx, .xls,
    #: .ods, SpreadsheetML): calamine gives their cached values, so the
    #: sheet's own records are scanned for them.
    formula_cells: set[tuple[int, int]] = field(default_factory=set)

    def rows(self) -> Iterator[tuple[int, list]]:
        return self._rows


def read_table(source, filename: str = "", *, max_rows: int | None = None) -> Table:
    data = _read_bytes(source)
    filename = filename or (str(source) if isinstance(source, (str, Path)) else "")
    limits = Limits(max_rows or settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_CELLS)
    if not data.strip():
        raise FileRejected(_("The file is empty."))
    if data.startswith(ZIP_MAGIC):
        archive = _check_zip(data, limits.max_rows)
        if _is_ods(archive):
            sheets = _scan_ods(archive, limits)

            def ods_formulas(sheet_name):
                sheet = sheets.get(sheet_name)
                return sheet.formula_cells if sheet else set()

            return _read_workbook(data, "ods", limits, ods_formulas)
        formula_parts = _scan_workbook_parts(archive, limits)

        def xlsx_formulas(sheet_name):
            part = _sheet_part(archive, sheet_name)
            return _formula_cells(archive, part) if part in formula_parts else set()

        return _read_workbook(data, "xlsx", limits, xlsx_formulas)
    if data.startswith(OLE2_MAGIC):
        if ENCRYPTED_PACKAGE in data[:1_000_000] or ENCRYPTED_PACKAGE in data[-1_000_000:]:
            raise FileRejected(_password_message())
        sheets = scan_xls_stream(_xls_workbook_stream(data), limits)

        def xls_formulas(sheet_name):
            sheet = sheets.get(sheet_name)
            return sheet.formula_cells if sheet else set()

        return _read_workbook(data, "xls", limits, xls_formulas)
    if data[:2] == b"PK":
        raise FileRejected(_damaged_message())
    markup = sniff_markup(data)
    if markup:
        parsed = (read_html if markup == "html" else read_spreadsheetml)(data, limits)
        return Table(
            kind=markup,
            height=len(parsed.rows),
            _rows=iter(parsed.rows),
            merged_title_rows=parsed.merged_title_rows,
            formula_cells=parsed.formula_cells,
        )
    return _read_csv(data, filename, limits)


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
        "This is not a spreadsheet; please upload an Excel file (.xlsx or .xls), a WPS or"
        " LibreOffice file (.ods) or a CSV file."
    )


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]+\d+(?::[A-Z]+(\d+))?\"")


def _check_zip(data: bytes, max_rows: int | None = None) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except _ZIP_TROUBLE:
        raise FileRejected(_damaged_message()) from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        if not _is_ods(archive):
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
            except _ZIP_TROUBLE:
                raise FileRejected(_damaged_message()) from None
            # Entity declarations live in the prolog; an ordinary workbook has none.
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise FileRejected(_("The file contains XML entity declarations; it is refused."))
            # A sheet declares its extent up front: refuse a huge one before
            # the parser builds it in memory.
            dimension = _DIMENSION.search(head)
            if max_rows and dimension and dimension.group(1):
                if int(dimension.group(1)) > max_rows + ROW_MARGIN:
                    raise FileRejected(too_many_rows_message(max_rows))
    try:
        bad = archive.testzip() if len(data) < 5 * 1024 * 1024 else None
    except _ZIP_TROUBLE:
        bad = True
    if bad is not None:
        raise FileRejected(_damaged_message())
    return archive


ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def _is_ods(archive: zipfile.ZipFile) -> bool:
    """An OpenDocument spreadsheet (.ods, or its template .ots): its first
    member, mimetype, says so, and content.xml holds the sheets."""
    names = set(archive.namelist())
    if "content.xml" not in names or "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return False
    try:
        mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
        manifest = (
            archive.read("META-INF/manifest.xml")[:100_000]
            if "META-INF/manifest.xml" in names
            else b""
        )
    except _ZIP_TROUBLE:
        raise FileRejected(_damaged_message()) from None
    return mimetype.strip().startswith(ODS_MIMETYPE) or (not mimetype and ODS_MIMETYPE in manifest)


def _scan_ods(archive: zipfile.ZipFile, limits: Limits) -> dict:
    """content.xml measured as a stream before calamine opens the file (see
    `extent.scan_ods_content`); a password-protected .ods refused."""
    try:
        manifest = archive.read("META-INF/manifest.xml")
    except KeyError:
        manifest = b""
    except _ZIP_TROUBLE:
        raise FileRejected(_damaged_message()) from None
    if b"encryption-data" in manifest:
        raise FileRejected(_password_message())
    try:
        with archive.open("content.xml") as stream:
            return scan_ods_content(stream, limits, settings.IMPORT_MAX_UNCOMPRESSED_BYTES)
    except DefusedXmlException:
        raise FileRejected(_("The file contains XML entity declarations; it is refused.")) from None
    except (ExpatError, *_ZIP_TROUBLE):
        raise FileRejected(_damaged_message()) from None


#: Members no parser reads as XML; every other one is scanned.
_BINARY_PARTS = (".png", ".jpeg", ".jpg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".bin")


def _scan_workbook_parts(archive: zipfile.ZipFile, limits: Limits) -> set[str]:
    """Every member a parser may read, streamed once before calamine opens
    the file: refused if a sheet would be too large (see `extent`). Returns
    the members that hold formulas. Which member is a sheet is not trusted
    to names or relationships: all are scanned (an honest roster's sheet and
    shared strings take about as long as inflating them)."""
    formula_parts = set()
    for info in archive.infolist():
        if info.is_dir() or info.filename.lower().endswith(_BINARY_PARTS):
            continue
        try:
            scan = scan_xlsx_member(archive, info, limits)
        except _ZIP_TROUBLE:
            raise FileRejected(_damaged_message()) from None
        if scan.has_formula:
            formula_parts.add(info.filename)
    return formula_parts


def _xls_workbook_stream(data: bytes) -> bytes:
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            name = "Workbook" if ole.exists("Workbook") else "Book"
            return ole.openstream(name).read()
    except Exception:  # olefile raises many kinds for a broken container
        raise FileRejected(_damaged_message()) from None


def _read_workbook(data: bytes, kind: str, limits: Limits, formulas_of) -> Table:
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = _first_sheet_with_data(workbook)
    except python_calamine.PasswordError:
        raise FileRejected(_password_message()) from None
    except (python_calamine.CalamineError, python_calamine.ZipError, python_calamine.XmlError):
        raise FileRejected(_damaged_message()) from None
    except (ValueError, OSError, EOFError):
        raise FileRejected(_damaged_message()) from None
    except BaseException as error:
        _refuse_a_panic(error)
    if sheet is None:
        raise FileRejected(_("The file has no sheet with any data."))
    start_column = sheet.start[1] if sheet.start else 0
    if sheet.height > limits.row_limit:
        raise FileRejected(too_many_rows_message(limits.max_rows))
    if sheet.height * sheet.width > limits.max_cells:  # the scan has seen to it; a last guard
        raise FileRejected(too_many_cells_message(limits.max_cells))
    merged = set()
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
        if r0 == r1 and c1 > c0:
            merged.add(r0 + 1)
    # calamine gives each row as a new list, as wide as the sheet
    rows = _numbered_rows(sheet, start_column)
    formulas = formulas_of(sheet.name)
    return Table(
        kind=kind, height=sheet.height, _rows=rows, merged_title_rows=merged, formula_cells=formulas
    )


def _numbered_rows(sheet, start_column: int) -> Iterator[tuple[int, list]]:
    """calamine's iter_rows starts at the sheet's first row, empty rows above
    the data included, but at the first used column: the rows are numbered
    from 1 and widened on the left, so that a row number is the one the
    sheet shows and a column index the one the formula scans give."""
    padding = [""] * start_column
    try:
        for i, row in enumerate(sheet.iter_rows()):
            yield i + 1, (padding + row if start_column else row)
    except BaseException as error:
        _refuse_a_panic(error)


def _refuse_a_panic(error: BaseException):
    """calamine (Rust) panics on some broken files; pyo3 raises that as a
    PanicException, which derives from BaseException and so passes every
    `except Exception` on its way to a 500 or a dead task. It is refused as a
    damaged file here; anything else goes on."""
    if type(error).__name__ == "PanicException":
        raise FileRejected(_damaged_message()) from None
    raise error


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


def _formula_cells(archive: zipfile.ZipFile, part: str) -> set[tuple[int, int]]:
    """Cells of the sheet stored as formulas: a streaming parse, run only
    when the scan before parsing found a formula tag in the sheet's member
    (an ordinary roster has none)."""
    cells: set[tuple[int, int]] = set()
    try:
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
    except (DefusedET.ParseError, *_ZIP_TROUBLE):
        # calamine read the sheet, but it is not XML the standard library accepts
        raise FileRejected(_damaged_message()) from None
    return cells


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


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


def _read_csv(data: bytes, filename: str, limits: Limits) -> Table:
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRejected(_not_spreadsheet_message())
    text = _decode_text(data)
    sample = text[:8192]
    if "<html" in sample.lower() or sample.lstrip().startswith(("{", "%PDF")):
        raise FileRejected(_not_spreadsheet_message())
    # Lines are counted, not split into a list (50 MB of line breaks would be
    # fifty million strings); a quoted cell may hold a line break, so this is
    # at least the number of rows, and the rows are counted again as read.
    height = text.count("\n") or text.count("\r")
    height += not text.endswith(("\n", "\r"))
    if height > limits.row_limit:
        raise FileRejected(too_many_rows_message(limits.max_rows))
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    return Table(kind="csv", height=height, _rows=_counted_csv_rows(reader, limits))


def _counted_csv_rows(reader, limits: Limits) -> Iterator[tuple[int, list]]:
    """The rows, refusing the file as soon as it has too many rows or cells,
    or a cell longer than the csv module accepts (128 K characters)."""
    cells = 0
    try:
        for number, row in enumerate(reader, start=1):
            cells += len(row)
            if number > limits.row_limit:
                raise FileRejected(too_many_rows_message(limits.max_rows))
            if cells > limits.max_cells:
                raise FileRejected(too_many_cells_message(limits.max_cells))
            yield number, row
    except csv.Error:
        raise FileRejected(
            _(
                "The CSV file cannot be read: a cell is far too long or a quotation mark is not"
                " closed. Please save it again from Excel and upload it again."
            )
        ) from None

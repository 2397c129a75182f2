"""Opening a spreadsheet safely.

Before any parser sees the bytes: the size, the kind of file (by its first
bytes, not its name), the zip's entry count and uncompressed size, and XML
entity declarations are checked, so that a hostile or broken file is turned
away in milliseconds with a sentence in Chinese.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine
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

    def rows(self) -> Iterator[tuple[int, list]]:
        return self._rows


def read_table(source, filename: str = "", *, max_rows: int | None = None) -> Table:
    data = _read_bytes(source)
    filename = filename or (str(source) if isinstance(source, (str, Path)) else "")
    max_rows = max_rows or settings.IMPORT_MAX_ROWS
    if not data.strip():
        raise FileRejected(_("The file is empty."))
    if data.startswith(ZIP_MAGIC):
        _check_zip(data)
        return _read_workbook(data, "xlsx", max_rows)
    if data.startswith(OLE2_MAGIC):
        if ENCRYPTED_PACKAGE in data[:1_000_000] or ENCRYPTED_PACKAGE in data[-1_000_000:]:
            raise FileRejected(_password_message())
        return _read_workbook(data, "xls", max_rows)
    if data[:2] == b"PK":
        raise FileRejected(_damaged_message())
    return _read_csv(data, filename, max_rows)


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


def _check_zip(data: bytes) -> None:
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
    rows = ((start_row + i + 1, list(row)) for i, row in enumerate(sheet.iter_rows()))
    return Table(kind=kind, height=sheet.height, _rows=rows, merged_title_rows=merged)


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

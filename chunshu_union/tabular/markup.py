"""An "xls" that is really a web page or Excel 2003 XML.

Government systems (the tax bureau's export among them) often save a
table as HTML, or as SpreadsheetML (Excel 2003's XML), and name the file
.xls; Excel opens both without a word. They are recognised by their first
bytes, not their name, and read here with parsers that fetch nothing and
expand no entities: the standard library's html.parser for HTML, and
defusedxml for XML (an entity declaration refuses the file). The rows and
cells are counted while they are parsed, against the same limits as every
other format (IMPORT_MAX_ROWS, IMPORT_MAX_CELLS).

Merged cells: a cell spanning several rows (rowspan, ss:MergeDown), such as a
taxpayer's name beside each of its tax items, is repeated on every row it
covers; one spanning several columns (colspan, ss:MergeAcross) keeps its
text in its first column and leaves the others empty, as a merged cell in
Excel does, so the columns below it stay where they are.
"""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedET
from django.utils.translation import gettext as _

from .errors import FileRejected
from .extent import (
    MAX_FORMULA_CELLS,
    Limits,
    too_many_cells_message,
    too_many_formulas_message,
    too_many_rows_message,
)

SPREADSHEETML_NS = "urn:schemas-microsoft-com:office:spreadsheet"
_SS = "{" + SPREADSHEETML_NS + "}"
#: The largest spans HTML allows (the standard's own limits).
_MAX_COLSPAN, _MAX_ROWSPAN = 1000, 65534
_WHITESPACE = re.compile(r"[ \t\r\n\f]+")
_CHARSET = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_GB = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "gb_2312-80", "euc-cn"}
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass
class Parsed:
    rows: list[tuple[int, list]] = field(default_factory=list)
    merged_title_rows: set[int] = field(default_factory=set)
    formula_cells: set[tuple[int, int]] = field(default_factory=set)


def _not_spreadsheet() -> FileRejected:
    return FileRejected(
        _(
            "This is not a spreadsheet; please upload an Excel file (.xlsx or .xls), a WPS or"
            " LibreOffice file (.ods) or a CSV file."
        )
    )


def _damaged() -> FileRejected:
    return FileRejected(
        _(
            "The file is damaged or incomplete (perhaps the upload was cut off); please save it"
            " again in Excel and upload it again."
        )
    )


def sniff_markup(data: bytes) -> str | None:
    """ "html", "xml" (SpreadsheetML) or None (not markup: a CSV), by the
    file's first bytes; an XML or HTML document holding neither is not a
    spreadsheet."""
    head = data[:65536]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="replace").encode("utf-8", errors="replace")
    text = head.lstrip().lower()
    if not text.startswith(b"<"):
        return None
    if SPREADSHEETML_NS.encode() in text and b"<html" not in text[:1024]:
        return "xml"
    if b"<html" in text or b"<table" in text:
        return "html"
    if text.startswith((b"<?xml", b"<!doctype", b"<!--")):
        raise _not_spreadsheet()
    return None  # a CSV file whose first cell happens to start with "<"


def decode_markup(data: bytes) -> str:
    """The text: UTF-8 if it reads as UTF-8, else the encoding the file
    declares (GBK and GB2312 read as GB18030, their superset; a Western
    single-byte one only if GB18030 fails too, since a Chinese system's
    label is often wrong), else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    declared = _CHARSET.search(data[:4096])
    encodings = ["utf-8"]
    name = declared.group(1).decode("ascii").lower() if declared else ""
    western = name.startswith(("iso-8859", "latin", "windows-125", "cp125", "us-ascii", "ascii"))
    if name and not western and not name.startswith(("utf-16", "utf-32", "ucs")):
        encodings.append("gb18030" if name in _GB else name)
    encodings.append("gb18030")
    if western:
        encodings.append(name)
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("gb18030", errors="replace")


class _Counter:
    """Rows and cells counted as they are made, refused past the limits."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.cells = 0

    def row(self, number: int, width: int) -> None:
        if number > self.limits.row_limit:
            raise FileRejected(too_many_rows_message(self.limits.max_rows))
        self.width(width)
        self.cells += width
        if self.cells > self.limits.max_cells:
            raise FileRejected(too_many_cells_message(self.limits.max_cells))

    def width(self, width: int) -> None:
        if self.cells + width > self.limits.max_cells:
            raise FileRejected(too_many_cells_message(self.limits.max_cells))


# --- HTML ---------------------------------------------------------------------


def _span(attrs: dict, name: str, most: int) -> int:
    try:
        value = int(str(attrs.get(name) or "1").strip())
    except ValueError:
        return 1
    return min(max(value, 1), most)


class _TableParser(HTMLParser):
    """Every <tr> of the top-level tables, in order, as one sheet (a title
    table above the data table reads as title rows). A table inside a cell
    is that cell's text."""

    def __init__(self, counter: _Counter):
        super().__init__(convert_charrefs=True)
        self.counter = counter
        self.parsed = Parsed()
        self.depth = 0
        self.number = 0
        self.row: list | None = None
        self.cell: dict | None = None
        self.carried: dict[int, list] = {}  # column -> [rows left, text] from a rowspan
        self.hidden = 0  # inside <script> or <style>

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
            return
        if tag == "table":
            self.depth += 1
            return
        if self.depth != 1:
            if tag in ("br", "p", "div", "td", "th", "tr") and self.cell is not None:
                self.cell["text"].append(" ")
            return
        if tag == "tr":
            self._end_row()
            self.row = []
        elif tag in ("td", "th"):
            self._end_cell()
            if self.row is None:
                self.row = []
            found = dict(attrs) if attrs else {}
            self.cell = {
                "text": [],
                "colspan": _span(found, "colspan", _MAX_COLSPAN) if "colspan" in found else 1,
                "rowspan": _span(found, "rowspan", _MAX_ROWSPAN) if "rowspan" in found else 1,
            }
        elif tag in ("br", "p", "div") and self.cell is not None:
            self.cell["text"].append(" ")

    def handle_startendtag(self, tag, attrs):
        if tag != "table":
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)
            return
        if tag == "table":
            if self.depth == 1:
                self._end_row()
                self.carried = {}
            self.depth = max(0, self.depth - 1)
            return
        if self.depth != 1:
            return
        if tag == "tr":
            self._end_row()
        elif tag in ("td", "th"):
            self._end_cell()

    def handle_data(self, data):
        if self.cell is not None and not self.hidden:
            self.cell["text"].append(data)
            if len(self.cell["text"]) > 10_000:  # keep a long cell one string
                self.cell["text"] = ["".join(self.cell["text"])]

    def _end_cell(self):
        if self.cell is None or self.row is None:
            self.cell = None
            return
        text = _WHITESPACE.sub(" ", "".join(self.cell["text"])).strip()
        self.row.append((text, self.cell["colspan"], self.cell["rowspan"]))
        self.cell = None

    def _end_row(self):
        self._end_cell()
        if self.row is None:
            return
        cells, self.row = self.row, None
        self.number += 1
        out: list = []
        taken: set[int] = set()
        starting: dict[int, list] = {}

        def take_carried():
            while len(out) in self.carried:
                column = len(out)
                out.append(self.carried[column][1])
                taken.add(column)

        for text, colspan, rowspan in cells:
            take_carried()
            self.counter.width(len(out) + colspan)
            start = len(out)
            out.append(text)
            out.extend([""] * (colspan - 1))
            if rowspan > 1:
                for k in range(colspan):
                    starting[start + k] = [rowspan - 1, text if k == 0 else ""]
        for column in sorted(c for c in self.carried if c >= len(out)):
            self.counter.width(column + 1)
            out.extend([""] * (column - len(out)))
            take_carried()
        for column in list(self.carried):
            self.carried[column][0] -= 1
            if self.carried[column][0] <= 0:
                del self.carried[column]
        self.carried.update(starting)
        self.counter.row(self.number, len(out))
        if len(cells) == 1 and cells[0][1] > 1:
            self.parsed.merged_title_rows.add(self.number)
        self.parsed.rows.append((self.number, out))


def read_html(data: bytes, limits: Limits) -> Parsed:
    text = decode_markup(data)
    parser = _TableParser(_Counter(limits))
    step = 1 << 20
    for at in range(0, len(text), step):
        parser.feed(text[at : at + step])
    parser.close()
    parser._end_row()
    if not any(any(cell != "" for cell in cells) for _number, cells in parser.parsed.rows):
        raise _not_spreadsheet()
    return parser.parsed


# --- SpreadsheetML ----------------------------------------------------------------


def _ss_int(element, name: str, default: int) -> int:
    value = element.get(_SS + name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise _damaged() from None


def _ss_value(cell):
    data = next((child for child in cell if child.tag.rsplit("}", 1)[-1] == "Data"), None)
    if data is None:
        return ""
    text = "".join(data.itertext())
    kind = data.get(_SS + "Type", "String")
    if kind == "Number":
        try:
            return float(text)
        except ValueError:
            return text
    if kind == "DateTime":
        try:
            moment = datetime.datetime.fromisoformat(text.strip()[:19])
        except ValueError:
            return text
        return moment.date() if moment.time() == datetime.time() else moment
    if kind == "Boolean":
        return text.strip() in ("1", "true", "TRUE")
    return text


def read_spreadsheetml(data: bytes, limits: Limits) -> Parsed:
    """The first worksheet holding data. Parsed by defusedxml, which refuses
    entity declarations; the text is handed to it as UTF-8 (expat reads no
    GBK)."""
    text = _XML_DECLARATION.sub("", decode_markup(data), count=1)
    counter = _Counter(limits)
    parsed = Parsed()
    number = 0
    carried: dict[int, list] = {}  # column -> [last row it covers, value] from MergeDown
    try:
        for event, element in DefusedET.iterparse(
            io.BytesIO(text.encode("utf-8")), events=("start", "end")
        ):
            tag = element.tag
            if tag == _SS + "Worksheet":
                if event == "end":
                    element.clear()
                    if parsed.rows:
                        break
                number = 0
                carried = {}
                continue
            if tag != _SS + "Row" or event != "end":
                continue
            number = max(_ss_int(element, "Index", number + 1), number + 1)
            if number > limits.row_limit:
                raise FileRejected(too_many_rows_message(limits.max_rows))
            values: dict[int, object] = {}
            column = 0
            merged_across = False
            cells = [child for child in element if child.tag == _SS + "Cell"]
            for cell in cells:
                column = max(_ss_int(cell, "Index", column + 1) - 1, column)
                across = min(max(_ss_int(cell, "MergeAcross", 0), 0), limits.max_cells)
                down = min(max(_ss_int(cell, "MergeDown", 0), 0), limits.row_limit)
                counter.width(column + across + 1)
                value = _ss_value(cell)
                values[column] = value
                for k in range(1, across + 1):
                    values.setdefault(column + k, "")
                if cell.get(_SS + "Formula") is not None:
                    if len(parsed.formula_cells) >= MAX_FORMULA_CELLS:
                        raise FileRejected(too_many_formulas_message(MAX_FORMULA_CELLS))
                    parsed.formula_cells.add((number, column))
                if down:
                    for k in range(across + 1):
                        carried[column + k] = [number + down, value if k == 0 else ""]
                merged_across = merged_across or bool(across)
                column += across + 1
            for at, (last, value) in list(carried.items()):
                if last < number:
                    del carried[at]
                elif at not in values and last >= number and at < limits.max_cells:
                    values.setdefault(at, value)
            width = max(values) + 1 if values else 0
            counter.row(number, width)
            row = [""] * width
            for at, value in values.items():
                row[at] = value
            if len(cells) == 1 and merged_across:
                parsed.merged_title_rows.add(number)
            if any(value != "" for value in row):
                parsed.rows.append((number, row))
            element.clear()
    except DefusedXmlException:
        raise FileRejected(_("The file contains XML entity declarations; it is refused.")) from None
    except DefusedET.ParseError:
        raise _damaged() from None
    if not parsed.rows:
        raise FileRejected(_("The file has no sheet with any data."))
    return parsed

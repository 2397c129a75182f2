"""The shared reader turns hostile and broken files away with a Chinese
sentence, quickly and without reading them into memory, and tells the
importers which .xlsx cells are stored as formulas."""

import io
import time
import zipfile

import pytest
from openpyxl import Workbook

from chunshu_union.tabular import FileRejected, read_table
from tests import samples


def rejected(data: bytes, name: str = "roster.xlsx", **kw) -> str:
    started = time.monotonic()
    with pytest.raises(FileRejected) as caught:
        table = read_table(data, name, **kw)
        list(table.rows())
    assert time.monotonic() - started < 10
    message = caught.value.message
    assert message and "Traceback" not in message
    return message


def good_xlsx() -> bytes:
    return samples.xlsx(samples.people(3, ["北京椿树一号科技有限公司"]))


def test_not_a_spreadsheet():
    for data in (b"%PDF-1.4 pretend this is a pdf\n" * 20, b"<html><body>hello</body></html>"):
        assert "Excel" in rejected(data, "a.xlsx")
    assert "Excel" in rejected(bytes(range(256)) * 10, "a.xlsx")


def test_a_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    assert rejected(buffer.getvalue())


def test_empty_file():
    assert "空" in rejected(b"")
    assert "空" in rejected(b"   \n  ")


def test_truncated_workbook():
    data = good_xlsx()
    assert "不完整" in rejected(data[: len(data) // 2])


def test_password_protected_workbook():
    # Excel saves an encrypted .xlsx as an OLE2 container holding EncryptedPackage.
    ole = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096)
    ole += "EncryptedPackage".encode("utf-16-le") + b"\x00" * 4096
    assert "密码" in rejected(bytes(ole))


def test_sheet_inflating_to_gigabytes_is_refused_before_parsing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (40 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 200_000
    assert rejected(data)


def test_xml_entity_expansion_is_refused():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c>'
        "</row></sheetData></worksheet>"
    )
    source = zipfile.ZipFile(io.BytesIO(good_xlsx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = bomb.encode()
            archive.writestr(info.filename, body)
    assert "实体" in rejected(buffer.getvalue())


def test_more_rows_than_the_limit(settings):
    rows = samples.people(60, ["北京椿树一号科技有限公司"])
    message = rejected(samples.xlsx(rows), max_rows=5)
    assert "5" in message
    assert rejected(samples.csv_bytes(rows), "r.csv", max_rows=5)


def test_declared_dimension_refuses_a_huge_sheet_before_loading_it():
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = "姓名"
    sheet["A300000"] = "x"  # declares A1:A300000
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert "200,000" in rejected(buffer.getvalue())


def test_formula_cells_are_found_even_though_calamine_gives_cached_values():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "身份证号"])
    sheet.append(["张三", "110102198503120011"])
    sheet.append(['=HYPERLINK("http://evil","李四")', "=1+1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), "r.xlsx")
    assert table.formula_cells == {(3, 0), (3, 1)}


def test_an_ordinary_workbook_has_no_formula_cells():
    assert read_table(good_xlsx(), "r.xlsx").formula_cells == set()


# --- What a sheet would hold once parsed, checked while it is read (issue 13) ---
#
# calamine stores a sheet as a dense rectangle from its first to its last used
# cell, 32 bytes a cell; a few kilobytes can ask for gigabytes. The reader
# measures each sheet as a stream first and refuses it before calamine opens
# the file. The limits are lowered here so that the files stay tiny.

WORKBOOK_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
}


def workbook_with_sheet(sheet_data: str) -> bytes:
    """An .xlsx whose only sheet holds `sheet_data`, with no <dimension> tag."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in WORKBOOK_PARTS.items():
            archive.writestr(name, text)
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{sheet_data}</sheetData></worksheet>",
        )
    return buffer.getvalue()


def rows_of(count: int, columns: int) -> str:
    letters = [chr(65 + i) for i in range(columns)]
    return "".join(
        f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>{r}</v></c>' for c in letters) + "</row>"
        for r in range(1, count + 1)
    )


def test_two_far_apart_cells_are_refused_before_calamine_opens_the_file(calamine_opened):
    """A1 and XFD400: 1.5 KB, a rectangle of 6.5 million cells (210 MB in
    calamine), refused at the default limits. (With XFD200000 the same file
    asked calamine for 3.3 billion cells, about 100 GB, and the process died;
    a test that regresses should not take the machine with it.)"""
    data = workbook_with_sheet(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>'
        '<row r="400"><c r="XFD400"><v>1</v></c></row>'
    )
    assert len(data) < 2000
    message = rejected(data)
    assert "单元格" in message and "5,000,000" in message
    assert calamine_opened == []


def test_cells_beyond_the_limit_are_refused_without_a_dimension_tag(settings, calamine_opened):
    settings.IMPORT_MAX_CELLS = 1000
    assert "1,000" in rejected(workbook_with_sheet(rows_of(120, 10)))  # 1,200 cells
    assert calamine_opened == []
    table = read_table(workbook_with_sheet(rows_of(90, 10)), "r.xlsx")  # 900 cells
    assert len(list(table.rows())) == 90


def test_rows_beyond_the_limit_are_refused_before_parsing_without_a_dimension_tag(
    calamine_opened,
):
    message = rejected(workbook_with_sheet(rows_of(60, 3)), max_rows=5)
    assert "5 行" in message
    assert calamine_opened == []


WRITTEN_OTHERWISE = {
    "a second reference in a cell": '<c r="B1" r="Z90"><v>2</v></c>',
    "a second reference with spaces": '<c r="B1" r ="Z90"><v>2</v></c>',
    "spaces around the reference": '<c r = "Z90"><v>1</v></c>',
    "single quotes": "<c r='Z90'><v>1</v></c>",
    "a tab in the tag": '<c\tr="Z90"><v>1</v></c>',
    "a namespace prefix": (
        '<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="Z90">'
        "<x:v>1</x:v></x:c>"
    ),
    "a lower-case column": '<c r="z90"><v>1</v></c>',
    "a '>' in an attribute before the reference": '<c foo=">" r="Z90"><v>1</v></c>',
    "a column far to the right": '<c r="ZZ3"><v>1</v></c>',
    "cells without references": "<c><v>1</v></c>" * 1100,
}


@pytest.mark.parametrize("cell", WRITTEN_OTHERWISE.values(), ids=WRITTEN_OTHERWISE.keys())
def test_a_large_rectangle_written_otherwise_than_excel_writes_is_refused(settings, cell):
    """Each sheet is one ordinary cell and one written in a way calamine reads
    but Excel never writes, placing it at Z90 (or wider): 2,340 cells or more
    against a limit of 1,000."""
    settings.IMPORT_MAX_CELLS = 1000
    data = workbook_with_sheet(f'<row r="1"><c r="A1"><v>1</v></c>{cell}</row>')
    assert "1,000" in rejected(data)


def test_rows_without_references_are_counted_as_calamine_counts_them(settings):
    settings.IMPORT_MAX_CELLS = 1000
    # <row r="89"/> moves calamine's row on to 90; 26 cells without references follow
    sheet = '<row r="1"><c r="A1"><v>1</v></c></row><row r="89"/><row>' + "<c><v>5</v></c>" * 26
    assert "1,000" in rejected(workbook_with_sheet(sheet + "</row>"))


def test_a_wide_but_short_sheet_is_read(settings):
    settings.IMPORT_MAX_CELLS = 1000
    sheet = "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{a}{b}{r}"><v>1</v></c>' for a in "AB" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        )
        + "</row>"
        for r in range(1, 11)
    )  # 10 rows to column BZ (78): 780 cells
    assert len(list(read_table(workbook_with_sheet(sheet), "r.xlsx").rows())) == 10


def test_an_ordinary_workbook_is_measured_the_quick_way():
    """Rosters as Excel writes them (here openpyxl: a merged title, page
    margins, shared strings) never take the slow ways through the scan."""
    from django.conf import settings

    from chunshu_union.tabular.extent import FAST, Limits, scan_xlsx_member

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["花名册"])
    sheet.merge_cells("A1:M1")
    for row in samples.people(200, ["北京椿树一号科技有限公司"]):
        sheet.append(list(row.values()))
    buffer = io.BytesIO()
    workbook.save(buffer)
    archive = zipfile.ZipFile(buffer)
    limits = Limits(settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_CELLS)
    scan = scan_xlsx_member(archive, archive.getinfo("xl/worksheets/sheet1.xml"), limits)
    assert scan.mode == FAST
    assert scan.cells == 200 * 13 + 1


def test_the_template_at_the_row_limit_fits_the_cell_limit():
    from django.conf import settings

    from chunshu_union.tabular.extent import Limits
    from members.roster.fields import TEMPLATE_COLUMNS

    limits = Limits(settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_CELLS)
    assert limits.width_every_row_may_have >= len(TEMPLATE_COLUMNS)


def xls_with_sheets(*corners: tuple[int, int]) -> bytes:
    import xlwt

    book = xlwt.Workbook()
    for index, (row, column) in enumerate(corners):
        sheet = book.add_sheet(f"表{index + 1}")
        sheet.write(0, 0, "姓名")
        sheet.write(row, column, 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xls_whose_sheets_add_up_beyond_the_limit_is_refused_before_it_is_opened(
    settings, calamine_opened
):
    """calamine reads every sheet of an .xls when it opens the file (four
    sheets to IV65536 took 2 GB from 6 KB), so the rectangles add up."""
    settings.IMPORT_MAX_CELLS = 1000
    one = read_table(xls_with_sheets((39, 19)), "r.xls")  # 40 rows x 20 columns: 800 cells
    assert len(list(one.rows())) == 40
    calamine_opened.clear()
    assert "1,000" in rejected(xls_with_sheets((39, 19), (39, 19)), "r.xls")  # 1,600
    assert calamine_opened == []
    assert "1,000" in rejected(xls_with_sheets((3, 255)), "r.xls")  # 4 rows to IV: 1,024


def test_a_csv_cell_too_long_for_the_csv_module_is_a_sentence_not_a_traceback():
    data = ("姓名,身份证号\n" + "张" * 200_000 + ",x\n").encode()
    assert "CSV" in rejected(data, "r.csv")


def test_csv_cells_beyond_the_limit_are_refused_while_reading(settings):
    settings.IMPORT_MAX_CELLS = 100
    data = "\n".join(",".join(["x"] * 10) for _ in range(20)).encode()
    assert "100" in rejected(data, "r.csv")


def test_a_damaged_xls_that_makes_calamine_panic_is_refused_not_raised():
    """calamine panics on some damaged files (a record claiming zero bytes,
    for one), and pyo3 raises that as PanicException, a BaseException that
    passes every `except Exception`: a 500, or a roster check that never
    ends. Every one-byte damage to the start of the workbook stream is read
    or refused with a sentence, and some of them made calamine panic."""
    import python_calamine

    good = samples.xls(samples.people(30, ["北京椿树一号科技有限公司"]))
    panics = 0
    for at in range(512, 1024):
        data = bytes(good[:at]) + b"\0" + bytes(good[at + 1 :])
        try:
            python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        except BaseException as error:  # counting what calamine does with it
            panics += type(error).__name__ == "PanicException"
        try:
            list(read_table(data, "r.xls").rows())
        except FileRejected as refusal:
            assert refusal.message
    assert panics


@pytest.mark.parametrize("tag", ["si", "x:si"])
def test_more_shared_strings_than_cells_allowed_are_refused_before_parsing(
    settings, calamine_opened, tag
):
    """calamine keeps every shared string in memory when it opens an .xlsx,
    each one 24 bytes and a heap allocation however short: 200 MB of empty
    strings would be 15 million of them."""
    settings.IMPORT_MAX_CELLS = 1000
    data = io.BytesIO(workbook_with_sheet(rows_of(2, 2)))
    with zipfile.ZipFile(data, "a") as archive:
        archive.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
            ' xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + f"<{tag}><x:t>字</x:t></{tag}>" * 1100
            + "</sst>",
        )
    assert "1,000" in rejected(data.getvalue())
    assert calamine_opened == []

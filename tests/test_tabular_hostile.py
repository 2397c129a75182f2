"""The shared reader turns hostile and broken files away with a Chinese
sentence, quickly and without reading them into memory, and tells the
importers which .xlsx cells are stored as formulas."""

import io
import time
import zipfile

import pytest
from openpyxl import Workbook

from chunshu_union.tabular import FileRejected, read_table
from members.roster import samples


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

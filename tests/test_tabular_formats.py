"""The formats real offices send, read by the shared reader like any Excel
file (issue 14): OpenDocument (.ods, from WPS and LibreOffice), and an
"xls" that is really a web page or Excel 2003 XML (SpreadsheetML), as
government systems export them; and total lines written 合 计. Each new
format keeps the reader's protections: rows and cells counted as a stream
before anything is built, formulas found, entities refused.

Over 500 lines because each format carries its own file builder beside its
tests; the builders are the evidence of what real offices send.
"""

import datetime
import io
import json
import time
import zipfile

import pytest

from chunshu_union.tabular import Field, FileRejected, find_header, read_table
from tests import samples
from tests.dues.helpers import TAX_EXPORT_HEADER
from tests.factories import EnterpriseFactory, credit_code

ACME = "北京椿树一号科技有限公司"


def rejected(data: bytes, name: str = "file.xls", **kw) -> str:
    started = time.monotonic()
    with pytest.raises(FileRejected) as caught:
        list(read_table(data, name, **kw).rows())
    assert time.monotonic() - started < 10
    assert caught.value.message and "Traceback" not in caught.value.message
    return caught.value.message


# --- .ods ---------------------------------------------------------------------------

ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    ' xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2"'
)
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
    ' manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/"'
    ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "{extra}</manifest:manifest>"
)


def ods(*tables: str, names=None, prolog: str = "", manifest_extra: str = "") -> bytes:
    """An .ods as LibreOffice lays it out (mimetype first and stored), with
    one sheet per table body."""
    names = names or [f"Sheet{i + 1}" for i in range(len(tables))]
    body = "".join(
        f'<table:table table:name="{name}">{table}</table:table>'
        for name, table in zip(names, tables, strict=True)
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        f"<office:document-content {ODS_NAMESPACES}><office:body><office:spreadsheet>"
        f"{body}</office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", MANIFEST.format(extra=manifest_extra))
        archive.writestr("content.xml", content)
    return buffer.getvalue()


def ods_cell(value, *, repeat: int = 1, formula: str | None = None) -> str:
    attributes = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    if formula:
        attributes += f' table:formula="{formula}"'
    if value is None:
        return f"<table:table-cell{attributes}/>"
    if isinstance(value, (int, float)):
        return (
            f'<table:table-cell{attributes} office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell{attributes} office:value-type="string">'
        f"<text:p>{value}</text:p></table:table-cell>"
    )


def ods_row(*values, repeat: int = 1) -> str:
    attributes = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{attributes}>" + "".join(map(ods_cell, values)) + "</table:table-row>"


def ods_roster(rows: list[dict]) -> bytes:
    from members.roster.fields import TEMPLATE_COLUMNS

    body = ods_row("椿树街道 会员花名册") + ods_row(*TEMPLATE_COLUMNS)
    body += "".join(ods_row(*(row.get(c, "") for c in TEMPLATE_COLUMNS)) for row in rows)
    # LibreOffice writes the formatted rest of the sheet as one repeated empty row
    body += (
        '<table:table-row table:number-rows-repeated="1048560">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    return ods(body, names=["花名册"])


@pytest.mark.django_db
def test_an_ods_roster_imports_like_an_xlsx(community1):
    from members.models import Member
    from members.roster.services import roster_import

    EnterpriseFactory(name=ACME, community=community1)
    rows = samples.people(5, [ACME])
    result, _batch = roster_import(
        source=ods_roster(rows), filename="花名册.ods", community=community1
    )
    assert result.errors == []
    assert result.created == 5
    assert set(Member.objects.values_list("name", flat=True)) == {r["姓名"] for r in rows}


def test_an_ods_is_read_with_the_row_numbers_the_sheet_shows():
    data = ods(
        '<table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>'
        + ods_row("姓名", "年龄")
        + "<table:table-header-rows>"  # rows inside a group are rows all the same
        + ods_row("张三", 30)
        + "</table:table-header-rows>"
        + "<table:table-row>"
        + ods_cell("李四")
        + ods_cell(None, repeat=3)
        + ods_cell("x", repeat=2)
        + "</table:table-row>"
    )
    table = read_table(data, "r.ods")
    assert table.kind == "ods"
    assert [(n, cells) for n, cells in table.rows() if any(cells)] == [
        (3, ["姓名", "年龄", "", "", "", ""]),
        (4, ["张三", 30.0, "", "", "", ""]),
        (5, ["李四", "", "", "", "x", "x"]),
    ]
    assert table.formula_cells == set()


def test_xlsx_rows_and_columns_are_numbered_as_the_sheet_shows_them_below_blank_ones():
    """calamine starts its rows at the sheet's top but its columns at the
    first used one: a roster whose row 1 and column A are blank was reported
    a row too low, and its formula cells matched the wrong column."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet["B2"], sheet["C2"] = "姓名", "身份证号"
    sheet["B3"], sheet["C3"] = "张三", "=1+1"
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), "r.xlsx")
    rows = [(n, cells) for n, cells in table.rows() if any(cells)]
    assert rows == [(2, ["", "姓名", "身份证号"]), (3, ["", "张三", ""])]
    number, column = next(iter(table.formula_cells))
    assert rows[1][1][column] == "" and (number, column) == (3, 2)


def test_ods_formula_cells_are_found_like_xlsx_ones():
    data = ods(
        ods_row("姓名", "身份证号")
        + "<table:table-row>"
        + ods_cell("张三", formula="of:=HYPERLINK(&quot;http://evil&quot;;&quot;张三&quot;)")
        + ods_cell(2, formula="of:=1+1")
        + "</table:table-row>"
        + '<table:table-row table:number-rows-repeated="2">'
        + ods_cell("x", repeat=2, formula="of:=[.A1]")
        + "</table:table-row>"
    )
    table = read_table(data, "r.ods")
    assert table.formula_cells == {(2, 0), (2, 1), (3, 0), (3, 1), (4, 0), (4, 1)}


def test_an_ods_repeating_a_formula_cell_is_refused_before_the_formula_set_grows(
    calamine_opened,
):
    """24 formula cells repeated on 5,000 rows fit the cell limit, and would
    be 120,000 (row, column) pairs in memory from a 1 KB file (on 150,000
    rows, 3.6 million)."""
    data = ods(
        ods_row("姓名")
        + '<table:table-row table:number-rows-repeated="5000">'
        + ods_cell(1, repeat=24, formula="of:=1")
        + "</table:table-row>"
    )
    assert len(data) < 2000
    assert "100,000" in rejected(data, "r.ods")
    assert calamine_opened == []
    # a formula alone, holding no value, still makes calamine keep its range
    lone = ods(
        ods_row("姓名")
        + '<table:table-row table:number-rows-repeated="300000">'
        + '<table:table-cell table:formula="of:=1"/></table:table-row>'
    )
    assert "200,000" in rejected(lone, "r.ods")


def test_a_tiny_ods_repeating_a_row_a_million_times_is_refused_before_calamine(calamine_opened):
    """calamine copies a repeated row that holds anything: these 900 bytes
    are a million rows (135 MB in calamine), refused at the row limit."""
    data = ods(ods_row("姓名") + ods_row("张三", repeat=1_000_000))
    assert len(data) < 2000
    assert "200,000" in rejected(data, "r.ods")
    assert calamine_opened == []


def test_an_ods_repeating_cells_across_and_down_is_refused_before_calamine(
    settings, calamine_opened
):
    settings.IMPORT_MAX_CELLS = 1000
    data = ods(
        ods_row("姓名") + "<table:table-row>" + ods_cell("x", repeat=100) + "</table:table-row>"
    )
    assert len(list(read_table(data, "r.ods").rows())) == 2  # 2 x 100 cells
    calamine_opened.clear()
    wide = ods(
        ods_row("姓名")
        + '<table:table-row table:number-rows-repeated="20">'
        + ods_cell("x", repeat=100)
        + "</table:table-row>"
    )
    assert "1,000" in rejected(wide, "r.ods")
    # two sheets are opened together: their rectangles add up
    two = ods(
        *[ods_row("姓名") + "<table:table-row>" + ods_cell("x", repeat=300) + "</table:table-row>"]
        * 2
    )
    assert "1,000" in rejected(two, "r.ods")
    assert calamine_opened == []


def test_an_ods_with_a_huge_run_of_spaces_is_refused_before_calamine(settings, calamine_opened):
    """<text:s text:c="…"/> is that many spaces in calamine's string."""
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    cell = (
        '<table:table-row><table:table-cell office:value-type="string">'
        '<text:p>x<text:s text:c="5000000"/>y</text:p></table:table-cell></table:table-row>'
    )
    assert "1 MB" in rejected(ods(ods_row("姓名") + cell), "r.ods")
    assert calamine_opened == []


def test_an_ods_with_entity_declarations_is_refused():
    prolog = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    assert "实体" in rejected(ods(ods_row("姓名", "&lol2;"), prolog=prolog), "r.ods")
    # and where the prolog is padded past the first look at its head
    padded = "<!--" + " " * 10_000 + "-->" + prolog
    assert "实体" in rejected(ods(ods_row("姓名", "&lol2;"), prolog=padded), "r.ods")


def test_a_password_protected_ods_is_refused_with_its_own_sentence():
    extra = (
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
        '<manifest:encryption-data manifest:checksum-type="SHA1"/></manifest:file-entry>'
    )
    assert "密码" in rejected(ods(ods_row("姓名"), manifest_extra=extra), "r.ods")


def test_a_zip_that_is_neither_xlsx_nor_ods_is_still_not_a_spreadsheet():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<x/>")
    assert "Excel" in rejected(buffer.getvalue(), "a.odt")


# --- The tax bureau's export: HTML and SpreadsheetML saved as .xls ----------------------


def run_declarations(path):
    from django.core.management import call_command

    out = io.StringIO()
    try:
        call_command("import_declarations", str(path), "--json", stdout=out)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, json.loads(out.getvalue())


def tax_bureau_html(rows: list[list[str]], *, total: str = "合 计") -> bytes:
    """As the bureau's system saves it: GB2312, a title table, a header row,
    the taxpayer's number and name merged down over its tax items, and a
    totals line whose label spans three columns."""
    # The HTML export names its last column 纳税申报日期, not 申报日期.
    header = [*TAX_EXPORT_HEADER[:-1], "纳税申报日期"]
    body = []
    for code, name, items in rows:
        for index, item in enumerate(items):
            cells = []
            if index == 0:
                cells += [
                    f'<td rowspan="{len(items)}" style="mso-number-format:\'\\@\'">{code}</td>',
                    f'<td rowspan="{len(items)}">{name}</td>',
                ]
            cells += [f"<td>{value}</td>" for value in item]
            body.append("<tr>" + "".join(cells) + "</tr>")
    html = (
        '<html xmlns:x="urn:schemas-microsoft-com:office:excel">\n<head>\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">\n'
        "<style>td {mso-number-format:General;}</style>\n<script>var x = '<tr><td>';</script>"
        "</head><body>\n"
        '<table><tr><td colspan="10">国家税务总局北京市西城区税务局&nbsp;申报明细查询</td></tr>'
        '<tr><td colspan="10">查询日期：2017-12-01</td></tr></table>\n'
        '<table border="1">\n<tr>'
        + "".join(f"<th>{h}</th>" for h in header)
        + "</tr>\n"
        + "\n".join(body)
        + f'\n<tr><td colspan="3">{total}</td><td></td><td></td><td></td><td></td>'
        "<td>1200.00</td><td>1200.00</td><td></td></tr>\n</table></body></html>"
    )
    return html.encode("gb18030")


def declaration_item(item, due="400.00", filed="2017-10-15"):
    return [item, "2017-07-01", "2017-09-30", "20000.00", "2%", due, due, filed]


@pytest.mark.django_db
def test_the_tax_bureaus_html_xls_imports_union_funds_only(tmp_path):
    a, b = EnterpriseFactory.create_batch(2)
    data = tax_bureau_html(
        [
            (
                a.credit_code,
                a.name,
                [declaration_item("增值税", "3000.00"), declaration_item("工会经费")],
            ),
            (b.credit_code, b.name, [declaration_item("工会经费", "800.00")]),
        ]
    )
    path = tmp_path / "申报明细.xls"
    path.write_bytes(data)
    code, result = run_declarations(path)
    assert code == 0, result
    assert result["errors"] == []
    assert (result["created"], result["skipped"]) == (2, 1)
    from dues.models import Declaration

    stored = {(d.enterprise_id, d.amount_due) for d in Declaration.objects.all()}
    assert {(e, str(amount)) for e, amount in stored} == {(a.pk, "400.00"), (b.pk, "800.00")}


def test_an_html_table_keeps_its_columns_under_merged_cells():
    html = (
        "<table><tr><td colspan=3>标题</td></tr>"
        "<tr><th rowspan=2>姓名</th><th colspan=2>所属期</th></tr>"
        "<tr><th>起</th><th>止</th></tr>"
        "<tr><td rowspan=2>张&amp;三</td><td>1<br>月</td><td>3</td></tr>"
        "<tr><td>4</td><td>6</td></tr>"
        "<tr><td>李四<table><tr><td>内</td></tr></table></td><td></td><td>9</td></tr></table>"
    ).encode()
    table = read_table(html, "r.xls")
    assert table.kind == "html"
    assert list(table.rows()) == [
        (1, ["标题", "", ""]),
        (2, ["姓名", "所属期", ""]),
        (3, ["姓名", "起", "止"]),
        (4, ["张&三", "1 月", "3"]),
        (5, ["张&三", "4", "6"]),
        (6, ["李四 内", "", "9"]),
    ]
    assert table.merged_title_rows == {1}


def test_an_html_file_past_the_row_limit_is_refused_while_it_is_parsed(settings):
    settings.IMPORT_MAX_ROWS = 1000
    rows = "".join(f"<tr><td>{n}</td><td>张三</td></tr>" for n in range(300_000))
    data = f"<html><body><table><tr><th>序号</th><th>姓名</th></tr>{rows}</table></body></html>"
    started = time.monotonic()
    assert "1,000" in rejected(data.encode())
    assert time.monotonic() - started < 3


def test_html_cells_past_the_cell_limit_are_refused(settings):
    settings.IMPORT_MAX_CELLS = 1000
    row = "<tr>" + "<td>x</td>" * 50 + "</tr>"
    assert "1,000" in rejected(f"<table>{row * 30}</table>".encode())
    # a span is as many cells as it covers
    assert "1,000" in rejected(b'<table><tr><td colspan="1000">x</td><td>y</td></tr></table>')


def spreadsheetml(rows_xml: str, *, prolog: str = "", encoding: str = "utf-8") -> bytes:
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n{prolog}'
        '<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"'
        ' xmlns:o="urn:schemas-microsoft-com:office:office"'
        ' xmlns:x="urn:schemas-microsoft-com:office:excel"'
        ' xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"'
        ' xmlns:html="http://www.w3.org/TR/REC-html40">\n'
        '<Styles><Style ss:ID="Default" ss:Name="Normal"/></Styles>\n'
        '<Worksheet ss:Name="Sheet0"><Table ss:ExpandedColumnCount="2" ss:ExpandedRowCount="1"/>'
        "</Worksheet>\n"  # an empty first sheet, passed over
        f'<Worksheet ss:Name="申报明细"><Table>{rows_xml}</Table></Worksheet></Workbook>'
    )
    return text.encode(encoding)


def ss_row(*values, index=None) -> str:
    cells = []
    for value in values:
        if isinstance(value, (int, float)):
            cells.append(f'<Cell><Data ss:Type="Number">{value}</Data></Cell>')
        else:
            cells.append(f'<Cell><Data ss:Type="String">{value}</Data></Cell>')
    at = f' ss:Index="{index}"' if index else ""
    return f"<Row{at}>" + "".join(cells) + "</Row>"


@pytest.mark.django_db
def test_the_tax_bureaus_spreadsheetml_xls_imports_union_funds_only(tmp_path):
    a = EnterpriseFactory()
    stranger = credit_code(9002)
    header = [
        "缴费人识别号",
        "缴费人名称",
        "征收品目",
        "费款所属期起",
        "费款所属期止",
        "计费依据",
        "费率",
        "应补(退)费额",
        "入库日期",
    ]
    rows = (
        '<Row><Cell ss:MergeAcross="8"><Data ss:Type="String">工会经费征收明细</Data></Cell></Row>'
        + ss_row(*header)
        + ss_row(
            a.credit_code,
            a.name,
            "工会经费",
            "2017-07-01",
            "2017-09-30",
            20000,
            "2%",
            400,
            "2017-10-15",
        )
        + ss_row(
            a.credit_code,
            a.name,
            "残疾人就业保障金",
            "2017-01-01",
            "2017-12-31",
            1,
            "1",
            900,
            "2017-10-15",
        )
        + ss_row(
            stranger,
            "未建会公司",
            "工会经费",
            "2017-07-01",
            "2017-09-30",
            10000,
            "2%",
            200,
            "2017-10-16",
        )
        + '<Row><Cell ss:MergeAcross="2"><Data ss:Type="String">总　计</Data></Cell>'
        '<Cell ss:Index="8"><Data ss:Type="Number">1500</Data></Cell></Row>'
    )
    path = tmp_path / "export.xls"
    path.write_bytes(spreadsheetml(rows, encoding="gb2312"))
    code, result = run_declarations(path)
    assert code == 0, result
    assert result["errors"] == []
    assert (result["created"], result["skipped"], result["unmatched"]) == (2, 1, 1)


def test_spreadsheetml_cells_land_where_excel_shows_them():
    rows = (
        '<Row><Cell ss:MergeAcross="2"><Data ss:Type="String">标题</Data></Cell></Row>'
        '<Row ss:Index="3"><Cell ss:MergeDown="1"><Data ss:Type="String">张三</Data></Cell>'
        '<Cell><Data ss:Type="Number">1.5</Data></Cell>'
        '<Cell ss:Formula="=1+1"><Data ss:Type="Number">2</Data></Cell></Row>'
        '<Row><Cell ss:Index="2"><Data ss:Type="DateTime">2017-10-15T00:00:00.000</Data></Cell>'
        '<Cell><ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40">'
        "<B>粗</B>体</ss:Data></Cell></Row>"
    )
    table = read_table(spreadsheetml(rows), "r.xls")
    assert table.kind == "xml"
    assert list(table.rows()) == [
        (1, ["标题", "", ""]),
        (3, ["张三", 1.5, 2.0]),
        (4, ["张三", datetime.date(2017, 10, 15), "粗体"]),
    ]
    assert table.formula_cells == {(3, 2)}
    assert table.merged_title_rows == {1}


def test_an_entity_bomb_in_spreadsheetml_is_refused_quickly():
    prolog = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
            for i in range(1, 10)
        )
        + "]>\n"
    )
    data = spreadsheetml(ss_row("姓名") + ss_row("&lol9;"), prolog=prolog)
    assert "实体" in rejected(data)


def test_spreadsheetml_indexes_far_away_are_refused(settings):
    settings.IMPORT_MAX_CELLS = 1000
    far_right = (
        ss_row("姓名")
        + '<Row><Cell ss:Index="5000000"><Data ss:Type="String">x</Data></Cell></Row>'
    )
    assert "1,000" in rejected(spreadsheetml(far_right))
    far_down = ss_row("姓名") + ss_row("x", index=3_000_000)
    assert "200,000" in rejected(spreadsheetml(far_down))


def test_markup_that_is_no_table_is_not_a_spreadsheet():
    assert "Excel" in rejected(b"<html><body><p>no table here</p></body></html>")
    assert "Excel" in rejected(b'<?xml version="1.0"?><note>hello</note>')


# --- Total lines written with spaces ---------------------------------------------------------


@pytest.mark.parametrize("label", ["合 计", "合　计", "总  计", "小　 计：", " 共 计"])
def test_a_total_line_written_with_spaces_is_dropped(label):
    data = samples.csv_bytes(
        [{"姓名": "张三", "身份证号": "1"}, {"姓名": label, "身份证号": "3"}],
        header=["姓名", "身份证号"],
    )
    table = read_table(data, "r.csv")
    header, rows = find_header(table, [Field("name", ("姓名",), required=True)])
    assert [cells[0] for _number, cells in header.data_rows(table, after=rows)] == ["张三"]


def test_a_name_that_starts_like_a_total_is_kept():
    data = "姓名\n合计\n合 作社\n张三\n".encode()
    table = read_table(data, "r.csv")
    header, rows = find_header(table, [Field("name", ("姓名",), required=True)])
    assert [cells[0] for _number, cells in header.data_rows(table, after=rows)] == [
        "合 作社",
        "张三",
    ]


def test_a_csv_whose_first_cell_starts_with_a_bracket_is_still_a_csv():
    table = read_table("<备注>,姓名\n无,张三\n".encode(), "r.csv")
    assert table.kind == "csv"
    assert [cells for _number, cells in table.rows()] == [["<备注>", "姓名"], ["无", "张三"]]


@pytest.mark.parametrize(
    "declared, encoding",
    [("gb2312", "gbk"), ("GBK", "gb18030"), ("utf-8", "utf-8"), ("iso-8859-1", "gbk"), ("", "gbk")],
)
def test_an_html_export_is_read_in_the_encoding_it_really_has(declared, encoding):
    meta = (
        f'<meta http-equiv="Content-Type" content="text/html; charset={declared}">'
        if declared
        else ""
    )
    html = f"<html><head>{meta}</head><body><table><tr><td>纳税人名称</td></tr>"
    html += "<tr><td>北京椿树䶮科技有限公司</td></tr></table></body></html>"
    data = html.encode(encoding, errors="replace")
    expected = "北京椿树䶮科技有限公司".encode(encoding, errors="replace").decode(encoding)
    rows = [cells for _number, cells in read_table(data, "r.xls").rows()]
    assert rows == [["纳税人名称"], [expected]]

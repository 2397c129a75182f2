"""import_enterprises, as staff run it from the command line."""

import csv
import datetime
import json

import openpyxl
import pytest
from django.core.management import call_command

from enterprises.models import Building, Enterprise
from tests.factories import credit_code

HEADER = [
    "企业名称",
    "统一社会信用代码",
    "所属社区",
    "所在楼宇",
    "职工人数",
    "建会日期",
    "工会主席",
    "联系电话",
]


def rows(n=3):
    return [
        [
            f"北京测试{i}科技有限公司",
            credit_code(9000 + i),
            "椿树园社区",
            "庄胜广场",
            25 + i,
            datetime.date(2015, 3, 1 + i),
            "王芳",
            "13800138000",
        ]
        for i in range(n)
    ]


def xlsx(path, body, *, title=True):
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append(["椿树街道建会企业名单"])
        ws.merge_cells("A1:H1")
        ws.append(["填报单位：椿树街道总工会"])
    ws.append(HEADER)
    for row in body:
        ws.append(row)
    ws.append(["合计", "", "", "", 99])
    ws.append(["注：建会日期以批复为准"])
    wb.save(path)
    return str(path)


def run(path, *extra):
    """Run the command as a user would; returns (exit code, parsed JSON)."""
    from io import StringIO

    out = StringIO()
    code = 0
    try:
        call_command("import_enterprises", path, "--json", *extra, stdout=out, stderr=StringIO())
    except SystemExit as exit_:
        code = exit_.code
    return code, json.loads(out.getvalue())


def test_a_good_file_below_title_rows_is_imported(db, tmp_path):
    code, result = run(xlsx(tmp_path / "e.xlsx", rows()))
    assert code == 0
    assert (result["created"], result["invalid"], result["errors"]) == (3, 0, [])
    enterprise = Enterprise.objects.get(credit_code=credit_code(9001))
    assert enterprise.community.name == "椿树园社区"
    assert enterprise.building.name == "庄胜广场"
    assert enterprise.union_founded_on == datetime.date(2015, 3, 2)
    assert enterprise.status_history.count() == 1


def test_the_same_file_twice_changes_nothing(db, tmp_path):
    path = xlsx(tmp_path / "e.xlsx", rows())
    run(path)
    code, result = run(path)
    assert code == 0 and (result["created"], result["updated"], result["unchanged"]) == (0, 0, 3)
    assert Enterprise.objects.count() == 3 and Building.objects.filter(name="庄胜广场").count() == 1


def test_a_changed_row_is_an_update(db, tmp_path):
    run(xlsx(tmp_path / "a.xlsx", rows()))
    changed = rows()
    changed[1][4] = 80
    code, result = run(xlsx(tmp_path / "b.xlsx", changed))
    assert code == 0
    assert (result["updated"], result["unchanged"]) == (1, 2)
    assert Enterprise.objects.get(credit_code=credit_code(9001)).headcount == 80


def test_every_fault_is_reported_with_excel_row_and_column_and_nothing_is_written(db, tmp_path):
    body = rows(4)
    body[0][1] = body[0][1][:17] + ("0" if body[0][1][17] != "0" else "1")  # bad check char
    body[1][2] = "不存在社区"
    body[2][0] = '=HYPERLINK("x")'
    body[3][7] = "12345"
    code, result = run(xlsx(tmp_path / "bad.xlsx", body))
    assert code == 1
    assert Enterprise.objects.count() == 0
    faults = {(e["row"], e["column"]) for e in result["errors"]}
    # Two title rows and the header: data starts on Excel row 4.
    assert faults == {(4, "统一社会信用代码"), (5, "所属社区"), (6, "企业名称"), (7, "联系电话")}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e["message"]) for e in result["errors"])


def test_text_longer_than_the_column_is_a_fault_not_a_database_error(db, tmp_path):
    body = rows(2)
    body[0][0] = "北京" + "很长" * 100 + "有限公司"
    body[1][6] = "王" * 51
    code, result = run(xlsx(tmp_path / "long.xlsx", body))
    assert code == 1 and Enterprise.objects.count() == 0
    faults = [(e["row"], e["column"]) for e in result["errors"]]
    assert faults == [(4, "企业名称"), (5, "工会主席")]
    assert "200" in result["errors"][0]["message"] and "50" in result["errors"][1]["message"]


def test_dry_run_reports_without_writing(db, tmp_path):
    code, result = run(xlsx(tmp_path / "e.xlsx", rows()), "--dry-run")
    assert code == 0 and result["created"] == 3
    assert not Enterprise.objects.exists()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_each_encoding_people_save(db, tmp_path, encoding):
    path = tmp_path / "e.csv"
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for row in rows(2):
            writer.writerow(
                [v.strftime("%Y年%m月%d日") if isinstance(v, datetime.date) else v for v in row]
            )
    code, result = run(str(path))
    assert code == 0 and result["created"] == 2
    assert Enterprise.objects.get(credit_code=credit_code(9000)).union_founded_on == datetime.date(
        2015, 3, 1
    )


def test_a_file_that_is_not_a_spreadsheet_exits_2_with_a_message(db, tmp_path):
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    code, result = run(str(path))
    assert code == 2 and "表格" in result["error"]


def test_a_file_without_the_columns_exits_2_naming_them(db, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("姓名,电话\n张三,13800138000\n", encoding="utf-8")
    code, result = run(str(path))
    assert code == 2 and "统一社会信用代码" in result["error"]


def test_a_missing_file_exits_2(db, tmp_path):
    code, result = run(str(tmp_path / "nowhere.xlsx"))
    assert code == 2 and result["error"]

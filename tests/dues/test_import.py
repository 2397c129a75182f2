"""Importing the tax bureau's declaration details: the command line's
contract, bad input, unmatched taxpayers, idempotent re-import."""

import datetime
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command

from dues.models import Declaration
from tests.dues.helpers import TAX_EXPORT_HEADER as HEADER
from tests.factories import EnterpriseFactory, credit_code


def workbook(tmp_path, rows, name="decl.xlsx", header=HEADER):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["国家税务总局北京市西城区税务局 工会经费申报明细"])  # a title row
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return str(path)


def row(
    enterprise_or_code,
    name="北京测试公司",
    *,
    start="2017-07-01",
    end="2017-09-30",
    base="20000",
    due="400",
    filed="2017-10-15",
):
    code = getattr(enterprise_or_code, "credit_code", enterprise_or_code)
    return [code, name, "工会经费", start, end, base, "2%", due, due, filed]


def run(path, *args):
    """The command as a script calls it: exit status and the JSON."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("import_declarations", path, "--json", *args, stdout=out)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, json.loads(out.getvalue())


def test_a_clean_export_is_imported_with_unmatched_taxpayers_kept(db, tmp_path):
    a, b = EnterpriseFactory.create_batch(2)
    stranger = credit_code(9001)
    path = workbook(tmp_path, [row(a), row(b, base="0", due="0"), row(stranger, "未建会公司")])
    code, result = run(path)
    assert code == 0
    assert (result["created"], result["unmatched"], result["errors"]) == (3, 1, [])
    assert Declaration.objects.get(enterprise=b).is_zero
    unmatched = Declaration.objects.unmatched().get()
    assert (unmatched.credit_code, unmatched.taxpayer_name) == (stranger, "未建会公司")
    assert Declaration.objects.get(enterprise=a).rate == Decimal("0.0200")


def test_the_same_file_twice_changes_nothing(db, tmp_path):
    a = EnterpriseFactory()
    path = workbook(tmp_path, [row(a)])
    run(path)
    code, result = run(path)
    assert code == 0
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 1)
    assert Declaration.objects.count() == 1


def test_an_overlapping_newer_export_updates_what_changed(db, tmp_path):
    a, b = EnterpriseFactory.create_batch(2)
    run(workbook(tmp_path, [row(a), row(b)], "old.xlsx"))
    newer = [
        row(a, due="450"),
        row(b),
        row(b, start="2017-10-01", end="2017-12-31", filed="2018-01-15"),
    ]
    code, result = run(workbook(tmp_path, newer, "new.xlsx"))
    assert code == 0
    assert (result["created"], result["updated"], result["unchanged"]) == (1, 1, 1)
    assert Declaration.objects.get(enterprise=a).amount_due == Decimal("450.00")


def test_a_correction_is_a_new_row_for_the_same_period(db, tmp_path):
    a = EnterpriseFactory()
    run(workbook(tmp_path, [row(a), row(a, due="500", filed="2017-11-20")]))
    assert Declaration.objects.filter(enterprise=a).count() == 2


@pytest.mark.parametrize(
    ("bad", "column", "words"),
    [
        ({"code": "91110102MA00000010"}, "纳税人识别号", "校验"),
        ({"start": "2017-09-30", "end": "2017-07-01"}, "税款所属期止", "早于"),
        ({"due": "四百"}, "应纳税额", "金额"),  # a negative one is a refund: test_import_field
        ({"filed": "2099-01-01"}, "申报日期", "将来"),
        ({"end": "明天"}, "税款所属期止", "日期"),
    ],
)
def test_bad_rows_are_refused_with_row_and_column_and_nothing_is_written(
    db, tmp_path, bad, column, words
):
    a = EnterpriseFactory()
    fields = {"start": "2017-07-01", "end": "2017-09-30", "due": "400", "filed": "2017-10-15"}
    fields.update({k: v for k, v in bad.items() if k != "code"})
    faulty = row(bad.get("code", a), **fields)
    code, result = run(workbook(tmp_path, [row(a), faulty]))
    assert code == 1
    assert result["invalid"] == 1
    error = result["errors"][0]  # a bad amount due is also a bad amount paid
    assert (error["row"], error["column"]) == (4, column)
    assert words in error["message"], error["message"]
    assert not Declaration.objects.exists()


def test_a_file_that_is_not_the_tax_export_is_refused(db, tmp_path):
    path = workbook(tmp_path, [["张三", "110101199003070000"]], header=["姓名", "身份证号"])
    code, result = run(path)
    assert code == 2
    assert "纳税人识别号" in result["error"]
    assert not Declaration.objects.exists()


def test_dry_run_writes_nothing(db, tmp_path):
    a = EnterpriseFactory()
    code, result = run(workbook(tmp_path, [row(a)]), "--dry-run")
    assert (code, result["created"]) == (0, 1)
    assert not Declaration.objects.exists()


def test_an_enterprise_registered_later_picks_up_its_declarations(db, tmp_path):
    from chunshu_union.quarters import Quarter
    from dues.services import snapshots_recompute

    code = credit_code(9002)
    run(workbook(tmp_path, [row(code, "后建会公司")]))
    enterprise = EnterpriseFactory(credit_code=code, union_founded_on=datetime.date(2017, 1, 1))
    street = snapshots_recompute(quarter=Quarter(2017, 3)).figures[0]
    assert (street.declared, street.obligated) == (1, 1)
    assert Declaration.objects.get().enterprise == enterprise

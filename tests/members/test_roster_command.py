"""`manage.py import_roster`, as scripts and staff use it: DESIGN's contract
of exit codes and one JSON object."""

import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from members.models import ImportBatch, Member
from tests import samples

pytestmark = pytest.mark.django_db

ACME = "北京椿树一号科技有限公司"


def import_roster(capsys, *args):
    code = 0
    try:
        call_command("import_roster", *map(str, args))
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path, data, name="roster.xlsx"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_clean_file_exit_0_and_json_keys(acme, tmp_path, capsys):
    path = write(tmp_path, samples.xlsx(samples.people(4, [ACME])))
    code, out, _err = import_roster(capsys, path, "--json")
    assert code == 0
    result = json.loads(out)
    assert {"created", "updated", "unchanged", "transferred", "invalid", "errors"} <= set(result)
    assert (result["created"], result["invalid"], result["errors"]) == (4, 0, [])
    assert Member.objects.count() == 4
    code, out, _err = import_roster(capsys, path, "--json")
    assert (code, json.loads(out)["unchanged"], json.loads(out)["created"]) == (0, 4, 0)


def test_faulty_file_exit_1_nothing_written(acme, tmp_path, capsys):
    rows = [*samples.people(2, [ACME]), samples.person_row(7, ACME, 姓名="")]
    code, out, _err = import_roster(capsys, write(tmp_path, samples.xlsx(rows)), "--json")
    assert code == 1
    errors = json.loads(out)["errors"]
    assert errors == [{"row": 6, "column": "姓名", "message": "姓名没有填写。"}]
    assert Member.objects.count() == 0
    assert ImportBatch.objects.get().state == ImportBatch.State.FAILED


def test_skip_invalid_with_report_exit_1_valid_rows_written(acme, tmp_path, capsys):
    rows = [*samples.people(2, [ACME]), samples.person_row(7, ACME, 联系电话="999")]
    report = tmp_path / "errors.xlsx"
    code, out, _err = import_roster(
        capsys, write(tmp_path, samples.xlsx(rows)), "--skip-invalid", "--report", report, "--json"
    )
    assert code == 1
    assert json.loads(out)["created"] == 2 and Member.objects.count() == 2
    sheet = load_workbook(report).active
    assert sheet.cell(row=2, column=1).value == 6
    assert "联系电话" in sheet.cell(row=2, column=sheet.max_column).value


def test_dry_run_writes_nothing(acme, tmp_path, capsys):
    path = write(tmp_path, samples.xlsx(samples.people(3, [ACME])))
    code, out, _err = import_roster(capsys, path, "--dry-run", "--json")
    assert (code, json.loads(out)["created"]) == (0, 3)
    assert Member.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_unreadable_file_exit_2_with_a_chinese_sentence(tmp_path, capsys, db):
    code, out, _err = import_roster(capsys, write(tmp_path, b"PK\x03\x04broken"), "--json")
    assert code == 2
    assert "文件" in json.loads(out)["error"]
    code, _out, err = import_roster(capsys, tmp_path / "missing.xlsx")
    assert code == 2 and "Traceback" not in err and err.strip()


def test_community_option_refuses_other_communities_enterprises(acme, community2, tmp_path, capsys):
    path = write(tmp_path, samples.csv_bytes(samples.people(2, [ACME])), "r.csv")
    code, out, _err = import_roster(capsys, path, "--community", community2.name, "--json")
    assert code == 1
    assert all(e["column"] == "所在企业" for e in json.loads(out)["errors"])
    code, out, _err = import_roster(capsys, path, "--community", "宣武门外东大街", "--json")
    assert code == 0 and json.loads(out)["created"] == 2


def test_unknown_community_exit_2(acme, tmp_path, capsys):
    path = write(tmp_path, samples.csv_bytes(samples.people(1, [ACME])), "r.csv")
    with pytest.raises(Exception) as caught:
        call_command("import_roster", str(path), "--community", "火星社区")
    assert getattr(caught.value, "returncode", None) == 2
    assert "火星社区" in str(caught.value)


def test_human_output_names_rows_and_columns(acme, tmp_path, capsys):
    rows = [samples.person_row(1, ACME, 联系电话="12")]
    code, out, err = import_roster(capsys, write(tmp_path, samples.xlsx(rows)))
    assert code == 1
    assert "联系电话" in err and "4" in err
    assert "未写入任何数据" in out

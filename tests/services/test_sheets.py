"""Sign-off and sign-in sheets through the command line (DESIGN's contract:
exit 0 / 1 / 2, one JSON object with --json, Chinese messages)."""

import datetime
import json

import openpyxl
import pytest
from django.core.management import call_command

from services.models import (
    Attendance,
    Handout,
)
from tests.factories import MembershipFactory, id_number, training, welfare_batch

D = datetime.date


@pytest.fixture
def tickets(db):
    return welfare_batch(
        "庙会票", name="2017春节庙会票", campaign="holiday", received_on=D(2017, 1, 10), quantity=3
    )


@pytest.fixture
def people(alices_enterprise):
    return [
        MembershipFactory(
            enterprise=alices_enterprise,
            member__name=name,
            member__id_number_value=id_number(900 + i),
        ).member
        for i, name in enumerate(["王芳", "李强", "赵敏"])
    ]


def _xlsx(path, rows, title="2017年春节庙会票签收表"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([title])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return str(path)


def _run(capsys, *args):
    with pytest.raises(SystemExit) as stopped:
        call_command(*args, "--json")
        raise SystemExit(0)
    return stopped.value.code, json.loads(capsys.readouterr().out)


def _handouts(capsys, path, batch, user, *extra):
    """import_handouts of the sheet at `path` for `batch`, as `user`."""
    return _run(capsys, "import_handouts", path, "--batch", batch, "--user", user, *extra)


def test_a_sign_off_sheet_hands_out_and_a_second_run_changes_nothing(
    tmp_path, capsys, sam, tickets, people
):
    path = _xlsx(
        tmp_path / "签收表.xlsx",
        [["序号", "姓名", "身份证号码", "签收日期"]]
        + [[i, p.name, id_number(900 + i), "2017.1.20"] for i, p in enumerate(people[:2])],
    )
    code, out = _handouts(capsys, path, tickets.name, "sam")
    assert (code, out["created"], out["errors"]) == (0, 2, [])
    tickets.refresh_from_db()
    assert tickets.stock == 1
    code, out = _handouts(capsys, path, tickets.name, "sam")
    assert (code, out["created"], out["unchanged"]) == (0, 0, 2)
    assert Handout.objects.count() == 2


def test_a_sheet_with_a_bad_row_writes_nothing(tmp_path, capsys, sam, tickets, people):
    path = tmp_path / "签收表.csv"
    path.write_text(
        "姓名,身份证号,签收日期\n"
        f"{people[0].name},{id_number(900)},2017-01-20\n"
        f"王小二,{id_number(900)[:17]}0,2017-01-20\n"
        f"张冠李戴,{id_number(901)},2017-01-20\n",
        encoding="utf-8-sig",
    )
    code, out = _handouts(capsys, str(path), tickets.name, "sam")
    assert code == 1
    assert [e["row"] for e in out["errors"]] == [3, 4]
    assert out["errors"][1]["column"] == "姓名" and "李强" in out["errors"][1]["message"]
    assert not Handout.objects.exists()
    tickets.refresh_from_db()
    assert tickets.stock == 3


def test_a_sheet_asking_for_more_than_the_stock_writes_nothing(
    tmp_path, capsys, sam, tickets, people
):
    tickets.stock = 2
    tickets.save()
    path = _xlsx(
        tmp_path / "s.xlsx",
        [["姓名", "身份证号"]] + [[p.name, id_number(900 + i)] for i, p in enumerate(people)],
    )
    code, out = _handouts(capsys, path, tickets.name, "sam", "--date", "2017-01-20")
    assert code == 1 and "2" in out["errors"][0]["message"]
    assert not Handout.objects.exists()


def test_a_chair_cannot_sign_off_another_communitys_member(tmp_path, capsys, bob, tickets, people):
    path = _xlsx(tmp_path / "s.xlsx", [["姓名", "身份证号"], [people[0].name, id_number(900)]])
    code, out = _handouts(capsys, path, tickets.name, "bob", "--date", "2017-01-20")
    assert code == 1 and out["errors"][0]["column"] == "身份证号"
    assert not Handout.objects.exists()


def test_an_unknown_batch_or_a_broken_file_is_exit_2(tmp_path, capsys, sam, tickets):
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"PK\x03\x04garbage")
    code, out = _handouts(capsys, str(bad), tickets.name, "sam")
    assert code == 2 and out["error"]
    code, out = _handouts(capsys, str(bad), "无此批次", "sam")
    assert code == 2 and "无此批次" in out["error"]


def test_a_sign_in_sheet_records_attendance_once(tmp_path, capsys, sam, people):
    event = training("工会业务知识培训")
    path = _xlsx(
        tmp_path / "签到表.xlsx",
        [["姓名", "公民身份号码", "签到"]]
        + [[p.name, id_number(900 + i), "是" if i < 2 else "否"] for i, p in enumerate(people)],
        title="工会业务知识培训签到表",
    )
    code, out = _run(capsys, "import_attendance", path, "--event", str(event.pk), "--user", "sam")
    assert (code, out["created"]) == (0, 3)
    assert Attendance.objects.filter(event=event, attended=True).count() == 2
    code, out = _run(capsys, "import_attendance", path, "--event", event.title, "--user", "sam")
    assert (code, out["created"], out["unchanged"]) == (0, 0, 3)

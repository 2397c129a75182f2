"""Real office files: workbooks written by LibreOffice, not by our own Python
writers (issue 14, field truth). The source workbooks are laid out as the
people at the union make them (the chairs' roster template filled in, the
tax bureau's declaration export, a sign-in sheet), saved as .xlsx with
openpyxl, and converted once per module by LibreOffice into .ods, BIFF8
.xls ("MS Excel 97") and — for the declarations — the web page and the
Excel 2003 XML (SpreadsheetML) that government systems send under an .xls
name. Each converted file goes
through the real doors (services, commands, the portal, the admin) and must
give exactly what the .xlsx gives: names, ID numbers with their X, dates,
phone numbers typed as text with their leading 0, amounts and periods.

Skipped where LibreOffice is not installed (CI installs it when apt is
there: .ci/run).

Over 500 lines because LibreOffice converts the workbooks once per module (a slow
fixture): splitting the module would convert every workbook again per file.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from chunshu_union.imports.models import State
from dues.models import Declaration, DeclarationImport
from members.models import ImportBatch, Member
from members.roster.fields import CODE_LISTS
from members.roster.services import roster_import
from members.roster.template import roster_template
from services.models import Attendance, SheetImport
from tests import factories, samples
from tests.dues.helpers import TAX_EXPORT_HEADER
from tests.factories import (
    EnterpriseFactory,
    MembershipFactory,
    credit_code,
    id_number,
)
from tests.import_flow import act, job_url, upload

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
if SOFFICE is None:
    pytest.skip("LibreOffice not installed", allow_module_level=True)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

D = datetime.date
ACME = "北京椿树一号科技有限公司"
CONVERT_TIMEOUT = 120

# --- the source workbooks ------------------------------------------------------

#: The first n whose sample ID number ends in X.
N_X = next(n for n in range(10, 1000) if samples.id_number_for(n).endswith("X"))

#: The roster as chairs fill in the template: dates typed into the template's
#: date columns are dates, the ID and phone columns are text (a landline keeps
#: its 0), one join date typed as text, the coded columns as the drop-downs
#: offer them or as offices write them.
ROSTER = [
    samples.person_row(
        1, ACME, 出生日期=None, 入会日期=D(2016, 3, 1), 联系电话="01063012345", 文化程度="本科"
    ),
    samples.person_row(
        N_X,
        ACME,
        出生日期=None,
        入会日期="2015年3月1日",
        联系电话="13800138000",
        民族="回族",
        文化程度="硕士研究生",
        政治面貌="中共党员",
        是否劳模="是",
    ),
    samples.person_row(
        3,
        ACME,
        出生日期=None,
        入会日期=D(2017, 12, 31),
        联系电话="010-63012345",
        民族="汉",
        文化程度="大专",
        是否农民工="是",
        是否困难职工="是",
    ),
]
for _person in ROSTER:
    _number = _person["身份证号"]
    _person["出生日期"] = D(int(_number[6:10]), int(_number[10:12]), int(_number[12:14]))


def roster_workbook(path: Path) -> None:
    workbook = load_workbook(
        io.BytesIO(roster_template(community_name="椿树街道", enterprise_names=[ACME]))
    )
    sheet = workbook["会员花名册"]
    header = [cell.value for cell in sheet[3]]
    for line, person in enumerate(ROSTER, start=4):
        for column, name in enumerate(header, start=1):
            sheet.cell(row=line, column=column, value=person[name])
    workbook.save(path)


def expected_members() -> list[tuple]:
    def code(list_name, value):
        found = CODE_LISTS[list_name].read(value)
        assert found, (list_name, value)
        return found

    def joined(value):
        return value if isinstance(value, D) else D(2015, 3, 1)

    return sorted(
        (
            p["姓名"],
            p["身份证号"],
            p["出生日期"],
            p["联系电话"].replace("-", ""),
            code("ethnicity", p["民族"]),
            code("education", p["文化程度"]),
            code("political_status", p["政治面貌"]),
            p["是否农民工"] == "是",
            p["是否劳模"] == "是",
            p["是否困难职工"] == "是",
            joined(p["入会日期"]),
        )
        for p in ROSTER
    )


def members_written() -> list[tuple]:
    return sorted(
        (
            m.name,
            m.id_number,
            m.birth_date,
            m.phone,
            m.ethnicity,
            m.education,
            m.political_status,
            m.is_migrant_worker,
            m.is_model_worker,
            m.is_in_hardship,
            m.memberships.get().joined_on,
        )
        for m in Member.objects.all()
    )


PAYING = credit_code(7101)
ZERO = credit_code(7102)
STRANGER = credit_code(7103)
OLD_NUMBER = "110102600012345"  # an old 15-character tax registration number

#: The tax bureau's export: dates as dates (and one row as text, as some
#: systems write them), amounts as numbers with cents, the rate as a
#: percentage cell, a VAT row to skip, a refund, an unmatched taxpayer and an
#: old-format number, and a totals line.
DECLARATIONS = [
    [PAYING, "北京椿树甲公司", "工会经费", D(2017, 7, 1), D(2017, 9, 30), 61728.4, 0.02, 1234.57, 1234.57, D(2017, 10, 16)],
    [PAYING, "北京椿树甲公司", "增值税", D(2017, 7, 1), D(2017, 9, 30), 100000, 0.13, 13000, 13000, D(2017, 10, 16)],
    [PAYING, "北京椿树甲公司", "工会经费", D(2017, 4, 1), D(2017, 6, 30), -5000, 0.02, -100, -100, D(2017, 11, 3)],
    [ZERO, "北京椿树乙公司", "工会经费", D(2017, 7, 1), D(2017, 9, 30), 0, 0.02, 0, 0, D(2017, 10, 9)],
    [STRANGER, "未建会公司", "工会经费", "2017-07-01", "2017-09-30", "20000", "2%", "400", "400", "2017-10-15"],
    [OLD_NUMBER, "老税号公司", "工会经费", D(2017, 7, 1), D(2017, 9, 30), 15000, 0.02, 300, 300, D(2017, 10, 20)],
    ["合计", None, None, None, None, 191728.4, None, 14834.57, 14834.57, None],
]  # fmt: skip


#: Excel's 会计专用 (accounting) format as a Chinese Excel writes it: ¥, thousands
#: separators, a zero shown as "-".
ACCOUNTING = '_ ¥* #,##0.00_ ;_ ¥* -#,##0.00_ ;_ ¥* "-"??_ ;_ @_ '


def declarations_workbook(path: Path, *, formatted: bool = False) -> None:
    """`formatted`: the same export as an office passes it on after making it
    readable — amounts in the accounting format, dates with their time as the
    tax system stamps them, the rate as 2.00%."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "工会经费申报明细"
    sheet.append(["国家税务总局北京市西城区税务局 工会经费申报明细"])
    sheet.append(TAX_EXPORT_HEADER)
    for values in DECLARATIONS:
        sheet.append(values)
    for row in sheet.iter_rows(min_row=3):
        row[0].number_format = "@"
        for cell in row[3:5] + row[9:10]:
            cell.number_format = "yyyy-mm-dd hh:mm:ss" if formatted else "yyyy-mm-dd"
        for cell in row[5:6] + row[7:9]:
            cell.number_format = ACCOUNTING if formatted else "#,##0.00"
        row[6].number_format = "0.00%" if formatted else "0%"
    workbook.save(path)


def declarations_csv(path: Path) -> None:
    """The same export as a UTF-8 CSV: ISO dates, plain numbers."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["国家税务总局北京市西城区税务局 工会经费申报明细"])
        writer.writerow(TAX_EXPORT_HEADER)
        for values in DECLARATIONS:
            writer.writerow(
                "" if value is None else value.isoformat() if isinstance(value, D) else value
                for value in values
            )


EXPECTED_DECLARATIONS = sorted(
    [
        # credit code, name, start, end, base, rate, due, paid, declared, zero, refund, matched
        (PAYING, "北京椿树甲公司", D(2017, 7, 1), D(2017, 9, 30), "61728.40", "0.0200", "1234.57", "1234.57", D(2017, 10, 16), False, False, True),
        (PAYING, "北京椿树甲公司", D(2017, 4, 1), D(2017, 6, 30), "-5000.00", "0.0200", "-100.00", "-100.00", D(2017, 11, 3), False, True, True),
        (ZERO, "北京椿树乙公司", D(2017, 7, 1), D(2017, 9, 30), "0.00", "0.0200", "0.00", "0.00", D(2017, 10, 9), True, False, True),
        (STRANGER, "未建会公司", D(2017, 7, 1), D(2017, 9, 30), "20000.00", "0.0200", "400.00", "400.00", D(2017, 10, 15), False, False, False),
        (OLD_NUMBER, "老税号公司", D(2017, 7, 1), D(2017, 9, 30), "15000.00", "0.0200", "300.00", "300.00", D(2017, 10, 20), False, False, False),
    ]
)  # fmt: skip


def declarations_written() -> list[tuple]:
    return sorted(
        (
            d.credit_code,
            d.taxpayer_name,
            d.period_start,
            d.period_end,
            str(d.base),
            str(d.rate),
            str(d.amount_due),
            str(d.amount_paid),
            d.declared_on,
            d.is_zero,
            d.is_refund,
            d.enterprise_id is not None,
        )
        for d in Declaration.objects.all()
    )


def declaring_enterprises():
    EnterpriseFactory(credit_code=PAYING, name="北京椿树甲公司")
    EnterpriseFactory(credit_code=ZERO, name="北京椿树乙公司")


#: A sign-in sheet: a title, a numbered list, ID numbers as text (one ends in
#: X), 签到 是/否 and the day as a date.
SIGNERS = [
    ("王芳", id_number(901)),
    ("李强", next(id_number(n) for n in range(902, 1400) if id_number(n).endswith("X"))),
    ("赵敏", id_number(903)),
]


def sign_in_workbook(path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["工会业务知识培训签到表"])
    sheet.append(["序号", "姓名", "公民身份号码", "签到", "签到日期"])
    for i, (name, number) in enumerate(SIGNERS, start=1):
        sheet.append([i, name, number, "否" if i == 3 else "是", D(2017, 4, 20)])
    for row in sheet.iter_rows(min_row=3):
        row[2].number_format = "@"
        row[4].number_format = "yyyy-mm-dd"
    workbook.save(path)


# --- LibreOffice, once per module --------------------------------------------------


def _convert(files: list[Path], target: str, outdir: Path, profile: Path, *options) -> str:
    """One soffice call converting every file; returns its output for messages."""
    try:
        done = subprocess.run(
            [
                SOFFICE,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                *options,
                "--convert-to",
                target,
                "--outdir",
                str(outdir),
                *map(str, files),
            ],
            capture_output=True,
            text=True,
            timeout=CONVERT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"soffice took more than {CONVERT_TIMEOUT} s"
    return f"exit {done.returncode}: {done.stdout} {done.stderr}"


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> dict[tuple[str, str], Path | str]:
    """{(what, format): path} for what in roster / declarations(_formatted) /
    sign_in and format in xlsx (the source) / ods / xls (BIFF8) / html.xls (declarations
    only); a value that is a string is why LibreOffice produced no file."""
    base = tmp_path_factory.mktemp("office")
    profile = base / "lo-profile"
    source = base / "source"
    source.mkdir()
    sources = {
        "roster": source / "roster.xlsx",
        "declarations": source / "declarations.xlsx",
        "sign_in": source / "sign_in.xlsx",
        "declarations_formatted": source / "declarations_formatted.xlsx",
    }
    roster_workbook(sources["roster"])
    declarations_workbook(sources["declarations"])
    declarations_workbook(sources["declarations_formatted"], formatted=True)
    sign_in_workbook(sources["sign_in"])
    files: dict[tuple[str, str], Path | str] = {(k, "xlsx"): v for k, v in sources.items()}
    for fmt, target in (("ods", "ods"), ("xls", "xls:MS Excel 97")):
        outdir = base / fmt
        said = _convert(list(sources.values()), target, outdir, profile)
        for what, path in sources.items():
            made = outdir / f"{path.stem}.{fmt}"
            files[(what, fmt)] = made if made.is_file() else said
    outdir = base / "html"
    declarations = ("declarations", "declarations_formatted")
    said = _convert([sources[what] for what in declarations], "html", outdir, profile)
    for what in declarations:
        page = outdir / f"{what}.html"
        files[(what, "html.xls")] = (
            page.rename(page.with_suffix(".xls")) if page.is_file() else said
        )
    # Excel 2003 XML: LibreOffice 7.4's export of it fails on any .xlsx (its
    # XSLT recurses over the repeated columns) but not on a CSV, read with the
    # taxpayer ID column as text (as the tax system writes it).
    outdir = base / "xml"
    declarations_csv(source / "declarations.csv")
    said = _convert(
        [source / "declarations.csv"],
        "xml:MS Excel 2003 XML",
        outdir,
        profile,
        "--infilter=CSV:44,34,76,1,1/2",
    )
    made = outdir / "declarations.xml"
    files[("declarations", "xml.xls")] = (
        made.rename(made.with_suffix(".xls")) if made.is_file() else said
    )
    return files


def converted(office, what: str, fmt: str) -> Path:
    path = office[(what, fmt)]
    if isinstance(path, str):
        if fmt in ("html.xls", "xml.xls"):
            pytest.skip(f"LibreOffice wrote no {fmt}: {path}")
        pytest.fail(f"LibreOffice did not convert {what} to {fmt}: {path}")
    return path


FORMATS = ["xlsx", "ods", "xls"]


def test_the_converted_files_are_what_they_claim(office):
    """Each file really is the format named: the test is worth nothing if
    LibreOffice wrote something else (ODF is a zip with its mimetype first,
    BIFF8 an OLE2 compound file, the web page an HTML document)."""
    for what in ("roster", "declarations", "sign_in"):
        assert converted(office, what, "ods").read_bytes()[30:73] == (
            b"mimetypeapplication/vnd.oasis.opendocument."
        )
        assert converted(office, what, "xls").read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")
    page = converted(office, "declarations", "html.xls").read_bytes()
    assert b"<html" in page[:200].lower() and "未建会公司".encode() in page
    xml = converted(office, "declarations", "xml.xls").read_bytes()
    assert b'<?mso-application progid="Excel.Sheet"?>' in xml[:200]
    assert b'<Data ss:Type="DateTime">2017-07-01T00:00:00.000</Data>' in xml


# --- rosters -----------------------------------------------------------------------


@pytest.fixture
def acme(community1):
    return EnterpriseFactory(name=ACME, community=community1)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_roster_through_the_service(office, fmt, acme, community1):
    path = converted(office, "roster", fmt)
    result, batch = roster_import(
        source=path.read_bytes(), filename=f"花名册.{fmt}", community=community1
    )
    assert [(e.row, e.column, e.message) for e in result.errors] == []
    assert (result.created, result.invalid) == (len(ROSTER), 0)
    assert batch.state == ImportBatch.State.COMMITTED
    assert members_written() == expected_members()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_roster_through_the_import_roster_command(office, fmt, acme, community1, capsys):
    path = converted(office, "roster", fmt)
    try:
        call_command("import_roster", str(path), "--community", community1.name, "--json")
    except SystemExit as stopped:
        assert stopped.code == 0, capsys.readouterr().out
    result = json.loads(capsys.readouterr().out)
    assert (result["created"], result["errors"]) == (len(ROSTER), [])
    assert members_written() == expected_members()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_roster_through_the_portal(
    office, fmt, client, alice, acme, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.IMPORT_UPLOAD_ROOT = tmp_path / "rosters"
    path = converted(office, "roster", fmt)
    client.force_login(alice)
    upload_file = SimpleUploadedFile(f"花名册.{fmt}", path.read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:import_new"), {"file": upload_file})
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.get()
    assert batch.state == ImportBatch.State.PREVIEWED, batch.message
    assert (batch.created, batch.invalid, batch.errors) == (len(ROSTER), 0, [])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.COMMITTED
    assert members_written() == expected_members()


# --- the tax bureau's export ----------------------------------------------------

DECLARATION_FORMATS = [*FORMATS, "html.xls", "xml.xls"]


def _declarations_summary(result: dict) -> tuple:
    return (
        result["created"],
        result["invalid"],
        result["errors"],
        result["unmatched"],
        result["skipped_items"],
        len(result["refunds"]),
        [entry["taxpayer"] for entry in result["other_taxpayer_ids"]],
    )


EXPECTED_SUMMARY = (5, 0, [], 2, {"增值税": 1}, 1, [OLD_NUMBER])


@pytest.mark.parametrize("fmt", DECLARATION_FORMATS)
def test_declarations_through_the_command(office, fmt, db, capsys):
    declaring_enterprises()
    path = converted(office, "declarations", fmt)
    try:
        call_command("import_declarations", str(path), "--json")
    except SystemExit as stopped:
        assert stopped.code == 0, capsys.readouterr().out
    result = json.loads(capsys.readouterr().out)
    assert _declarations_summary(result) == EXPECTED_SUMMARY
    assert declarations_written() == EXPECTED_DECLARATIONS


@pytest.mark.parametrize("fmt", DECLARATION_FORMATS)
def test_declarations_through_the_admin(
    office, fmt, client, sam, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_UPLOAD_ROOT = tmp_path / "imports"
    declaring_enterprises()
    path = converted(office, "declarations", fmt)
    client.force_login(sam)
    capture = django_capture_on_commit_callbacks
    job = upload(client, capture, DeclarationImport, path)
    assert job.state == State.PREVIEWED, job.message
    assert (job.invalid, job.errors) == (0, [])
    assert "跳过其他税费 1 行" in client.get(job_url(job)).content.decode()
    act(client, capture, job, "confirm")
    assert job.state == State.COMMITTED, job.message
    assert declarations_written() == EXPECTED_DECLARATIONS


# --- a sign-in sheet ---------------------------------------------------------------


@pytest.fixture
def training(alices_enterprise):
    for name, number in SIGNERS:
        MembershipFactory(
            enterprise=alices_enterprise, member__name=name, member__id_number_value=number
        )
    return factories.training("工会业务知识培训")


def attendance_written(event) -> list[tuple]:
    return sorted(
        (a.member.name, a.member.id_number, a.attended, a.registered_on)
        for a in Attendance.objects.filter(event=event)
    )


EXPECTED_ATTENDANCE = sorted(
    (name, number, name != "赵敏", D(2017, 4, 20)) for name, number in SIGNERS
)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_sign_in_sheet_through_the_command(office, fmt, sam, training, capsys):
    event = training
    path = converted(office, "sign_in", fmt)
    try:
        call_command(
            "import_attendance", str(path), "--event", str(event.pk), "--user", "sam", "--json"
        )
    except SystemExit as stopped:
        assert stopped.code == 0, capsys.readouterr().out
    result = json.loads(capsys.readouterr().out)
    assert (result["created"], result["errors"]) == (3, [])
    assert attendance_written(event) == EXPECTED_ATTENDANCE


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_sign_in_sheet_through_the_admin(
    office, fmt, client, sam, training, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_UPLOAD_ROOT = tmp_path / "imports"
    client.force_login(sam)
    capture = django_capture_on_commit_callbacks
    job = upload(client, capture, SheetImport, converted(office, "sign_in", fmt), event=training.pk)
    assert job.state == State.PREVIEWED, job.message
    assert (job.created, job.invalid, job.errors) == (3, 0, [])
    act(client, capture, job, "confirm")
    assert job.state == State.COMMITTED, job.message
    assert attendance_written(training) == EXPECTED_ATTENDANCE


@pytest.mark.parametrize(
    "fmt",
    [
        *FORMATS,
        "html.xls",
    ],
)
def test_declarations_with_display_formats_through_the_command(office, fmt, db, capsys):
    """In .xlsx, .ods and .xls a display format changes nothing (the cell is a
    number or a date); in the web page only the shown text is left, and the
    amount reader takes it as a person would: ¥61,728.40, ¥- for zero."""
    declaring_enterprises()
    path = converted(office, "declarations_formatted", fmt)
    try:
        call_command("import_declarations", str(path), "--json")
    except SystemExit:
        pass
    result = json.loads(capsys.readouterr().out)
    assert _declarations_summary(result) == EXPECTED_SUMMARY
    assert declarations_written() == EXPECTED_DECLARATIONS

"""One formula check and one "Excel made it a number" check (issue 15, item 7),
in chunshu_union.tabular, used by every importer: the same cell gets the same
verdict and the same sentence through the roster, the enterprise import, the
tax bureau's declarations and the sign-in sheets.

Before, the roster had its own formula check (it let ﹦1 through, which is
stored as =1) and the others another one (a lone "-", the way people write
"none", was a formula there); only the roster saw a formula the file stores
as one (the others took its cached value, or said the name was missing); and
an ID number that Excel had turned into 1.10102E+17 got the Excel sentence in
a roster but "holds “.”, not a digit" on a sign-in sheet, in the admin and in
the API."""

import io
import re
import sys

import openpyxl
import pytest
from django.utils.translation import gettext as _

from chunshu_union.tabular.damage import excel_damaged, excel_number_message, excel_number_text
from chunshu_union.tabular.normalize import (
    _FORMULA_START,
    _LEAD,
    FORMULA_SUSPECTS,
    clean_text,
    formula_message,
    looks_like_formula,
)
from enterprises.credit_codes import credit_code_error, make_credit_code, normalize_credit_code
from members.id_numbers import mask
from members.id_numbers import read as read_id_number
from members.roster.services import roster_import
from tests import samples
from tests.dues import test_import as declarations
from tests.dues.test_import_field import line
from tests.enterprises import test_import_enterprises as enterprises
from tests.factories import id_number

ACME = "北京椿树一号科技有限公司"


# --- the predicates ------------------------------------------------------------------


def test_the_quick_filter_holds_every_first_character_a_formula_can_start_with():
    """FORMULA_SUSPECTS lets the roster skip most cells of a long column
    without cleaning them: it must hold every character that, first in a
    cell, can still make the cell a formula (what NFKC folds into = + - @,
    what clean_text drops before it)."""
    missing = [
        hex(point)
        for point in range(sys.maxunicode + 1)
        if (c := chr(point)) not in FORMULA_SUSPECTS
        and (
            (c + "=1").lstrip(_LEAD)[:1] in _FORMULA_START
            or clean_text(c + "=1")[:1] in _FORMULA_START
        )
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("cell", "formula"),
    [
        ("=1+1", True),
        ("  @SUM(A1)", True),
        ("'=1+1", True),  # Excel's apostrophe does not stop a formula on export
        ("''=1+1", True),
        ("\t张三", True),
        ("＝1+1", True),
        ("﹦1+1", True),  # NFKC makes it =1+1, the text that would be stored (the roster let it in)
        ("⁺1", True),
        ("-汉族", True),
        ("-", False),  # how people write "none" (the other importers called it a formula)
        ("－", False),
        (-5, False),  # a number cell is a number (they called it a formula too)
        ("张三", False),
        ("", False),
        (None, False),
    ],
)
def test_one_formula_verdict(cell, formula):
    assert looks_like_formula(cell) is formula


def test_a_phone_with_its_country_code_is_not_a_formula_in_a_phone_column_only():
    assert not looks_like_formula("+86 138-0013-8000", phone=True)
    assert looks_like_formula("+86 138-0013-8000")
    assert looks_like_formula("=1+1", phone=True)


@pytest.mark.parametrize(
    ("text", "damaged"),
    [
        ("1.10102E+17", True),
        ("1.10102e+17", True),
        ("9.1110108592366E+17", True),
        ("110102198503120000", True),
        ("91110108717800E017", False),  # a credit code with an E, not Excel's notation
        ("110102198503120011", False),
        ("11010219850312000", False),  # 17 digits: another fault
        ("", False),
    ],
)
def test_one_excel_number_verdict(text, damaged):
    assert excel_damaged(text) is damaged


def test_a_number_cell_past_15_digits_is_shown_as_excel_shows_it_and_an_exact_one_is_kept():
    assert excel_number_text(1.1010219850312e17) == "1.10102E+17"
    assert excel_number_text(110102198503120011) == 110102198503120011  # a program wrote it
    assert excel_number_text(12345.0) == 12345.0


def test_the_id_number_and_the_credit_code_get_one_sentence_with_their_own_noun():
    _number, problem = read_id_number(1.1010219850312e17)
    assert problem == excel_number_message(_("ID number"), "1.10102E+17")
    code = normalize_credit_code(9.1110108592366e17)
    assert credit_code_error(code) == excel_number_message(_("credit code"), "9.11101E+17")
    blank = [re.sub(r"“[^”]*”", "“”", p) for p in (problem, credit_code_error(code))]
    assert blank[0].replace(_("ID number"), "") == blank[1].replace(_("credit code"), "")


# --- the doors ---------------------------------------------------------------------

FORMULA_CELLS = ["=1+1", "﹦1+1", " @SUM(A1)", "'=1", "\t张三", "-", "－", "张三"]
FORMULAS = {"=1+1", "﹦1+1", " @SUM(A1)", "'=1", "\t张三"}


def _formula_cells(errors, column, cells, first_row):
    """The cells the door called a formula, and every sentence it used."""
    said = [(e["row"], e["message"]) for e in errors if e["column"] == column]
    hit = {cells[row - first_row] for row, message in said if message == formula_message()}
    return hit, {message for _row, message in said if message == formula_message()}


def _csv(path, header, rows):
    import csv

    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def test_a_formula_gets_the_same_verdict_and_sentence_in_every_importer(
    acme, community1, tmp_path, sam
):
    roster_rows = [samples.person_row(i, ACME, 姓名=c) for i, c in enumerate(FORMULA_CELLS)]
    result, _batch = roster_import(
        source=samples.csv_bytes(roster_rows), filename="r.csv", community=community1
    )
    roster = _formula_cells(
        [e.as_dict() for e in result.errors], "姓名", FORMULA_CELLS, first_row=2
    )

    body = enterprises.rows(len(FORMULA_CELLS))
    for row, cell in zip(body, FORMULA_CELLS, strict=True):
        row[0] = cell
    _code, result = enterprises.run(_csv(tmp_path / "e.csv", enterprises.HEADER, body))
    enterprise = _formula_cells(result["errors"], "企业名称", FORMULA_CELLS, first_row=2)

    body = [
        line(acme.credit_code, name=cell, due=str(i + 1)) for i, cell in enumerate(FORMULA_CELLS)
    ]
    _code, result = declarations.run(_csv(tmp_path / "d.csv", declarations.HEADER, body))
    declaration = _formula_cells(result["errors"], "纳税人名称", FORMULA_CELLS, first_row=2)

    sheet = _sign_in_sheet([[cell, id_number(i)] for i, cell in enumerate(FORMULA_CELLS)], sam)
    sign_in = _formula_cells(sheet, "姓名", FORMULA_CELLS, first_row=2)

    assert roster == enterprise == declaration == sign_in == (FORMULAS, {formula_message()})


def _sign_in_sheet(rows, by):
    import datetime

    from services.importing import attendance_import
    from services.models import Event, EventKind
    from tests.factories import street

    event = Event.objects.create(
        federation=street(),
        kind=EventKind.TRAINING,
        title="培训",
        starts_on=datetime.date(2017, 4, 20),
        ends_on=datetime.date(2017, 4, 20),
    )
    book = openpyxl.Workbook()
    book.active.append(["姓名", "身份证号"])
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    result = attendance_import(source=buffer.getvalue(), event=event, by=by, filename="s.xlsx")
    return [e.as_dict() for e in result.errors]


def test_an_id_number_excel_made_a_number_gets_the_same_sentence_at_every_door(
    acme, community1, sam
):
    damaged = id_number(7)[:15] + "000"
    cells = [1.1010219850312e17, "1.10102E+17", damaged]
    expected = [
        excel_number_message(_("ID number"), shown)
        for shown in ("1.10102E+17", "1.10102E+17", mask(damaged))
    ]
    # a number cell stays a number in .xlsx (openpyxl writes it, calamine reads a float)
    header = list(samples.person_row(1, ACME))
    roster_rows = []
    for i, cell in enumerate(cells):
        row = samples.person_row(i, ACME, 性别="", 出生日期="")
        row["身份证号"] = cell
        roster_rows.append([row[column] for column in header])
    result, _batch = roster_import(
        source=samples.xlsx([], header=header, raw_rows=roster_rows),
        filename="r.xlsx",
        community=community1,
    )
    roster = [e.message for e in result.errors if e.column == "身份证号"]
    sign_in = [e["message"] for e in _sign_in_sheet([["张三", c] for c in cells], sam)]
    # the admin's forms, the API and the join form read through the same reader
    reader = [read_id_number(cell)[1] for cell in cells]
    assert roster == sign_in == reader == expected


def test_a_credit_code_excel_made_a_number_gets_the_same_sentence_in_both_importers(db, tmp_path):
    code = next(
        c
        for n in range(1000)
        if (c := make_credit_code(f"9111010859236{n:04d}")).isdigit() and not c.endswith("000")
    )
    cells = [float(code), "9.11101E+17", code[:15] + "000"]
    expected = [
        excel_number_message(_("credit code"), shown)
        for shown in (excel_number_text(float(code)), "9.11101E+17", code[:15] + "000")
    ]
    body = enterprises.rows(len(cells))
    for row, cell in zip(body, cells, strict=True):
        row[1] = cell
    _code, result = enterprises.run(enterprises.xlsx(tmp_path / "e.xlsx", body))
    enterprise = [e["message"] for e in result["errors"] if e["column"] == "统一社会信用代码"]
    body = [[cell, *line(code, due=str(i + 1))[1:]] for i, cell in enumerate(cells)]
    _code, result = declarations.run(declarations.workbook(tmp_path, body))
    declaration = [e["message"] for e in result["errors"] if e["column"] == "纳税人识别号"]
    assert enterprise == declaration == expected

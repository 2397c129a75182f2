"""The tax bureau's export as the real systems write it (issue 14): only
union-fund rows count, the header variants and the one-column period of the
real exports, rows the staff cannot fix never block the file, and a credit
code that Excel turned into a number is named as such.

Over 500 lines because each field case builds its own export beside its test;
split by variant, the one question (what the real exports look like) would scatter.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from chunshu_union.imports.models import State
from chunshu_union.quarters import Quarter
from dues.models import Declaration, DeclarationImport, RateSnapshot
from dues.services import snapshots_recompute
from enterprises.credit_codes import make_credit_code
from enterprises.models import Enterprise
from tests.factories import EnterpriseFactory
from tests.import_flow import act, job_url, upload

from .helpers import TAX_EXPORT_HEADER as HEADER
from .test_import import run, workbook

Q3 = Quarter(2017, 3)


def line(who, item="工会经费", *, start="2017-07-01", end="2017-09-30", due="400", **kw):
    """One row of the default layout (HEADER), for an enterprise or a code."""
    code = getattr(who, "credit_code", who)
    name = getattr(who, "name", kw.get("name", "北京测试公司"))
    base = kw.get("base", "0" if due == "0" else "20000")
    return [
        code,
        name,
        item,
        start,
        end,
        base,
        "2%",
        due,
        kw.get("paid", due),
        kw.get("filed", "2017-10-15"),
    ]


def csv_file(tmp_path, header, rows, name="decl.csv", encoding="utf-8-sig"):
    path = tmp_path / name
    text = "\n".join(",".join(str(c) for c in r) for r in [header, *rows])
    path.write_bytes(text.encode(encoding))
    return str(path)


def street_q3():
    return snapshots_recompute(quarter=Q3).figures[0]


# --- 1. Only union funds count ----------------------------------------------


def test_rows_of_other_taxes_are_skipped_counted_and_never_stored(db, tmp_path):
    paying, silent = EnterpriseFactory.create_batch(2)
    rows = [
        line(paying),
        line(paying, "增值税", due="13000"),
        line(silent, "增值税", due="5100"),
        line(silent, "残疾人就业保障金", due="800"),
        line(silent, "城市维护建设税", due="357"),
    ]
    code, result = run(workbook(tmp_path, rows))
    assert code == 0, result
    assert (result["created"], result["invalid"], result["errors"]) == (1, 0, [])
    assert result["skipped_items"] == {"增值税": 2, "残疾人就业保障金": 1, "城市维护建设税": 1}
    assert result["skipped"] == 4
    assert list(Declaration.objects.values_list("enterprise", "item")) == [(paying.pk, "工会经费")]
    street = street_q3()
    assert (street.declared, street.obligated) == (1, 2)  # the VAT payer has not declared


def test_other_taxes_are_not_checked_as_declarations(db, tmp_path):
    """A VAT row's odd cells are the tax bureau's business, not a fault of ours."""
    a = EnterpriseFactory()
    rows = [line(a), line(a, "印花税", start="", end="按次", due="-3")]
    code, result = run(workbook(tmp_path, rows))
    assert (code, result["created"], result["skipped_items"]) == (0, 1, {"印花税": 1})


def test_the_sub_item_column_alone_marks_union_funds(db, tmp_path):
    a = EnterpriseFactory()
    header = [*HEADER]
    header[2] = "征收品目"
    rows = [line(a, "工会经费"), line(a, "增值税（一般纳税人）", due="900")]
    code, result = run(workbook(tmp_path, rows, header=header))
    assert (code, result["created"], result["skipped_items"]) == (0, 1, {"增值税(一般纳税人)": 1})


def test_with_item_and_sub_item_the_same_declaration_imports_once(db, tmp_path):
    """征收品目 left of 征收项目 used to become the item: the declarations came
    in twice under two item names."""
    a = EnterpriseFactory()
    run(workbook(tmp_path, [line(a)], "first.xlsx"))
    header = ["征收品目", "纳税人识别号", "纳税人名称", "征收项目", *HEADER[3:]]
    both = [["工会经费（按工资总额2%）", *line(a)]]
    other = [["增值税", *line(a, "增值税", due="9000")]]
    code, result = run(workbook(tmp_path, both + other, "second.xlsx", header=header))
    assert code == 0, result
    assert (result["created"], result["skipped_items"]) == (0, {"增值税": 1})
    stored = Declaration.objects.get()
    assert (stored.item, stored.sub_item) == ("工会经费", "工会经费(按工资总额2%)")


def test_both_columns_saying_union_funds_is_one_declaration(db, tmp_path):
    a = EnterpriseFactory()
    header = [*HEADER[:3], "征收品目", *HEADER[3:]]
    rows = [[*line(a)[:3], "工会经费", *line(a)[3:]]]
    code, result = run(workbook(tmp_path, rows, header=header))
    assert (code, result["created"]) == (0, 1)
    assert Declaration.objects.get().item == "工会经费"


def test_a_late_fee_on_union_funds_is_not_a_declaration(db, tmp_path):
    a = EnterpriseFactory()
    header = [*HEADER[:3], "征收品目", *HEADER[3:]]
    rows = [
        [*line(a)[:3], "工会经费", *line(a)[3:]],
        [*line(a, due="12")[:3], "工会经费滞纳金", *line(a, due="12", filed="2017-11-02")[3:]],
    ]
    code, result = run(workbook(tmp_path, rows, header=header))
    assert (code, result["created"], result["skipped_items"]) == (0, 1, {"工会经费滞纳金": 1})


def test_an_item_column_left_empty_throughout_means_union_funds(db, tmp_path):
    a, b = EnterpriseFactory.create_batch(2)
    code, result = run(workbook(tmp_path, [line(a, ""), line(b, "")]))
    assert (code, result["created"], result.get("skipped", 0)) == (0, 2, 0)


def test_an_empty_item_among_named_ones_is_skipped_not_guessed(db, tmp_path):
    a, b = EnterpriseFactory.create_batch(2)
    code, result = run(workbook(tmp_path, [line(a), line(b, "")]))
    assert code == 0
    assert result["created"] == 1
    assert result["skipped_items"] == {"": 1}  # shown as "（未填）"
    assert not Declaration.objects.filter(enterprise=b).exists()


# --- 2. The real systems' column names ---------------------------------------


@pytest.mark.parametrize(
    "renamed",
    [
        {"申报日期": "纳税申报日期"},
        {"纳税人识别号": "缴费人识别号", "纳税人名称": "缴费人名称"},
        {"纳税人识别号": "纳税人识别号码"},
        {"纳税人识别号": "税号"},
        {"税款所属期起": "税款所属期间起", "税款所属期止": "税款所属期间止"},
        {"税款所属期起": "税费所属期起", "税款所属期止": "税费所属期止"},
        {"税款所属期起": "所属期（起）", "税款所属期止": "所属期（止）"},
        {"征收项目": "费种", "应纳税额": "应补(退)费额", "实缴金额": "实缴(退)金额"},
    ],
)
def test_header_variants_of_the_real_exports(db, tmp_path, renamed):
    a = EnterpriseFactory()
    header = [renamed.get(title, title) for title in HEADER]
    code, result = run(workbook(tmp_path, [line(a), line(a, "增值税")], header=header))
    assert code == 0, result
    assert (result["created"], result["skipped"]) == (1, 1)
    stored = Declaration.objects.get()
    assert (stored.period_start, stored.period_end) == (Q3.first_day, Q3.last_day)
    assert stored.declared_on == datetime.date(2017, 10, 15)


def test_with_only_the_treasury_date_it_is_the_date_of_record(db, tmp_path):
    a = EnterpriseFactory()
    header = [*HEADER[:-1], "入库日期"]
    code, result = run(workbook(tmp_path, [line(a, filed="2017-10-20")], header=header))
    assert (code, result["created"]) == (0, 1), result
    stored = Declaration.objects.get()
    assert stored.declared_on == stored.paid_on == datetime.date(2017, 10, 20)


def test_with_both_dates_the_treasury_date_is_kept_apart(db, tmp_path):
    a = EnterpriseFactory()
    header = [*HEADER, "入库日期"]
    code, result = run(workbook(tmp_path, [[*line(a), "2017-10-25"]], header=header))
    assert (code, result["created"]) == (0, 1), result
    stored = Declaration.objects.get()
    assert (stored.declared_on, stored.paid_on) == (
        datetime.date(2017, 10, 15),
        datetime.date(2017, 10, 25),
    )


ONE_COLUMN = ["纳税人识别号", "纳税人名称", "征收项目", "费款所属期起止", "应缴费额", "申报日期"]


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("2017-07-01至2017-09-30", "2017-07-01", "2017-09-30"),
        ("2017.07.01-2017.09.30", "2017-07-01", "2017-09-30"),
        ("20170701-20170930", "2017-07-01", "2017-09-30"),
        ("2017-07-01～2017-09-30", "2017-07-01", "2017-09-30"),
        ("2017年7月1日至2017年9月30日", "2017-07-01", "2017-09-30"),
        ("2017-07-01 - 2017-07-31", "2017-07-01", "2017-07-31"),
        ("2017-07至2017-09", "2017-07-01", "2017-09-30"),
        ("201708", "2017-08-01", "2017-08-31"),
    ],
)
def test_the_period_in_one_column(db, tmp_path, period, start, end):
    a = EnterpriseFactory()
    rows = [[a.credit_code, a.name, "工会经费", period, "400", "2017-10-15"]]
    code, result = run(csv_file(tmp_path, ONE_COLUMN, rows))
    assert (code, result["errors"]) == (0, []), result
    stored = Declaration.objects.get()
    assert (stored.period_start.isoformat(), stored.period_end.isoformat()) == (start, end)


@pytest.mark.parametrize(
    ("period", "words"),
    [
        ("2017-07-01", "起止"),
        ("七到九月", "起止"),
        ("2017-09-30至2017-07-01", "早于"),
        ("", "缺少"),
    ],
)
def test_a_one_column_period_that_cannot_be_read_names_its_cell(db, tmp_path, period, words):
    a = EnterpriseFactory()
    rows = [
        [a.credit_code, a.name, "工会经费", "2017-07-01至2017-09-30", "400", "2017-10-15"],
        [a.credit_code, a.name, "工会经费", period, "400", "2017-11-15"],
    ]
    code, result = run(csv_file(tmp_path, ONE_COLUMN, rows))
    assert code == 1
    [error] = result["errors"]
    assert (error["row"], error["column"]) == (3, "费款所属期起止")
    assert words in error["message"], error["message"]
    assert not Declaration.objects.exists()


def test_a_file_without_any_period_is_refused_naming_the_columns(db, tmp_path):
    a = EnterpriseFactory()
    header = ["纳税人识别号", "纳税人名称", "征收项目", "应纳税额", "申报日期"]
    code, result = run(
        workbook(
            tmp_path, [[a.credit_code, a.name, "工会经费", "400", "2017-10-15"]], header=header
        )
    )
    assert code == 2
    assert "税款所属期起" in result["error"]


# --- 3. What the staff cannot fix never blocks the file ----------------------


def test_old_and_long_taxpayer_numbers_are_kept_unmatched_with_their_rows(db, tmp_path):
    a = EnterpriseFactory()
    old = "110102634567891"  # 15 characters: the old tax registration number
    long = "11010219850312001X01"  # 20 characters
    rows = [line(a), line(old, name="老字号公司"), line(long, name="某个体户")]
    code, result = run(workbook(tmp_path, rows))
    assert code == 0, result
    assert (result["created"], result["unmatched"]) == (3, 2)
    assert result["other_taxpayer_ids"] == [
        {"row": 4, "taxpayer": old},
        {"row": 5, "taxpayer": long},
    ]
    assert set(Declaration.objects.unmatched().values_list("credit_code", flat=True)) == {old, long}


def test_a_taxpayer_number_that_is_a_persons_id_number_is_stored_masked(db, tmp_path):
    """A self-employed person files under their resident ID number (sometimes
    with two digits after it): no full ID number is stored in clear."""
    from members.id_numbers import make_id_number

    person = make_id_number("11010219850312001")
    rows = [line(person, name="某个体户"), line(person + "01", name="另一个体户")]
    code, result = run(workbook(tmp_path, rows))
    assert code == 0, result
    stored = set(Declaration.objects.unmatched().values_list("credit_code", flat=True))
    assert stored == {"110102********" + person[-4:], "110102********" + person[-4:] + "01"}
    assert person not in str(result)
    assert {r["taxpayer"] for r in result["other_taxpayer_ids"]} == stored


def test_a_refund_is_kept_but_does_not_make_the_enterprise_declared(db, tmp_path):
    refunded, both = EnterpriseFactory.create_batch(2)
    rows = [
        line(refunded, due="-400", filed="2017-11-03"),
        line(both),
        line(both, due="-150", filed="2017-11-03"),
    ]
    code, result = run(workbook(tmp_path, rows))
    assert code == 0, result
    assert result["created"] == 3
    assert [r["row"] for r in result["refunds"]] == [3, 5]
    refund = Declaration.objects.get(enterprise=refunded)
    assert refund.is_refund and refund.amount_due == Decimal("-400.00")
    street = street_q3()
    assert (street.declared, street.obligated, street.zero_declared) == (1, 2, 0)
    assert street.declared_ids == [both.pk]


def test_a_refund_alone_does_not_clear_a_zombie_quarter(db, tmp_path):
    from dues.zombies import candidates

    a = EnterpriseFactory()
    code, _result = run(workbook(tmp_path, [line(a, due="-400", filed="2017-11-03")]))
    assert code == 0 and Declaration.objects.get().is_refund
    assert list(candidates(quarter=Q3, n=1)) == [a]


def test_a_correction_filed_the_same_day_replaces_the_earlier_row(db, tmp_path):
    a = EnterpriseFactory()
    rows = [line(a, due="400"), line(a, due="460")]
    code, result = run(workbook(tmp_path, rows))
    assert code == 0, result
    assert result["created"] == 1
    assert result["corrections"] == [{"row": 4, "replaces": 3}]
    assert Declaration.objects.get().amount_due == Decimal("460.00")


def test_a_line_repeated_exactly_counts_once(db, tmp_path):
    a = EnterpriseFactory()
    code, result = run(workbook(tmp_path, [line(a), line(a), line(a)]))
    assert code == 0, result
    assert (result["created"], result["invalid"]) == (1, 0)
    assert result["repeated"] == [{"row": 4, "same_as": 3}, {"row": 5, "same_as": 3}]
    assert Declaration.objects.count() == 1


@pytest.mark.parametrize(
    "total",
    [
        ["合计", "", "", "", "", "40000", "", "800", "800", ""],
        ["", "合 计", "", "", "", "40000", "", "800", "800", ""],
        ["总计：2户", "", "", "", "", "", "", "800", "800", ""],
    ],
)
def test_a_total_line_is_ignored(db, tmp_path, total):
    a, b = EnterpriseFactory.create_batch(2)
    code, result = run(workbook(tmp_path, [line(a), line(b), total]))
    assert (code, result["created"], result["errors"]) == (0, 2, [])


@pytest.mark.parametrize(
    ("cells", "column", "words"),
    [
        ({"end": ""}, "税款所属期止", "缺少"),
        ({"filed": "十月中旬"}, "申报日期", "不是日期"),
        ({"start": "2017-09-30", "end": "2017-07-01"}, "税款所属期止", "早于"),
        ({"due": "四百元"}, "应纳税额", "不是金额"),
    ],
)
def test_real_faults_still_name_row_column_and_a_sentence(db, tmp_path, cells, column, words):
    a, b = EnterpriseFactory.create_batch(2)
    code, result = run(workbook(tmp_path, [line(a), line(b, "增值税"), line(b, **cells)]))
    assert code == 1
    error = result["errors"][0]
    assert (error["row"], error["column"]) == (5, column)
    assert words in error["message"], error["message"]
    assert not Declaration.objects.exists()


# --- 4. A credit code that Excel turned into a number ------------------------


def all_digit_code() -> str:
    for n in range(1000):
        code = make_credit_code(f"9111010859236{n:04d}")
        if code.isdigit() and not code.endswith("000"):
            return code
    raise AssertionError


@pytest.mark.parametrize(
    "as_excel_left_it",
    [
        lambda code: float(code),  # a number cell: 9.1110108592366E+17
        lambda code: f"{float(code):.5E}",  # as Excel shows it: 9.11101E+17
        lambda code: code[:15] + "000",  # then typed back as text
    ],
)
def test_a_credit_code_excel_stored_as_a_number_gets_its_own_sentence(
    db, tmp_path, as_excel_left_it
):
    code = all_digit_code()
    a = EnterpriseFactory(credit_code=code)
    code_cell = as_excel_left_it(code)
    status, result = run(workbook(tmp_path, [[code_cell, *line(a)[1:]]]))
    assert status == 1
    [error] = result["errors"]
    assert error["column"] == "纳税人识别号"
    assert "Excel" in error["message"] and "文本" in error["message"], error["message"]
    assert "校验位" not in error["message"]


def test_a_credit_code_with_a_letter_e_that_excel_read_as_a_number(db, tmp_path):
    """91110108717800E017 looks like a number in scientific notation to Excel."""
    status, result = run(workbook(tmp_path, [line(9.1110108717800e30)]))
    assert status == 1
    assert "Excel" in result["errors"][0]["message"]


def test_the_enterprise_import_gives_the_same_sentence(db, tmp_path):
    import openpyxl

    code = all_digit_code()
    book = openpyxl.Workbook()
    book.active.append(["企业名称", "统一社会信用代码", "所属社区", "建会日期"])
    book.active.append(["北京数字科技有限公司", float(code), "椿树园社区", "2015-03-01"])
    path = tmp_path / "enterprises.xlsx"
    book.save(path)
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_enterprises", str(path), "--json", stdout=out)
    assert "Excel" in out.getvalue() and "校验位" not in out.getvalue()
    assert not Enterprise.objects.filter(name="北京数字科技有限公司").exists()


# --- 5. The demo's figures do not move ---------------------------------------


def test_a_full_tax_export_leaves_the_frozen_2017q3_rate_alone(demo_street, tmp_path):
    """The export lists every tax of every taxpayer: VAT and the disability
    fund of the enterprises that did not declare union funds must not lift
    the rate (it rose to 85.71 % with a new revision of a frozen quarter)."""
    federation, _users, _enterprises = demo_street
    street = RateSnapshot.objects.get(
        federation=federation, quarter="2017Q3", community=None, is_current=True
    )
    assert (street.rate, street.frozen, street.revision) == (Decimal("83.16"), True, 1)
    rows = [
        [
            d.credit_code,
            d.taxpayer_name,
            d.item,
            d.period_start,
            d.period_end,
            d.base,
            "2%",
            d.amount_due,
            d.amount_paid,
            d.declared_on,
        ]
        for d in Declaration.objects.ending_in(Q3).order_by("pk")
    ]
    for e in Enterprise.objects.filter(community__federation=federation).order_by("pk"):
        for item, due in (("增值税", "5230.10"), ("残疾人就业保障金", "812.00")):
            rows.append(
                [
                    e.credit_code,
                    e.name,
                    item,
                    Q3.first_day,
                    Q3.last_day,
                    "100000",
                    "",
                    due,
                    due,
                    datetime.date(2017, 10, 16),
                ]
            )
    code, result = run(workbook(tmp_path, rows))
    assert code == 0, result["errors"][:3]
    assert (result["created"], result["updated"]) == (0, 0)
    assert result["skipped_items"] == {"增值税": 226, "残疾人就业保障金": 226}
    snapshots_recompute(quarter=Q3)
    revisions = RateSnapshot.objects.filter(federation=federation, quarter="2017Q3", community=None)
    assert [(s.revision, s.rate) for s in revisions] == [(1, Decimal("83.16"))]


def test_the_admin_preview_says_what_was_skipped_and_why(
    client, sam, tmp_path, django_capture_on_commit_callbacks
):
    a = EnterpriseFactory()
    path = workbook(tmp_path, [line(a), line(a, "增值税"), line(a, due="-100", filed="2017-11-03")])
    client.force_login(sam)
    capture = django_capture_on_commit_callbacks
    job = upload(client, capture, DeclarationImport, path)
    text = client.get(job_url(job)).content.decode()
    assert job.state == State.PREVIEWED and job.invalid == 0  # nothing blocks the file
    assert "跳过其他税费 1 行" in text and "增值税 1" in text
    assert "单独的退税不算已申报（第 5 行）" in text
    act(client, capture, job, "confirm")
    assert "跳过其他税费 1 行" in client.get(job_url(job)).content.decode()
    assert sorted(Declaration.objects.values_list("is_refund", flat=True)) == [False, True]


def test_a_real_code_that_only_looks_like_scientific_notation_is_accepted(db, tmp_path):
    """Typed in a text column, 91110108717800E01… is a code, not a number."""
    code = make_credit_code("91110108717800E01")
    a = EnterpriseFactory(credit_code=code)
    status, result = run(workbook(tmp_path, [line(a)]))
    assert (status, result["created"], result["unmatched"]) == (0, 1, 0)


@pytest.mark.parametrize(
    ("shown", "amount"),
    [
        ("¥61,728.40", "61728.40"),
        ("￥ 1,234.57", "1234.57"),
        ("¥-100.00", "-100.00"),
        ("¥-", "0.00"),
        ("-", "0.00"),
        ("(100.00)", "-100.00"),
        ("（100.00）", "-100.00"),
        ("1234.57元", "1234.57"),
    ],
)
def test_an_amount_as_a_web_page_export_shows_it_is_read_as_a_person_would(shown, amount):
    """A web-page "xls" holds the text a display format showed (issue 14's
    real files: the accounting format's ¥, separators, a dash for zero,
    brackets for a negative)."""
    from dues.tax_export import amount as _decimal

    assert str(_decimal(shown)) == amount


@pytest.mark.parametrize("text", ["¥abc", "1.2.3", "--"])
def test_what_is_not_an_amount_is_still_refused(text):
    from dues.tax_export import amount as _decimal

    with pytest.raises(ValueError):
        _decimal(text)

"""The roster importer, through real files made here: what a chair's file
does to the members, and every fault a chair can make.

Over 500 lines because it is the catalogue of a chair's faults, one test each;
the trust, portal, field and worker sides already live in their own modules.
"""

import datetime

import pytest
import time_machine
from openpyxl import load_workbook

from members.models import ImportBatch, ImportChange, Member, Membership, Transfer
from members.roster.services import preview_of, roster_check, roster_import
from tests import samples
from tests.factories import EnterpriseFactory, MembershipFactory

pytestmark = pytest.mark.django_db

ACME = "北京椿树一号科技有限公司"
BETA = "北京椿树二号商贸有限公司"


@pytest.fixture
def beta(community1):
    return EnterpriseFactory(name=BETA, community=community1)


@pytest.fixture
def elsewhere(community2):
    return EnterpriseFactory(name="北京红线二号商贸有限公司", community=community2)


def run(data, community=None, name="roster.xlsx", **options):
    result, batch = roster_import(source=data, filename=name, community=community, **options)
    return result, batch


def faults(result):
    return [(e.row, e.column, e.message) for e in result.errors]


# --- reading what chairs send -----------------------------------------------------


@pytest.mark.parametrize(
    "maker",
    [
        lambda rows: samples.xlsx(rows),
        lambda rows: samples.xls(rows),
        lambda rows: samples.csv_bytes(rows),
        lambda rows: b"\xef\xbb\xbf" + samples.csv_bytes(rows),
        lambda rows: samples.csv_bytes(rows, encoding="gbk"),
        lambda rows: samples.csv_bytes(rows, encoding="gb18030"),
    ],
    ids=["xlsx", "xls", "csv-utf8", "csv-bom", "csv-gbk", "csv-gb18030"],
)
def test_every_format_imports_the_same_people(maker, acme, community1):
    rows = samples.people(5, [ACME])
    result, batch = run(maker(rows), community1)
    assert result.errors == []
    assert result.created == 5
    names = set(Member.objects.values_list("name", flat=True))
    assert names == {r["姓名"] for r in rows}
    assert Membership.objects.filter(enterprise=acme, left_on__isnull=True).count() == 5
    assert batch.state == ImportBatch.State.COMMITTED


def test_header_below_title_rows_with_variant_names_and_noise_rows_ignored(acme, community1):
    header = ["序号", "职工姓名", "公民身份号码", "工作单位", "手机号"]
    number = samples.id_number_for(1)
    data = samples.xlsx(
        [],
        header=header,
        raw_rows=[
            [1, "张三", number, ACME, "13800138000"],
            [None, None, None, None, None],
            ["合计", "1人", None, None, None],
            ["注：身份证号请填写18位", None, None, None, None],
        ],
    )
    result, _batch = run(data, community1)
    assert result.errors == [] and result.created == 1
    member = Member.objects.get()
    assert (member.name, member.phone) == ("张三", "13800138000")


def test_what_people_type_is_normalised(acme, community1):
    # a number whose check character is X, typed with a lower-case x
    n = next(n for n in range(10, 1000) if samples.id_number_for(n).endswith("X"))
    number = samples.id_number_for(n)
    fullwidth_id = "".join(chr(ord(c) + 0xFEE0) for c in number[:17]) + "x"
    rows = [
        samples.person_row(
            n,
            " " + ACME + " ",
            姓名="张 三",
            身份证号="'" + fullwidth_id,
            性别="",
            出生日期="",
            入会日期="2015年3月1日",
            联系电话="+86 138-0013-8000",
            民族="回",
            文化程度="大专",
        )
    ]
    result, _batch = run(samples.csv_bytes(rows), community1)
    assert result.errors == []
    member = Member.objects.get()
    assert member.id_number == number
    assert (member.name, member.phone, member.ethnicity, member.education) == (
        "张三",
        "13800138000",
        "03",  # GB 3304: 回族
        "31",  # GB/T 4658: 大学专科毕业 (大专)
    )
    assert member.memberships.get().joined_on == datetime.date(2015, 3, 1)


@pytest.mark.parametrize(
    "typed",
    ["2015.3.1", "2015/03/01", "20150301", "2015-03-01", "2015年3月1日"],
)
def test_date_spellings(typed, acme, community1):
    result, _batch = run(
        samples.csv_bytes([samples.person_row(1, ACME, 入会日期=typed)]), community1
    )
    assert result.errors == []
    assert Membership.objects.get().joined_on == datetime.date(2015, 3, 1)


def test_excel_dates_are_read_as_dates(acme, community1):
    row = samples.person_row(1, ACME)
    header = list(row)
    values = list(row.values())
    values[header.index("入会日期")] = datetime.date(2014, 7, 9)
    result, _batch = run(samples.xlsx([], header=header, raw_rows=[values]), community1)
    assert result.errors == []
    assert Membership.objects.get().joined_on == datetime.date(2014, 7, 9)


# --- the column-wise check agrees with the row-by-row one -------------------------------


def _checker(data, community):
    from django.utils import timezone

    from chunshu_union.tabular import find_header, read_table
    from members.roster.fields import FIELDS
    from members.roster.validate import EnterpriseIndex, RowChecker

    table = read_table(data, "roster.xlsx")
    header, after = find_header(table, FIELDS)
    checker = RowChecker(
        header, EnterpriseIndex.load(community), table.formula_cells, timezone.localdate()
    )
    return checker, header, list(header.data_rows(table, after=after))


def test_check_rows_gives_what_check_gives_row_by_row(acme, elsewhere, community1):
    """check_rows takes the plainly valid rows the fast way and sends the
    rest to check(): the outcome must be exactly check()'s for every row."""
    good = samples.people(40, [ACME])
    other_sex = {"男": "女", "女": "男"}
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    rows = [
        *good[:10],
        {**good[3], "联系电话": "13911112222"},  # the same person again
        {**good[10], "姓名": " 张  三 "},  # cleaned, not a fault
        {**good[11], "性别": other_sex[good[11]["性别"]]},
        {**good[12], "出生日期": "1901.1"},
        {**good[13], "身份证号": good[13]["身份证号"][:17] + "0"},
        {**good[14], "身份证号": good[14]["身份证号"].lower()},
        {**good[15], "入会日期": future},
        {**good[16], "所在企业": elsewhere.name},
        {**good[17], "民族": "火星族"},
        {**good[18], "联系电话": "+86 139-1111-3333"},
        {**good[19], "姓名": "=1+1"},
        {**good[20], "文化程度": "=A1"},
        {**good[21], "是否劳模": "也许"},
        {**good[22], "身份证号": "１１" + good[22]["身份证号"][2:]},  # full-width digits
        samples.person_row(99, ACME, 姓名="张三" * 30),  # longer than a name can be
        {**good[23], "出生日期": ""},  # no birth month to compare
        {**good[24], "身份证号": " " + good[24]["身份证号"]},  # cleaned, not a fault
        {**good[25], "民族": "", "文化程度": "", "是否农民工": ""},  # fields left empty
        {**good[26], "出生日期": "1985-02-30"},  # no such day
        *good[27:],
    ]
    data = samples.xlsx(rows)
    fast, header, cells = _checker(data, community1)
    slow, _header, _cells = _checker(data, community1)
    together = fast.check_rows(cells)
    one_by_one = [slow.check(header.record(number, row)) for number, row in cells]
    assert [(r, f, d) for _rec, r, f, d in together] == one_by_one
    assert sum(1 for _rec, r, _f, _d in together if r is None) == 12
    # and the plainly valid rows did take the fast way (no Record built)
    assert sum(1 for rec, _r, _f, _d in together if rec is None) >= len(good) - 15
    assert fast.seen == slow.seen


def test_short_csv_rows_read_as_blank_cells(acme, community1):
    """A CSV line may stop before the last columns: they are blank."""
    row = samples.person_row(1, ACME)
    cut = ",".join(str(v) for v in list(row.values())[:5])  # stops after 所在企业
    other = samples.person_row(2, ACME)
    data = (
        ",".join(row) + "\n" + cut + "\n" + ",".join(str(v) for v in other.values()) + "\n"
    ).encode()
    result, _batch = run(data, community1, name="roster.csv")
    assert result.errors == [] and result.created == 2
    assert Member.objects.get(name=row["姓名"]).phone == ""


def test_quick_id_check_agrees_with_the_explained_one():
    """_plainly_valid (ASCII digits by their codes, birth dates remembered)
    gives exactly what id_number_error says, with or without the memory."""
    import random

    from members.id_numbers import id_number_error
    from members.roster.validate import _plainly_valid

    today = datetime.date.today()
    numbers = [samples.id_number_for(n) for n in range(2000)]
    rnd = random.Random(4)
    for number in numbers[:1000]:
        at = rnd.randrange(18)
        numbers.append(number[:at] + rnd.choice("0123456789X") + number[at + 1 :])
    arabic_indic = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    numbers += ["11010120990101001X", "110101189912310012", "١١0101199001010011"]
    # other digits before an ASCII check character: a row fault (issue 14),
    # named by id_number_error, never read as digits
    numbers += [n[:17].translate(arabic_indic) + n[17] for n in numbers[:3]]
    births = {}
    remembered = [_plainly_valid(n, today, births) for n in numbers]
    assert remembered == [_plainly_valid(n, today) for n in numbers]
    assert remembered == [id_number_error(n) is None for n in numbers]
    assert 0 < remembered.count(False) < 1000 and not any(remembered[-3:])


# --- faults: row as Excel shows it, column as written, a Chinese sentence ---------------


def one_fault(rows, community, **kw):
    result, _batch = run(samples.xlsx(rows, **kw), community)
    assert not result.written
    assert Member.objects.count() == 0
    return faults(result)


def test_bad_check_character(acme, community1):
    number = samples.id_number_for(3)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    found = one_fault([samples.person_row(3, ACME, 身份证号=wrong)], community1)
    # title, 填报单位 and header rows come first: the person is on Excel's row 4
    assert found == [(4, "身份证号", found[0][2])]
    assert "校验" in found[0][2] or "check" in found[0][2]


def test_id_number_stored_as_a_number(acme, community1):
    row = samples.person_row(1, ACME)
    values = list(row.values())
    values[1] = (
        int(row["身份证号"][:17] + "0") if row["身份证号"][17] == "X" else int(row["身份证号"])
    )
    result, _batch = run(samples.xlsx([], header=list(row), raw_rows=[values]), community1)
    ((line, column, message),) = faults(result)
    assert (line, column) == (4, "身份证号")
    assert "文本" in message


def test_id_number_in_scientific_notation_in_csv(acme, community1):
    rows = [samples.person_row(1, ACME, 身份证号="1.10102E+17")]
    result, _batch = run(samples.csv_bytes(rows), community1)
    ((line, column, message),) = faults(result)
    assert (line, column) == (2, "身份证号") and "1.10102E+17" in message


def test_sex_and_birth_month_contradicting_the_id(acme, community1):
    row = samples.person_row(2, ACME)
    other_sex = "女" if row["性别"] == "男" else "男"
    found = one_fault(
        [samples.person_row(2, ACME, 性别=other_sex, 出生日期="1901-01-01")], community1
    )
    assert [(r, c) for r, c, _m in found] == [(4, "性别"), (4, "出生日期")]
    assert "身份证" in found[0][2] and "1901年1月" in found[1][2]


def test_birth_month_alone_is_compared(acme, community1):
    row = samples.person_row(2, ACME)
    year, month = row["身份证号"][6:10], row["身份证号"][10:12]
    result, _batch = run(samples.xlsx([{**row, "出生日期": f"{year}.{int(month)}"}]), community1)
    assert result.errors == []


def test_same_person_twice(acme, community1):
    rows = [samples.person_row(5, ACME), samples.person_row(5, ACME)]
    found = one_fault(rows, community1)
    assert found == [(5, "身份证号", found[0][2])]
    assert "第4行" in found[0][2] or "row 4" in found[0][2]


def test_unknown_enterprise_and_another_communitys(acme, elsewhere, community1):
    rows = [
        samples.person_row(1, "北京不存在的公司"),
        samples.person_row(2, elsewhere.name),
    ]
    found = one_fault(rows, community1)
    assert [(r, c) for r, c, _m in found] == [(4, "所在企业"), (5, "所在企业")]
    assert "北京不存在的公司" in found[0][2]
    assert "红线社区" in found[1][2] or elsewhere.community.name in found[1][2]


def test_future_join_date_missing_name_bad_phone(acme, community1):
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    rows = [
        samples.person_row(1, ACME, 入会日期=future),
        samples.person_row(2, ACME, 姓名=""),
        samples.person_row(3, ACME, 联系电话="1380013"),
    ]
    found = one_fault(rows, community1)
    assert [(r, c) for r, c, _m in found] == [(4, "入会日期"), (5, "姓名"), (6, "联系电话")]
    assert all(message for _r, _c, message in found)


def test_a_name_too_long_for_a_name(acme, community1):
    found = one_fault([samples.person_row(1, ACME, 姓名="张三" * 30)], community1)
    assert [(r, c) for r, c, _m in found] == [(4, "姓名")]
    assert "60" in found[0][2] and "50" in found[0][2]


def test_formula_typed_as_text_and_stored_as_formula(acme, community1):
    rows = [samples.person_row(1, ACME, 姓名="@SUM(A1)"), samples.person_row(2, ACME, 民族="-汉族")]
    csv_result, _b = run(samples.csv_bytes(rows), community1)
    assert [(r, c) for r, c, _m in faults(csv_result)] == [(2, "姓名"), (3, "民族")]
    # openpyxl stores a string starting with = as a formula (with no cached value)
    stored = samples.xlsx([samples.person_row(3, ACME, 姓名='=HYPERLINK("http://x","张三")')])
    found = [(r, c) for r, c, _m in faults(run(stored, community1)[0])]
    assert found == [(4, "姓名")]
    assert Member.objects.count() == 0


def test_formula_stored_in_an_xls_file(acme, community1):
    import xlwt

    rows = [
        samples.person_row(1, ACME),
        samples.person_row(2, ACME, 姓名=xlwt.Formula('"张"&"三"')),
        samples.person_row(3, ACME, 民族=xlwt.Formula('"汉"&"族"')),
    ]
    result, _batch = run(samples.xls(rows), community1, name="roster.xls")
    found = faults(result)
    # a title row and the header come first: the people are on rows 3 to 5
    assert [(r, c) for r, c, _m in found] == [(4, "姓名"), (5, "民族")]
    assert all("公式" in m or "formula" in m for _r, _c, m in found)
    assert Member.objects.count() == 0


def test_phone_with_plus86_is_not_a_formula(acme, community1):
    result, _b = run(
        samples.csv_bytes([samples.person_row(1, ACME, 联系电话="+8613800138000")]), community1
    )
    assert result.errors == [] and Member.objects.get().phone == "13800138000"


def test_coded_columns_refuse_unknown_values(acme, community1):
    rows = [samples.person_row(1, ACME, 文化程度="幼儿园", 政治面貌="外星人", 是否劳模="也许")]
    found = one_fault(rows, community1)
    assert [c for _r, c, _m in found] == ["文化程度", "政治面貌", "是否劳模"]


def test_every_fault_of_a_row_is_reported_not_just_the_first(acme, community1):
    rows = [samples.person_row(1, "没有这家", 姓名="", 联系电话="12")]
    found = one_fault(rows, community1)
    assert {c for _r, c, _m in found} == {"姓名", "所在企业", "联系电话"}


# --- the diff --------------------------------------------------------------------------


def test_diff_new_changed_transferred_unchanged_leaving(acme, beta, community1):
    first = samples.people(6, [ACME])
    run(samples.xlsx(first), community1)
    second = [
        first[0],  # unchanged
        {**first[1], "联系电话": "13911112222"},  # changed
        {**first[2], "所在企业": BETA},  # transferred
        samples.person_row(100, ACME),  # new
        # first[3..5] are no longer listed: leaving candidates
    ]
    checked = roster_check(source=samples.xlsx(second), filename="r.xlsx", community=community1)
    plan = checked.plan
    assert (plan.created, len(plan.changed), len(plan.transferred), len(plan.unchanged)) == (
        1,
        1,
        1,
        1,
    )
    assert sorted(m["name"] for m in plan.leaving) == sorted(r["姓名"] for r in first[3:])
    result, batch = run(samples.xlsx(second), community1)
    assert (result.created, result.updated, result.transferred, result.unchanged) == (1, 1, 1, 1)
    assert batch.leaving == 3
    # never removed silently
    assert Membership.objects.filter(enterprise=acme, left_on__isnull=True).count() == 6
    moved = Member.objects.with_id_number(first[2]["身份证号"]).get()
    assert moved.open_membership().enterprise == beta
    transfer = Transfer.objects.get(member=moved)
    assert transfer.from_membership.enterprise == acme and transfer.from_membership.left_on
    changed = Member.objects.with_id_number(first[1]["身份证号"]).get()
    assert changed.phone == "13911112222"
    assert preview_of(checked)["changed"][0]["changes"] == [
        {"field": "联系电话", "before": "131****0001", "after": "139****2222"}
    ]


def test_another_communitys_member_is_a_request_in_a_community_roster(acme, elsewhere, community1):
    """A community's roster never moves another community's member: it makes
    a transfer request (tests/members/test_roster_trust.py has the rest)."""
    member = MembershipFactory(enterprise=elsewhere, member__name="李四").member
    row = samples.person_row(1, ACME, 身份证号=member.id_number, 姓名="李四", 性别="", 出生日期="")
    result, _batch = run(samples.xlsx([row]), community1)
    assert (result.transferred, result.extra["transfer_requests"], result.errors) == (0, 1, [])
    assert member.open_membership().enterprise == elsewhere


def test_a_street_wide_roster_transfers_from_another_community(acme, elsewhere):
    """Without a community (staff, on the command line) the roster is the
    street's own: the move is written as a transfer."""
    member = MembershipFactory(enterprise=elsewhere, member__name="李四").member
    row = samples.person_row(1, ACME, 身份证号=member.id_number, 姓名="李四", 性别="", 出生日期="")
    result, _batch = run(samples.xlsx([row]))
    assert result.transferred == 1 and result.errors == []
    assert member.open_membership().enterprise == acme


def test_same_file_twice_changes_nothing(acme, community1):
    data = samples.xlsx(samples.people(20, [ACME]))
    run(data, community1)
    before = list(Member.objects.values_list("pk", "name", "phone", "updated_at"))
    result, batch = run(data, community1)
    assert (result.created, result.updated, result.transferred, result.unchanged) == (0, 0, 0, 20)
    assert list(Member.objects.values_list("pk", "name", "phone", "updated_at")) == before
    assert batch.changes.count() == 0


# --- all or nothing, skip invalid, error report ---------------------------------------


def test_all_or_nothing_by_default(acme, community1):
    rows = [*samples.people(3, [ACME]), samples.person_row(9, ACME, 姓名="")]
    result, batch = run(samples.xlsx(rows), community1)
    assert not result.written and result.exit_code == 1
    assert Member.objects.count() == 0
    assert batch.state == ImportBatch.State.FAILED
    assert batch.errors == [{"row": 7, "column": "姓名", "message": "姓名没有填写。"}]


def test_skip_invalid_writes_the_valid_rows_and_reports_the_rest(acme, community1, tmp_path):
    rows = [*samples.people(3, [ACME]), samples.person_row(9, ACME, 联系电话="12345")]
    report = tmp_path / "errors.xlsx"
    result, _batch = run(samples.xlsx(rows), community1, skip_invalid=True, report_to=report)
    assert result.written and result.created == 3 and result.invalid == 1
    assert Member.objects.count() == 3
    sheet = load_workbook(report).active
    header = [c.value for c in sheet[1]]
    assert header[0] == "原行号" and header[-1] == "错误说明"
    line = [c.value for c in sheet[2]]
    assert line[0] == 7 and line[header.index("联系电话")] == "12345"
    phone_cell = sheet.cell(row=2, column=header.index("联系电话") + 1)
    assert phone_cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert "联系电话" in line[-1]


def test_batch_records_who_what_and_file_hash(acme, community1, alice):
    import hashlib

    data = samples.xlsx(samples.people(2, [ACME]))
    _result, batch = roster_import(
        source=data, filename="一号.xlsx", community=community1, by=alice
    )
    assert (batch.created_by, batch.filename, batch.created) == (alice, "一号.xlsx", 2)
    assert batch.file_sha256 == hashlib.sha256(data).hexdigest()
    assert batch.committed_at is not None


def test_dry_run_writes_nothing_and_records_nothing(acme, community1):
    result, batch = run(samples.xlsx(samples.people(2, [ACME])), community1, dry_run=True)
    assert result.created == 2 and not result.written and batch is None
    assert Member.objects.count() == 0 and ImportBatch.objects.count() == 0


# --- undo ------------------------------------------------------------------------------


def snapshot():
    return (
        sorted(Member.objects.values_list("pk", "name", "phone", "education")),
        sorted(Membership.objects.values_list("pk", "member_id", "enterprise_id", "left_on")),
        sorted(Transfer.objects.values_list("pk", flat=True)),
    )


def test_undo_restores_the_exact_prior_state(acme, beta, community1, alice):
    from chunshu_union.imports.engine import job_undo

    first = samples.people(4, [ACME])
    run(samples.xlsx(first), community1)
    before = snapshot()
    second = [
        {**first[0], "联系电话": "13911112222", "文化程度": "研究生"},
        {**first[1], "所在企业": BETA},
        first[2],
        samples.person_row(50, BETA),
    ]
    _result, batch = run(samples.xlsx(second), community1)
    assert snapshot() != before
    job_undo(job=batch, by=alice)
    assert snapshot() == before
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.UNDONE and batch.undone_by == alice


def test_undo_refused_while_a_later_import_depends_on_it(acme, beta, community1):
    from django.core.exceptions import ValidationError

    from chunshu_union.imports.engine import job_undo

    rows = samples.people(2, [ACME])
    _r, first = run(samples.xlsx(rows), community1)
    with time_machine.travel(datetime.datetime.now() + datetime.timedelta(minutes=5)):
        _r, second = run(samples.xlsx([{**rows[0], "所在企业": BETA}]), community1)
    with pytest.raises(ValidationError) as refused:
        job_undo(job=first)
    assert "先撤销" in refused.value.messages[0] or "first" in refused.value.messages[0]
    assert Member.objects.count() == 2
    job_undo(job=second)
    job_undo(job=first)
    assert Member.objects.count() == 0


def test_id_ranges():
    from chunshu_union.imports.ranges import id_ranges

    assert id_ranges([]) == []
    assert id_ranges([3, 4, 5, 9, 11, 12]) == [[3, 5], [9, 9], [11, 12]]


def test_fast_insert_refuses_rows_missing_a_required_column(acme):
    from django.db import transaction

    from members.roster.bulk import fast_insert

    with pytest.raises(ValueError, match="birth_date"), transaction.atomic():
        fast_insert(Member, [("张三",)], 1, fields=("name",))
    with pytest.raises(ValueError, match="member_id"), transaction.atomic():
        fast_insert(Membership, [{"enterprise_id": acme.pk}], 1)
    assert not Member.objects.exists() and not Membership.objects.exists()


def test_new_members_are_recorded_as_id_ranges_not_one_change_each(acme, community1):
    _r, batch = run(samples.xlsx(samples.people(30, [ACME])), community1)
    members = sorted(Member.objects.values_list("pk", flat=True))
    memberships = sorted(Membership.objects.values_list("pk", flat=True))
    assert batch.created_ranges == {
        "members": [[members[0], members[-1]]],
        "memberships": [[memberships[0], memberships[-1]]],
    }
    assert members == list(range(members[0], members[-1] + 1))
    assert batch.changes.count() == 0


def test_new_members_written_in_digest_order_keep_their_own_rows(acme, beta, community1):
    """New members go out in the order of their digests (for the index):
    each must still get its own row's data, membership and join date."""
    from chunshu_union import crypto

    rows = [
        samples.person_row(i, (ACME, BETA)[i % 2], 入会日期=f"201{i % 10}-0{1 + i % 9}-1{i % 10}")
        for i in range(25)
    ]
    rows[3]["联系电话"] = ""  # a field left empty takes the member's default
    _r, batch = run(samples.xlsx(rows), community1)
    members = {m.id_digest: m for m in Member.objects.all()}
    assert [m.pk for m in sorted(members.values(), key=lambda m: m.id_digest)] == sorted(
        m.pk for m in members.values()
    )
    for row in rows:
        member = members[crypto.digest(row["身份证号"])]
        assert (member.name, member.phone) == (row["姓名"], row["联系电话"])
        assert member.birth_date.isoformat() == row["出生日期"]
        assert crypto.decrypt(member.id_encrypted) == row["身份证号"]
        membership = member.memberships.get()
        assert membership.enterprise.name == row["所在企业"]
        assert membership.joined_on.isoformat() == row["入会日期"]
    assert len(batch.created_ranges["members"]) == 1


def test_undo_removes_only_the_members_the_batch_created(acme, community1):
    from chunshu_union.imports.engine import job_undo

    rows = samples.people(6, [ACME])
    run(samples.xlsx(rows[:3]), community1)
    _r, second = run(samples.xlsx(rows), community1)  # three more, three unchanged
    kept = {m.pk for m in Member.objects.all()} - {
        pk
        for first_pk, last_pk in second.created_ranges["members"]
        for pk in range(first_pk, last_pk + 1)
    }
    job_undo(job=second)
    assert set(Member.objects.values_list("pk", flat=True)) == kept and len(kept) == 3
    assert Membership.objects.count() == 3


def test_undo_refused_once_a_created_member_was_transferred_since(acme, beta, community1):
    from django.core.exceptions import ValidationError

    from chunshu_union.imports.engine import job_undo

    _r, batch = run(samples.xlsx(samples.people(2, [ACME])), community1)
    member = Member.objects.order_by("pk").first()
    old = member.open_membership()
    with time_machine.travel(datetime.datetime.now() + datetime.timedelta(minutes=5)):
        old.left_on = datetime.date.today()
        old.save(update_fields=["left_on"])
        new = Membership.objects.create(member=member, enterprise=beta, joined_on=old.left_on)
        Transfer.objects.create(
            member=member, from_membership=old, to_membership=new, transferred_on=old.left_on
        )
    with pytest.raises(ValidationError):
        job_undo(job=batch)
    assert Member.objects.count() == 2


def test_undo_of_a_batch_recorded_before_the_ranges(acme, community1):
    """Batches written before the ranges were kept list each new member as
    a CREATED change: undo still removes them."""
    from chunshu_union.imports.engine import job_undo

    _r, batch = run(samples.xlsx(samples.people(2, [ACME])), community1)
    for member in Member.objects.all():
        ImportChange.objects.create(
            batch=batch,
            kind=ImportChange.Kind.CREATED,
            row=1,
            member=member,
            opened_membership=member.open_membership(),
        )
    ImportBatch.objects.filter(pk=batch.pk).update(created_ranges={})
    batch.refresh_from_db()
    job_undo(job=batch)
    assert Member.objects.count() == 0 and Membership.objects.count() == 0


def test_undo_refused_when_a_member_was_edited_since(acme, community1):
    from django.core.exceptions import ValidationError

    from chunshu_union.imports.engine import job_undo

    rows = samples.people(1, [ACME])
    run(samples.xlsx(rows), community1)
    _r, batch = run(samples.xlsx([{**rows[0], "联系电话": "13911112222"}]), community1)
    member = Member.objects.get()
    member.phone = "13700000000"
    member.save(update_fields=["phone"])
    with pytest.raises(ValidationError):
        job_undo(job=batch)
    assert Member.objects.get().phone == "13700000000"
    assert ImportChange.objects.filter(batch=batch).count() == 1

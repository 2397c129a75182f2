"""Issue 14, rosters: what real chairs' files hold. The coded columns read
the national code lists, one ID-number reader serves every door (roster,
command, portal, admin), and the faults real files have get a sentence of
their own. Every file is built here with openpyxl (tests/samples.py)."""

import datetime
import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from members.id_numbers import check_character, id_number_error, make_id_number, normalise
from members.models import ImportBatch, Member
from members.roster.services import roster_import
from members.roster.template import roster_template
from tests import samples
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

ACME = "北京椿树一号科技有限公司"
EXCEL_DAMAGE = "Excel 把它当成数字保存"


def run(rows, community, **options):
    return roster_import(
        source=samples.xlsx(rows), filename="roster.xlsx", community=community, **options
    )[0]


def faults(result):
    return [(e.row, e.column, e.message) for e in result.errors]


def damaged_but_valid() -> str:
    """A number ending in 000 whose check character happens to be right:
    about 1 in 11 of the numbers Excel damaged."""
    for day in range(1, 29):
        for sequence in range(100, 1000, 100):
            first17 = f"11010219850{3 if day < 20 else 4}{day:02d}{sequence:03d}"
            if check_character(first17) == "0":
                return first17 + "0"
    raise AssertionError("none found")


def with_region(region: str) -> str:
    return make_id_number(f"{region}19850312001")


# --- the coded columns read the national lists ---------------------------------------


def test_what_offices_write_in_the_coded_columns_is_read_and_stored_as_the_code(acme, community1):
    typed = [
        ("硕士研究生", "中国共产党预备党员", "汉"),
        ("技工学校", "中国共产主义青年团团员", "汉族"),
        ("普通高中毕业", "中国民主同盟盟员", "回"),
        ("本科", "无党派民主人士", "01"),
        ("大专", "中共党员", "蒙族"),
    ]
    rows = [
        samples.person_row(n, ACME, 文化程度=edu, 政治面貌=pol, 民族=eth)
        for n, (edu, pol, eth) in enumerate(typed, start=1)
    ]
    result = run(rows, community1)
    assert result.errors == []
    stored = {
        (m.education, m.political_status, m.ethnicity)
        for m in Member.objects.all()  # the standards' codes
    }
    assert stored == {
        ("14", "02", "01"),
        ("47", "03", "01"),
        ("61", "05", "03"),
        ("21", "12", "01"),
        ("31", "01", "02"),
    }
    master = Member.objects.get(education="14")
    assert master.get_education_display() == "硕士研究生毕业"
    assert master.get_political_status_display() == "中国共产党预备党员"
    assert master.get_ethnicity_display() == "汉族"


def test_sex_is_read_through_gb_t_2261_1(acme, community1):
    def sex_cell(n, female_text, male_text):
        return female_text if int(samples.id_number_for(n)[16]) % 2 == 0 else male_text

    rows = [samples.person_row(n, ACME, 性别=sex_cell(n, "2", "1")) for n in (1, 2)]
    rows += [samples.person_row(n, ACME, 性别=sex_cell(n, "女性", "男性")) for n in (3, 4)]
    result = run(rows, community1)
    assert result.errors == [] and result.created == 4


def test_an_unknown_coded_value_is_a_row_fault_naming_the_standards_names(acme, community1):
    result = run([samples.person_row(1, ACME, 文化程度="幼儿园", 民族="火星")], community1)
    messages = {column: message for _row, column, message in faults(result)}
    assert set(messages) == {"文化程度", "民族"}
    assert "幼儿园" in messages["文化程度"] and "研究生教育" in messages["文化程度"]
    assert Member.objects.count() == 0


def test_the_templates_drop_downs_are_the_standards_names():
    from io import BytesIO

    from openpyxl import load_workbook

    workbook = load_workbook(BytesIO(roster_template(community_name="社区", enterprise_names=[])))
    header = [c.value for c in workbook["会员花名册"][3]]
    lists = workbook["选项"]

    def column(title):
        index = header.index(title) + 1
        return [c.value for c in next(lists.iter_cols(min_col=index, max_col=index)) if c.value]

    assert "硕士研究生毕业" in column("文化程度") and "技工学校毕业" in column("文化程度")
    assert "中国共产党预备党员" in column("政治面貌") and "无党派民主人士" in column("政治面貌")
    assert len(column("民族")) == 58 and column("民族")[0] == "汉族"


def test_the_admins_choices_are_the_standards_names(client, sam):
    client.force_login(sam)
    page = client.get("/admin/members/member/add/").content.decode()
    assert '<option value="14">硕士研究生毕业</option>' in page
    assert '<option value="02">中国共产党预备党员</option>' in page
    assert '<option value="01">汉族</option>' in page


def test_the_data_migration_turns_the_old_words_into_codes(db):
    migration = importlib.import_module("members.migrations.0009_national_code_lists")
    old = [
        ("primary", "cpc", "汉族"),
        ("junior", "probationary", "回族"),
        ("senior", "cyl", "穿青人"),
        ("college", "democratic", "满族"),
        ("bachelor", "masses", ""),
        ("postgraduate", "", "蒙古族"),
    ]
    members = []
    for education, political, ethnicity in old:
        member = MemberFactory()
        Member.objects.filter(pk=member.pk).update(
            education=education, political_status=political, ethnicity=ethnicity
        )
        members.append(member.pk)
    from django.apps import apps

    migration.forwards(apps, None)
    after = [
        Member.objects.values_list("education", "political_status", "ethnicity").get(pk=pk)
        for pk in members
    ]
    assert after == [
        ("80", "01", "01"),
        ("70", "02", "03"),
        ("60", "03", "97"),
        ("30", "", "11"),  # "democratic" named no party: cleared
        ("20", "13", ""),
        ("10", "", "02"),
    ]


# --- one ID-number reader ------------------------------------------------------------


def test_an_id_number_excel_damaged_is_refused_with_its_own_sentence_even_if_its_check_fits(
    acme, community1
):
    number = damaged_but_valid()
    plain = samples.person_row(2, ACME)
    # the usual case: the check character does not fit either
    broken = samples.person_row(
        3, ACME, 身份证号=samples.id_number_for(3)[:15] + "000", 性别="", 出生日期=""
    )
    damaged = samples.person_row(1, ACME, 身份证号=number, 性别="", 出生日期="")
    result = run([damaged, plain, broken], community1)
    found = faults(result)
    assert [(row, column) for row, column, _m in found] == [(4, "身份证号"), (6, "身份证号")]
    assert all(EXCEL_DAMAGE in message for _r, _c, message in found)
    assert not Member.objects.exists()  # all or nothing: nothing written under a wrong number


@pytest.mark.parametrize("region", ["000000", "990000", "110199"])
def test_a_region_code_that_never_existed_is_refused(region, acme, community1):
    number = with_region(region)
    result = run([samples.person_row(1, ACME, 身份证号=number, 性别="", 出生日期="")], community1)
    ((row, column, message),) = faults(result)
    assert (row, column) == (4, "身份证号") and "行政区划代码" in message and region in message


def test_old_region_codes_are_still_read():
    # 110229 延庆县 (1982-2015) and 110102 西城区: a person keeps the number issued then
    assert id_number_error(with_region("110229")) is None
    assert id_number_error(with_region("110102")) is None


def test_the_region_table_is_stdnums_own():
    """The codes read from stdnum's data file are the ones stdnum's own
    lookup knows (stdnum.numdb, as stdnum.cn.ric.get_birth_place asks)."""
    import random

    from stdnum import numdb

    from members.id_numbers import _AskStdnum, _regions

    codes = _regions()
    stdnum = _AskStdnum(numdb.get("cn/loc"))
    rnd = random.Random(14)
    sample = [*codes, *(f"{rnd.randrange(1_000_000):06d}" for _ in range(5000))]
    assert len(codes) > 3000
    assert [c for c in sample if (c in codes) != (c in stdnum)] == []


@pytest.mark.parametrize("digit", ["❶", "①", "𝟏", "١", "½"])
def test_an_odd_digit_in_the_id_column_is_a_row_fault_never_a_crash(digit, acme, community1):
    number = samples.id_number_for(1)
    typed = number[:5] + digit + number[6:]
    result = run(
        [samples.person_row(1, ACME, 身份证号=typed), samples.person_row(2, ACME)], community1
    )
    ((row, column, message),) = faults(result)
    assert (row, column) == (4, "身份证号") and digit in message and "普通数字" in message
    assert result.created == 1  # the rest of the file is read


def test_full_width_digits_are_read():
    number = samples.id_number_for(5)
    full = "".join(chr(ord(c) + 0xFEE0) for c in number)
    assert normalise(full) == number and id_number_error(normalise(full)) is None


def test_the_command_names_the_row_of_an_odd_digit(acme, tmp_path, capsys):
    number = samples.id_number_for(1)
    path = tmp_path / "roster.xlsx"
    path.write_bytes(samples.xlsx([samples.person_row(1, ACME, 身份证号="❶" + number[1:])]))
    try:
        call_command("import_roster", str(path), "--community", acme.community.name)
        code = 0
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in out + err
    assert "❶" in out + err and "身份证号" in out + err


def test_the_portal_lists_the_row_of_an_odd_digit(
    client, alice, acme, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.IMPORT_UPLOAD_ROOT = tmp_path / "rosters"
    client.force_login(alice)
    number = samples.id_number_for(1)
    data = samples.xlsx(
        [
            samples.person_row(1, ACME, 身份证号=number[:3] + "❶" + number[4:]),
            samples.person_row(2, ACME),
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:import_new"), {"file": SimpleUploadedFile("花名册.xlsx", data)})
    batch = ImportBatch.objects.get()
    assert batch.state == ImportBatch.State.PREVIEWED, batch.message
    assert (batch.created, batch.invalid) == (1, 1)


ADD = "/admin/members/member/add/"


def add_form(number, **extra):
    return {
        "id_number_input": number,
        "name": "王五",
        "jingcard_status": "not_applied",
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
        "transfers-TOTAL_FORMS": 0,
        "transfers-INITIAL_FORMS": 0,
        **extra,
    }


def test_the_admin_names_an_odd_digit_instead_of_failing(client, sam):
    client.force_login(sam)
    number = samples.id_number_for(1)
    response = client.post(ADD, add_form("❶" + number[1:]))
    assert response.status_code == 200 and "普通数字" in response.content.decode()
    assert not Member.objects.exists()


def test_both_doors_read_a_number_typed_with_spaces(client, sam, acme, community1):
    number = samples.id_number_for(7)
    spaced = f"{number[:6]} {number[6:14]} {number[14:]}"
    result = run([samples.person_row(7, ACME, 身份证号=spaced)], community1)
    assert result.errors == [] and Member.objects.with_id_number(number).exists()
    other = samples.id_number_for(8)
    client.force_login(sam)
    response = client.post(ADD, add_form(f"{other[:6]} {other[6:14]} {other[14:]}"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Member.objects.with_id_number(other).get().name == "王五"


def test_the_admin_refuses_a_damaged_number_unless_staff_confirm_it(client, sam):
    number = damaged_but_valid()
    client.force_login(sam)
    refused = client.post(ADD, add_form(number))
    assert refused.status_code == 200 and EXCEL_DAMAGE in refused.content.decode()
    assert not Member.objects.exists()
    confirmed = client.post(ADD, add_form(number, confirm_ends_in_000="on"))
    assert confirmed.status_code == 302, confirmed.content.decode()[:2000]
    assert Member.objects.with_id_number(number).get().birth_date == datetime.date(
        int(number[6:10]), int(number[10:12]), int(number[12:14])
    )


def test_the_admin_refuses_a_region_that_never_existed(client, sam):
    client.force_login(sam)
    response = client.post(ADD, add_form(with_region("990000")))
    assert response.status_code == 200 and "行政区划代码" in response.content.decode()


# --- rosters: duplicates, lost characters, lost zeros ---------------------------------


def test_the_same_person_twice_is_reported_whatever_else_is_wrong_with_the_first(acme, community1):
    first = samples.person_row(1, ACME, 联系电话="=1+1")  # a formula: a fault of its own
    again = samples.person_row(1, ACME)
    other = samples.person_row(3, ACME, 所在企业="不存在的公司")  # a fault again
    other_again = samples.person_row(3, ACME, 姓名="李四")
    rows = [first, samples.person_row(2, ACME), again, other, other_again]
    result = run(rows, community1)
    found = faults(result)
    assert [(r, c) for r, c, _m in found if c != "身份证号"] == [(4, "联系电话"), (7, "所在企业")]
    repeats = [(r, m) for r, c, m in found if c == "身份证号"]
    assert [r for r, _m in repeats] == [6, 8]
    assert "row 4" in repeats[0][1] or "第4行" in repeats[0][1], repeats
    assert "row 7" in repeats[1][1] or "第7行" in repeats[1][1], repeats


@pytest.mark.parametrize("name", ["王?", "王\ufffd", "？明"])
def test_a_name_that_lost_a_rare_character_is_flagged(name, acme, community1):
    result = run([samples.person_row(1, ACME, 姓名=name), samples.person_row(2, ACME)], community1)
    assert faults(result) == [
        (4, "姓名", "姓名中有“?”，可能是文件编码丢失了生僻字，请核对后重新填写")
    ]


def test_a_landline_that_lost_its_leading_zero_gets_its_own_sentence(acme, community1):
    rows = [samples.person_row(1, ACME)]
    header = list(samples.TEMPLATE_COLUMNS)
    typed_as_number = [samples.person_row(2, ACME).get(c, "") for c in header]
    typed_as_number[header.index("联系电话")] = 1063012345  # 010-63012345 kept as a number
    data = samples.xlsx(rows, raw_rows=[typed_as_number])
    result = roster_import(source=data, filename="r.xlsx", community=community1)[0]
    ((row, column, message),) = faults(result)
    assert (row, column) == (5, "联系电话")
    assert "座机" in message and "01063012345" in message and "手机" not in message


@pytest.mark.parametrize("typed", ["1380013800", 13800138])
def test_a_mobile_missing_a_digit_still_gets_the_mobile_sentence(typed, acme, community1):
    header = list(samples.TEMPLATE_COLUMNS)
    cells = [samples.person_row(1, ACME).get(c, "") for c in header]
    cells[header.index("联系电话")] = typed
    data = samples.xlsx([], raw_rows=[cells])
    result = roster_import(source=data, filename="r.xlsx", community=community1)[0]
    ((_row, column, message),) = faults(result)
    assert column == "联系电话" and "座机" not in message and "11" in message

"""The national code lists read what offices write and store the standard's
code (issue 14: 硕士研究生, 中国共产党预备党员, 汉 … were refused)."""

import pytest

from chunshu_union.codelists import CodeList, Entry
from chunshu_union.codelists.education import EDUCATION, level
from chunshu_union.codelists.ethnicity import ETHNICITY
from chunshu_union.codelists.political import DEMOCRATIC_PARTIES, POLITICAL_STATUS
from chunshu_union.codelists.sex import SEX


def test_gb3304_has_the_56_groups_in_the_standards_order_and_its_two_extra_codes():
    codes = [code for code, _ in ETHNICITY.choices()]
    assert codes == [f"{n:02d}" for n in range(1, 57)] + ["97", "98"]
    assert ETHNICITY.name("01") == "汉族"
    assert ETHNICITY.name("56") == "基诺族"
    assert ETHNICITY.name("98") == "外国血统中国籍人士"


def test_gb4762_has_thirteen_statuses_and_eight_democratic_parties():
    assert [code for code, _ in POLITICAL_STATUS.choices()] == [f"{n:02d}" for n in range(1, 14)]
    assert {POLITICAL_STATUS.name(code)[-2:] for code in DEMOCRATIC_PARTIES} <= {
        "会员",
        "盟员",
        "党员",
        "社员",
    }
    assert len(DEMOCRATIC_PARTIES) == 8


def test_gb4658_codes_share_their_levels_first_digit():
    codes = [code for code, _ in EDUCATION.choices()]
    assert len(codes) == 40
    for code in codes:
        assert level(code) in EDUCATION, code
    assert EDUCATION.name("14") == "硕士研究生毕业"


def test_gb2261_sex_codes():
    assert SEX.choices() == [
        ("0", "未知的性别"),
        ("1", "男性"),
        ("2", "女性"),
        ("9", "未说明的性别"),
    ]


@pytest.mark.parametrize(
    ("codes", "typed", "code"),
    [
        (EDUCATION, "硕士研究生", "14"),
        (EDUCATION, "硕士", "14"),
        (EDUCATION, "硕士研究生毕业", "14"),
        (EDUCATION, "技工学校", "47"),
        (EDUCATION, "普通高中毕业", "61"),
        (EDUCATION, "大专", "31"),
        (EDUCATION, "本科", "21"),
        (EDUCATION, "21", "21"),
        (POLITICAL_STATUS, "中国共产党预备党员", "02"),
        (POLITICAL_STATUS, "中国共产主义青年团团员", "03"),
        (POLITICAL_STATUS, "中国民主同盟盟员", "05"),
        (POLITICAL_STATUS, "无党派民主人士", "12"),
        (POLITICAL_STATUS, "中共党员", "01"),
        (POLITICAL_STATUS, "中国共产党党员", "01"),
        (POLITICAL_STATUS, "团员", "03"),
        (ETHNICITY, "汉", "01"),
        (ETHNICITY, "汉族", "01"),
        (ETHNICITY, "维吾尔", "05"),
        (ETHNICITY, "蒙族", "02"),
        (SEX, "男", "1"),
        (SEX, "女性", "2"),
    ],
)
def test_the_standards_names_codes_and_office_short_forms_are_read(codes, typed, code):
    assert codes.read(typed) == code


def test_what_people_type_around_a_term_does_not_matter():
    assert POLITICAL_STATUS.read(" 中共 党员 ") == "01"
    assert EDUCATION.read("硕士研究生\u3000") == "14"
    assert EDUCATION.read("１４") == "14"  # full-width digits


def test_a_code_excel_stored_as_a_number_is_read():
    assert ETHNICITY.read(1) == "01"
    assert POLITICAL_STATUS.read(3.0) == "03"


def test_unknown_text_is_not_guessed():
    assert EDUCATION.read("幼儿园") is None
    assert ETHNICITY.read("火星族") is None
    assert POLITICAL_STATUS.read("") is None


def test_a_short_form_that_would_mean_two_entries_is_refused_when_the_list_is_built():
    with pytest.raises(ValueError, match="both"):
        CodeList("test", [Entry("1", "甲", ("同",)), Entry("2", "乙", ("同",))])

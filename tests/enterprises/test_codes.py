"""The check characters of credit codes and ID numbers, and what a user is
told when one is wrong."""

import datetime

import pytest
from django.utils import translation

from enterprises.credit_codes import credit_code_error, make_credit_code
from members.id_numbers import facts, id_number_error, make_id_number, mask

# Published examples: a real company's code and the GB 11643 sample number.
KNOWN_GOOD_CREDIT_CODE = "91110108551385082Q"
KNOWN_GOOD_ID = "11010519491231002X"


def test_a_real_credit_code_is_accepted():
    assert credit_code_error(KNOWN_GOOD_CREDIT_CODE) is None


def test_a_typo_in_a_credit_code_is_caught_and_the_right_check_character_named():
    wrong = KNOWN_GOOD_CREDIT_CODE[:17] + "A"
    with translation.override("zh-hans"):
        message = credit_code_error(wrong)
    assert "Q" in message and "校验" in message


@pytest.mark.parametrize(
    ("code", "fragment"),
    [("9111010855138508", "18"), ("91110108551385O82Q", "O"), ("91AB0108551385082Q", "3")],
)
def test_malformed_credit_codes_are_explained(code, fragment):
    with translation.override("zh-hans"):
        assert fragment in credit_code_error(code)


def test_make_credit_code_completes_any_seventeen_characters():
    assert credit_code_error(make_credit_code("91110102MA0000001")) is None


def test_a_real_id_number_is_accepted_and_read():
    assert id_number_error(KNOWN_GOOD_ID) is None
    read = facts(KNOWN_GOOD_ID)
    assert read.birth_date == datetime.date(1949, 12, 31)
    assert read.sex == "F"  # 002: even sequence digit


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("110105194912310021", "校验"),
        ("1101051949123100", "18"),
        ("110105194913310020", "出生日期"),
        ("11010519491231002Y", "X"),
    ],
)
def test_bad_id_numbers_are_explained_in_chinese(number, fragment):
    with translation.override("zh-hans"):
        assert fragment in id_number_error(number)


def test_an_id_number_is_masked_without_its_birth_date():
    assert mask(KNOWN_GOOD_ID) == "110105********002X"


def test_make_id_number_gives_valid_numbers():
    assert id_number_error(make_id_number("11010219850312001")) is None

"""The declaration rate's definitions, edge by edge (DESIGN, "Union funds")."""

import datetime
from decimal import Decimal

import pytest

from chunshu_union.figures import percent
from chunshu_union.quarters import Quarter
from dues.rates import needed_for, rate_figures_for_quarter
from enterprises.models import Status
from enterprises.services import enterprise_set_status
from tests.factories import EnterpriseFactory, street

from .helpers import declare

Q3 = Quarter(2017, 3)


def street_figures(quarter=Q3):
    return rate_figures_for_quarter(quarter, street())[0]


def test_rate_is_a_percentage_with_two_decimals_rounded_half_up():
    assert percent(163, 196) == Decimal("83.16")
    assert percent(167, 226) == Decimal("73.89")
    assert percent(1, 8) == Decimal("12.50")
    assert percent(1, 3) == Decimal("33.33")
    assert percent(2, 3) == Decimal("66.67")
    assert percent(0, 0) is None  # no denominator: no rate, shown "—"


def test_needed_to_reach_the_target_as_it_is_reported():
    # 85% of 196 is 166.6: 167 declared makes 85.20%, 166 only 84.69%.
    assert needed_for(Decimal("85.00"), 163, 196) == 4
    assert percent(167, 196) >= Decimal("85.00") > percent(166, 196)
    assert needed_for(Decimal("85.00"), 190, 196) == 0


def test_zero_declaration_counts_as_declared_and_is_counted_apart(db):
    paying, zero, silent = EnterpriseFactory.create_batch(3)
    declare(paying, "2017Q3")
    declare(zero, "2017Q3", zero=True)
    figures = street_figures()
    assert (figures.declared, figures.obligated, figures.zero_declared) == (2, 3, 1)
    assert figures.rate == Decimal("66.67")
    assert silent.pk not in figures.declared_ids


def test_a_correction_for_the_same_period_counts_once(db):
    corrected, _other = EnterpriseFactory.create_batch(2)
    declare(corrected, "2017Q3", declared_on=datetime.date(2017, 10, 15))
    declare(corrected, "2017Q3", declared_on=datetime.date(2017, 11, 2))
    figures = street_figures()
    assert (figures.declared, figures.obligated) == (1, 2)


def test_zero_then_corrected_to_paying_is_not_a_zero_declarer(db):
    enterprise = EnterpriseFactory()
    declare(enterprise, "2017Q3", zero=True, declared_on=datetime.date(2017, 10, 15))
    declare(enterprise, "2017Q3", declared_on=datetime.date(2017, 11, 2))
    assert street_figures().zero_declared == 0


def test_the_period_end_decides_the_quarter(db):
    enterprise = EnterpriseFactory()
    # A monthly declaration for September, filed in October, is for Q3.
    declare(
        enterprise,
        "2017Q3",
        start=datetime.date(2017, 9, 1),
        declared_on=datetime.date(2017, 10, 9),
    )
    assert street_figures(Q3).declared == 1
    assert street_figures(Quarter(2017, 4)).declared == 0


def test_an_enterprise_founded_mid_quarter_is_obligated_that_quarter(db):
    EnterpriseFactory(union_founded_on=datetime.date(2017, 8, 15))
    assert street_figures(Q3).obligated == 1
    assert street_figures(Quarter(2017, 2)).obligated == 0


def test_a_union_founded_after_the_quarter_is_not_obligated_and_cannot_lift_the_rate(db):
    late = EnterpriseFactory(union_founded_on=datetime.date(2017, 10, 10))
    declare(late, "2017Q3")
    figures = street_figures()
    assert (figures.declared, figures.obligated) == (0, 0)


def test_moved_out_mid_quarter_leaves_the_denominator_that_quarter(db, sam):
    leaving, _staying = EnterpriseFactory.create_batch(2)
    declare(leaving, "2017Q2")
    declare(leaving, "2017Q3")  # still declares: kept, but not counted
    enterprise_set_status(
        enterprise=leaving, status=Status.MOVED_OUT, effective_on=datetime.date(2017, 8, 15), by=sam
    )
    q2, q3 = street_figures(Quarter(2017, 2)), street_figures(Q3)
    assert (q2.declared, q2.obligated) == (1, 2)
    assert (q3.declared, q3.obligated) == (0, 1)
    assert q3.rate <= Decimal("100")


def test_deregistration_moves_the_denominator_from_its_effective_date(db, sam):
    gone, *_others = EnterpriseFactory.create_batch(4)
    enterprise_set_status(
        enterprise=gone,
        status=Status.DEREGISTERED,
        effective_on=datetime.date(2017, 9, 30),
        by=sam,
    )
    assert street_figures(Quarter(2017, 2)).obligated == 4
    assert street_figures(Q3).obligated == 3  # effective on the last day: out already


def test_suspected_dormant_and_unreachable_stay_in_the_denominator(db, sam):
    a, b = EnterpriseFactory.create_batch(2)
    day = datetime.date(2017, 7, 1)
    enterprise_set_status(enterprise=a, status=Status.SUSPECTED_DORMANT, effective_on=day, by=sam)
    enterprise_set_status(enterprise=b, status=Status.UNREACHABLE, effective_on=day, by=sam)
    assert street_figures().obligated == 2


def test_communities_get_their_own_figures_and_the_street_adds_them_up(db, community1, community2):
    a1, _a2 = EnterpriseFactory.create_batch(2, community=community1)
    b1 = EnterpriseFactory(community=community2)
    declare(a1, "2017Q3")
    declare(b1, "2017Q3")
    rows = {f.scope: f for f in rate_figures_for_quarter(Q3, street())}
    assert (rows["street"].declared, rows["street"].obligated) == (2, 3)
    assert (rows[community1.name].declared, rows[community1.name].obligated) == (1, 2)
    assert rows[community1.name].rate == Decimal("50.00")
    assert rows[community2.name].rate == Decimal("100.00")
    assert len(rows) == 8  # the street and all seven communities, empty ones too


def test_unmatched_declarations_do_not_count(db):
    enterprise = EnterpriseFactory()
    declare(None, "2017Q3", credit_code="91110102MA0000099X", taxpayer_name="未建会公司")
    assert street_figures().declared == 0
    assert enterprise.pk in street_figures().obligated_ids


@pytest.mark.parametrize("queries_max", [4])
def test_figures_take_a_few_queries_whatever_the_number_of_enterprises(
    db, django_assert_max_num_queries, queries_max
):
    for enterprise in EnterpriseFactory.create_batch(30):
        declare(enterprise, "2017Q3")
    with django_assert_max_num_queries(queries_max):
        figures = street_figures()
    assert figures.declared == 30

"""Member statistics (issue 17): women, age bands, migrant and model
workers, hardship cases, 京卡 / app / verification coverage, per community
and for the street — computed from the members' rows, scoped like every
page, and exported to Excel."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.http import Http404
from django.utils import timezone

from accounts.models import Role
from members.models import EndReason, HoldReason, JingCard
from members.services import membership_end, membership_hold
from members.statistics import member_statistics
from tests.factories import MembershipFactory, another_street, id_number, user

ON = datetime.date(2026, 6, 30)


def member(enterprise, *, birth="19850312", female=False, **fields):
    return MembershipFactory(
        enterprise=enterprise,
        member__id_number_value=id_number(birth=birth, female=female),
        **{f"member__{k}": v for k, v in fields.items()},
    ).member


@pytest.fixture
def members(alices_enterprise, bobs_enterprise):
    """Alice's community: five members; Bob's: two."""
    e1, e2 = alices_enterprise, bobs_enterprise
    member(e1, birth="19910630", female=True, is_migrant_worker=True)  # 35 on ON
    member(e1, birth="19900630", jingcard_status=JingCard.ACTIVATED)  # 36 on ON
    member(e1, birth="19800701", female=True, is_in_hardship=True)  # 45, 46 next day
    member(e1, birth="19710630", female=True, is_model_worker=True)  # 55 on ON
    retired = member(e1, birth="19600101", app_registered_on=datetime.date(2020, 1, 1))
    membership_hold(member=retired, on=datetime.date(2021, 1, 1), reason=HoldReason.RETIRED)
    gone = member(e1, birth="19950101", female=True)
    membership_end(member=gone, on=datetime.date(2022, 1, 1), reason=EndReason.LEFT_UNION)
    member(e2, verified_at=timezone.now())
    member(e2, female=True, jingcard_status=JingCard.ISSUED)


def row_of(stats, community):
    return next(r for r in stats.rows if r.community == community).counts


def test_figures_are_computed_from_the_members(sam, members, community1, community2):
    stats = member_statistics(user=sam, on=ON)
    alice_side = row_of(stats, community1)
    assert (alice_side["members"], alice_side["standing"], alice_side["held"]) == (5, 4, 1)
    assert alice_side["women"] == 3  # the woman who left the union is not a member
    assert (alice_side["migrant_workers"], alice_side["model_workers"]) == (1, 1)
    assert alice_side["in_hardship"] == 1
    assert (alice_side["jingcard_holders"], alice_side["app_registered"]) == (1, 1)
    bob_side = row_of(stats, community2)
    assert (bob_side["members"], bob_side["jingcard_holders"], bob_side["verified"]) == (2, 1, 1)
    assert stats.total.counts["members"] == 7 and stats.total.counts["women"] == 4
    assert stats.total.percent("women") == Decimal("57.14")


def test_age_bands_count_completed_years_on_the_day(sam, members, community1):
    alice_side = row_of(member_statistics(user=sam, on=ON), community1)
    assert alice_side["age_35_and_under"] == 1  # 35 today
    assert alice_side["age_36_to_45"] == 2  # 36 today; 45 until tomorrow
    assert alice_side["age_46_to_54"] == 0
    assert alice_side["age_55_and_over"] == 2  # 55 today; the retired member
    next_day = row_of(member_statistics(user=sam, on=ON + datetime.timedelta(days=1)), community1)
    assert (next_day["age_36_to_45"], next_day["age_46_to_54"]) == (1, 1)


def test_an_empty_community_has_no_percentage(sam, members):
    empty = next(r for r in member_statistics(user=sam, on=ON).rows if not r.counts["members"])
    assert empty.percent("women") is None


def test_a_chair_gets_their_own_community_and_no_street_total(
    alice, members, community1, community2
):
    stats = member_statistics(user=alice, on=ON)
    assert [r.community for r in stats.rows] == [community1]
    assert stats.total is None
    with pytest.raises(Http404):
        member_statistics(user=alice, community=community2, on=ON)


def test_another_streets_staff_see_none_of_this_street(db, members):
    outsider_community = another_street()
    clerk = user("clerk", Role.STAFF, federation=outsider_community.federation)
    stats = member_statistics(user=clerk, on=ON)
    assert [r.community for r in stats.rows] == [outsider_community]
    assert stats.total.counts["members"] == 0


def test_the_statistics_take_two_queries_however_many_communities(
    sam, members, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the communities, the grouped counts
        member_statistics(user=sam, on=ON)


def test_the_admin_page_and_its_workbook(client, sam, members, community1):
    client.force_login(sam)
    page = client.get("/admin/members/statistics/?quarter=2017Q3")
    assert page.status_code == 200
    html = page.content.decode()
    assert "会员统计" in html and community1.name in html
    row = html.split(f'data-community="{community1.pk}"')[1].split("</tr>")[0]
    assert 'data-key="women">3<br><small>60.00%</small>' in row

    book = openpyxl.load_workbook(io.BytesIO(client.get("/admin/members/statistics.xlsx").content))
    sheet = book.worksheets[0]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=5, values_only=True)}
    assert rows[community1.name][1] == 5  # members
    assert rows["全街道"][1] == 7


def test_a_chair_never_gets_the_admin_page(client, alice, members):
    client.force_login(alice)
    assert client.get("/admin/members/statistics/").status_code == 302

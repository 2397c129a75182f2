"""The chair portal's member counts (issue 16, load): the home page's figure
and the member list's pages count a chair's members on their open
memberships, one table, not through every member's row; the figure a chair
reads is unchanged. Alice chairs the first community, bob the second."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.services import membership_leave, membership_transfer
from tests.factories import MembershipFactory


@pytest.fixture
def alices_street(alices_enterprise, bobs_enterprise):
    """Alice has 张三 and 张四 now; 王五 left her community, 赵六 moved to
    bob's; bob has 李四."""
    for name in ("张三", "张四", "王五", "赵六"):
        MembershipFactory(enterprise=alices_enterprise, member__name=name)
    MembershipFactory(enterprise=bobs_enterprise, member__name="李四")
    leaver = alices_enterprise.memberships.get(member__name="王五").member
    membership_leave(member=leaver, on=datetime.date(2017, 3, 1))
    mover = alices_enterprise.memberships.get(member__name="赵六").member
    membership_transfer(member=mover, to_enterprise=bobs_enterprise, on=datetime.date(2017, 4, 1))


def _member_counts(captured):
    return [
        q["sql"] for q in captured if "COUNT(" in q["sql"] and 'FROM "members_member"' in q["sql"]
    ]


def test_a_chair_reads_how_many_members_they_have_now(client, alice, alices_street):
    client.force_login(alice)
    assert client.get("/portal/").context["member_count"] == 2
    page = client.get("/portal/members/").context["page"]
    assert page.paginator.count == 2
    assert sorted(m.name for m in page) == ["张三", "张四"]
    searched = client.get("/portal/members/", {"q": "张"}).context["page"]
    assert searched.paginator.count == 2
    assert client.get("/portal/members/", {"q": "赵"}).context["page"].paginator.count == 0


def test_an_id_number_in_the_name_box_finds_nobody(client, alice, alices_street):
    client.force_login(alice)
    page = client.get("/portal/members/", {"q": "11010119900101123X"}).context["page"]
    assert page.paginator.count == 0


def test_a_chairs_counts_do_not_walk_the_member_table(client, alice, alices_street):
    """At 300,000 members in one community the member table's count took
    6 s a page, the memberships' 0.4 s."""
    client.force_login(alice)
    for path in ("/portal/", "/portal/members/", "/portal/members/?q=张"):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        assert _member_counts(captured) == [], path


def test_staff_still_count_the_street_history(client, sam, alices_street):
    """Staff's portal list keeps everyone who has been in the street."""
    client.force_login(sam)
    assert client.get("/portal/").context["member_count"] == 5

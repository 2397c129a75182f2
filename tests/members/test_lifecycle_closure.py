"""Issue 17: when an enterprise moves out or is deregistered — by hand on
its admin page or by a zombie resolution — its members in good standing are
held at the community (the default) or ended, as staff choose; never left
silently counted at a closed enterprise."""

import datetime

import pytest
import time_machine

from chunshu_union.quarters import Quarter
from dues.models import Resolution
from dues.services import zombie_resolve, zombies_flag
from members.models import Membership, MembershipEvent
from tests.dues.helpers import declare
from tests.factories import EnterpriseFactory, MembershipFactory

D = datetime.date


@pytest.fixture(autouse=True)
def in_december_2017():
    with time_machine.travel(datetime.datetime(2017, 12, 20, 10, 0), tick=False):
        yield


def _close_by_hand(client, enterprise, *, status="moved_out", day="2017-06-30", **extra):
    return client.post(
        f"/admin/enterprises/enterprise/{enterprise.pk}/change/",
        {
            "name": enterprise.name,
            "credit_code": enterprise.credit_code,
            "community": enterprise.community_id,
            "ownership": "non_public",
            "headcount": 20,
            "union_founded_on": "2015-01-01",
            "status_history-TOTAL_FORMS": 1,
            "status_history-INITIAL_FORMS": 0,
            "status_history-0-status": status,
            "status_history-0-effective_on": day,
            "status_history-0-reason": "迁至丰台区",
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
            **extra,
        },
        follow=True,
    )


@pytest.fixture
def three_members(alices_enterprise):
    return [MembershipFactory(enterprise=alices_enterprise) for _ in range(3)]


def test_moving_out_by_hand_holds_its_members_at_the_community_by_default(
    client, sam, alices_enterprise, three_members
):
    client.force_login(sam)
    page = client.get(f"/admin/enterprises/enterprise/{alices_enterprise.pk}/change/")
    assert 'name="members_on_closure"' in page.content.decode()
    response = _close_by_hand(client, alices_enterprise)
    assert response.status_code == 200
    held = Membership.objects.held()
    assert held.count() == 3 and {m.hold_reason for m in held} == {"enterprise_closed"}
    assert {m.held_on for m in held} == {D(2017, 6, 30)}
    assert Membership.objects.open().count() == 3  # still members, held
    assert MembershipEvent.objects.filter(kind="held", recorded_by=sam).count() == 3


def test_deregistering_by_hand_can_end_the_memberships(
    client, sam, alices_enterprise, three_members
):
    client.force_login(sam)
    _close_by_hand(client, alices_enterprise, status="deregistered", members_on_closure="end")
    assert Membership.objects.open().count() == 0
    assert set(Membership.objects.values_list("end_reason", flat=True)) == {"other"}


def test_a_status_that_keeps_the_enterprise_leaves_its_members_alone(
    client, sam, alices_enterprise, three_members
):
    client.force_login(sam)
    _close_by_hand(client, alices_enterprise, status="unreachable")
    assert Membership.objects.standing().count() == 3


@pytest.mark.parametrize("action,held,open_", [("hold", 2, 2), ("end", 0, 0)])
def test_a_zombie_resolved_as_deregistered_holds_or_ends_its_members(sam, action, held, open_):
    founded = D(2015, 1, 1)
    steady, gone = EnterpriseFactory.create_batch(2, union_founded_on=founded)
    for quarter in ("2016Q1", "2016Q2", "2016Q3", "2016Q4"):
        declare(steady, quarter)
    declare(gone, "2016Q1")
    for _ in range(2):
        MembershipFactory(enterprise=gone)
    flag = {f.enterprise: f for f in zombies_flag(quarter=Quarter(2016, 4), n=2)}[gone]
    resolved = zombie_resolve(
        flag=flag,
        resolution=Resolution.DEREGISTERED,
        effective_on=D(2017, 1, 15),
        evidence="工商注销公告",
        by=sam,
        members_action=action,
    )
    assert resolved.members_closed == 2
    assert Membership.objects.held().count() == held
    assert Membership.objects.open().count() == open_

"""A membership's community is its enterprise's, always (issue 16, item 5):
the chair's scope reads it from the membership, so every door that opens a
membership or moves an enterprise keeps it, and a chair sees exactly the
members of the enterprises in their community."""

import datetime

import pytest
from django.db.models import F

from accounts.models import Role
from members.models import Member, Membership
from members.roster.services import roster_import
from members.services import membership_join, membership_leave, membership_transfer
from tests import samples
from tests.factories import EnterpriseFactory, MemberFactory, MembershipFactory, street, user

pytestmark = pytest.mark.django_db

ACME = "北京椿树一号科技有限公司"
BETA = "北京红线二号商贸有限公司"


def _all_agree():
    return not Membership.objects.exclude(community=F("enterprise__community")).exists()


def test_joining_and_transferring_set_the_enterprises_community(community1, community2):
    acme = EnterpriseFactory(community=community1)
    beta = EnterpriseFactory(community=community2)
    member = MemberFactory()
    joined = membership_join(member=member, enterprise=acme, joined_on=datetime.date(2016, 1, 1))
    assert joined.community_id == community1.pk
    moved = membership_transfer(member=member, to_enterprise=beta, on=datetime.date(2017, 1, 1))
    assert moved.to_membership.community_id == community2.pk
    assert Membership.objects.get(pk=joined.pk).community_id == community1.pk  # its history
    membership_leave(member=member, on=datetime.date(2017, 6, 1))
    assert _all_agree()


def test_bulk_created_memberships_get_it_too(community1, community2):
    """The demo writes memberships with bulk_create, which runs no save()."""
    acme = EnterpriseFactory(community=community1)
    members = [MemberFactory() for _ in range(3)]
    Membership.objects.bulk_create(
        [
            Membership(member=m, enterprise=acme, joined_on=datetime.date(2016, 1, 1))
            for m in members
        ]
    )
    assert set(Membership.objects.values_list("community_id", flat=True)) == {community1.pk}


def test_a_roster_sets_it_for_new_rejoined_and_transferred_people(community1, community2):
    acme = EnterpriseFactory(name=ACME, community=community1)
    beta = EnterpriseFactory(name=BETA, community=community2)
    roster_import(source=samples.xlsx(samples.people(6, [ACME])), community=None)
    # A street-wide roster moves three of them to the other community.
    moved = [samples.person_row(i, BETA) for i in range(3)]
    roster_import(source=samples.xlsx(moved), community=None)
    open_ones = Membership.objects.filter(left_on__isnull=True)
    assert open_ones.filter(enterprise=beta, community=community2).count() == 3
    assert open_ones.filter(enterprise=acme, community=community1).count() == 3
    assert _all_agree()


def test_an_enterprise_moved_to_another_community_takes_its_members_along(
    alice, bob, community1, community2
):
    acme = EnterpriseFactory(community=community1)
    member = MembershipFactory(enterprise=acme).member
    assert list(Member.objects.for_user(alice)) == [member]
    acme.community = community2
    acme.save()
    assert Membership.objects.get().community_id == community2.pk
    assert list(Member.objects.for_user(alice)) == []
    assert list(Member.objects.for_user(bob)) == [member]


def test_a_chair_sees_the_open_members_of_their_community_only(
    alice, bob, sam, alices_member, bobs_member, bobs_enterprise
):
    membership_transfer(
        member=alices_member, to_enterprise=bobs_enterprise, on=datetime.date(2017, 1, 1)
    )
    assert list(Member.objects.for_user(alice)) == []
    assert set(Member.objects.for_user(bob)) == {alices_member, bobs_member}
    assert set(Member.objects.for_user(sam)) == {alices_member, bobs_member}


def test_a_chairs_scope_reads_the_memberships_alone(alice):
    """The scope is one subquery on the memberships, by their community: no
    join to the enterprises (whose per-community estimate misled PostgreSQL)
    nor back to the members."""
    street_staff = user("stella", Role.STAFF, federation=street())
    for who in (alice, street_staff):
        sql = str(Member.objects.for_user(who).query)
        assert "enterprises_enterprise" not in sql
        assert sql.count('FROM "members_member"') == 1  # no join back to the members
        assert '"members_membership"."community_id"' in sql or 'U0."community_id"' in sql


def test_the_admin_filters_members_by_the_community_of_their_open_membership(
    client, sam, alices_member, bobs_member, community1
):
    """The staff list's community filter reads the membership's own
    community column (issue 16: the join to enterprises made it 4–9 s at a
    million members)."""
    client.force_login(sam)
    page = client.get("/admin/members/member/", {"community": community1.pk}).content.decode()
    assert alices_member.name in page and bobs_member.name not in page

"""Who sees what, through every door: the scoped querysets, the admin, the
portal and the API."""

import pytest

from accounts.models import Role
from enterprises.models import Enterprise
from members.models import Member, Membership
from tests.factories import user


def test_alice_sees_only_her_communitys_enterprises(alice, alices_enterprise, bobs_enterprise):
    assert list(Enterprise.objects.for_user(alice)) == [alices_enterprise]


def test_alice_sees_only_her_communitys_members(alice, alices_member, bobs_member):
    assert list(Member.objects.for_user(alice)) == [alices_member]
    assert list(Membership.objects.for_user(alice).values_list("member", flat=True)) == [
        alices_member.pk
    ]


def test_staff_and_leaders_see_the_whole_street(sam, lee, alices_member, bobs_member):
    for person in (sam, lee):
        assert set(Member.objects.for_user(person)) == {alices_member, bobs_member}


def test_an_inactive_account_sees_nothing(alices_enterprise):
    ghost = user("ghost", Role.STAFF, is_active=False)
    assert not Enterprise.objects.for_user(ghost).exists()


def test_a_member_who_left_is_no_longer_in_the_chairs_list(alice, alices_member):
    import datetime

    from members.services import membership_leave

    membership_leave(member=alices_member, on=datetime.date(2017, 5, 1))
    assert not Member.objects.for_user(alice).exists()


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/enterprises/enterprise/", "/admin/members/member/"]
)
def test_chairs_and_leaders_never_get_into_the_admin(client, alice, lee, url):
    for person in (alice, lee):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_alice_cannot_open_bobs_enterprise_in_the_admin(client, alice, bobs_enterprise):
    client.force_login(alice)
    response = client.get(f"/admin/enterprises/enterprise/{bobs_enterprise.pk}/change/")
    assert response.status_code == 302


def test_staff_restricted_to_another_street_cannot_see_this_one(client, sam, alices_enterprise):
    from enterprises.models import Federation

    other = Federation.objects.create(name="大栅栏街道总工会")
    outsider = user("dave", Role.STAFF, federation=other)
    outsider.groups.add(*sam.groups.all())
    assert not Enterprise.objects.for_user(outsider).exists()
    client.force_login(outsider)
    response = client.get(f"/admin/enterprises/enterprise/{alices_enterprise.pk}/change/")
    assert response.status_code == 302  # unknown object: admin redirects to its index


def test_alice_gets_404_or_nothing_for_bobs_things_through_the_api(
    client, alice, bobs_enterprise, bobs_member
):
    client.force_login(alice)
    assert client.get(f"/api/v1/enterprises/{bobs_enterprise.pk}/").status_code == 404
    assert client.get(f"/api/v1/members/{bobs_member.pk}/").status_code == 404
    assert client.get("/api/v1/enterprises/").json()["count"] == 0


def test_the_api_masks_identifiers_even_for_staff(client, sam, alices_member):
    client.force_login(sam)
    body = client.get(f"/api/v1/members/{alices_member.pk}/").json()
    assert "*" in body["id_number"] and body["id_number"] != alices_member.id_number
    assert "****" in body["phone"]


def test_alices_portal_lists_her_members_masked_and_not_bobs(
    client, alice, alices_member, bobs_member
):
    client.force_login(alice)
    page = client.get("/portal/members/").content.decode()
    assert "张三" in page and "李四" not in page
    assert alices_member.id_masked in page and alices_member.id_number not in page


def test_leaders_are_turned_away_from_the_portal(client, lee):
    client.force_login(lee)
    assert client.get("/portal/").status_code == 403


def test_each_role_lands_at_its_own_door(client, sam, alice, lee):
    for person, target in ((sam, "/admin/"), (alice, "/portal/"), (lee, "/dashboard/")):
        client.force_login(person)
        assert client.get("/")["Location"] == target

"""Issue 17, in the admin as staff use it: memberships are read-only and
change only by a step of their life (transfer, hold, resume, end) written by
members.services; 京卡, app and verification are shown, never edited, on
the member's page."""

import datetime

import pytest
import time_machine

from members.models import JingCard, Membership, MembershipEvent, Transfer

D = datetime.date


@pytest.fixture(autouse=True)
def in_december_2017():
    with time_machine.travel(datetime.datetime(2017, 12, 20, 10, 0), tick=False):
        yield


def _membership_url(member):
    return f"/admin/members/membership/{member.open_membership().pk}/change/"


def _step(client, member, **data):
    return client.post(_membership_url(member), {"on": "2017-11-01", **data})


def test_the_member_page_cannot_edit_a_membership(client, sam, alices_member, bobs_enterprise):
    client.force_login(sam)
    page = client.get(f"/admin/members/member/{alices_member.pk}/change/").content.decode()
    assert 'name="memberships-0-enterprise"' not in page
    assert 'name="memberships-0-joined_on"' not in page
    assert "transfer, hold, resume or end" in page or "转会、保留、恢复或结束" in page


def test_the_membership_page_does_not_rewrite_enterprise_or_dates(
    client, sam, alices_member, alices_enterprise, bobs_enterprise
):
    client.force_login(sam)
    response = client.post(
        _membership_url(alices_member),
        {
            "enterprise": bobs_enterprise.pk,
            "joined_on": "2010-01-01",
            "action": "resume",
            "on": "2017-11-01",
        },
    )
    assert response.status_code == 200  # resume refused: not held
    current = alices_member.open_membership()
    assert (current.enterprise, current.joined_on) == (alices_enterprise, D(2016, 1, 1))


def test_a_transfer_on_the_membership_page_goes_through_the_service(
    client, sam, alices_member, bobs_enterprise
):
    client.force_login(sam)
    response = _step(client, alices_member, action="transfer", to_enterprise=bobs_enterprise.pk)
    assert response.status_code == 302, response.content.decode()[:3000]
    transfer = Transfer.objects.get()
    assert transfer.recorded_by == sam
    assert transfer.from_membership.end_reason == "transferred"
    assert alices_member.open_membership().enterprise == bobs_enterprise
    assert MembershipEvent.objects.filter(kind="transferred", recorded_by=sam).count() == 1


def test_a_transfer_out_on_the_membership_page_ends_it_and_names_the_outside_union(
    client, sam, alices_member
):
    client.force_login(sam)
    response = _step(client, alices_member, action="transfer_out", external_party="丰台区某工会")
    assert response.status_code == 302, response.content.decode()[:3000]
    assert alices_member.open_membership() is None
    assert Transfer.objects.get().external_party == "丰台区某工会"


def test_hold_and_resume_on_the_membership_page(client, sam, alices_member):
    client.force_login(sam)
    refused = _step(client, alices_member, action="hold")  # no reason
    assert refused.status_code == 200
    assert not Membership.objects.held().exists()
    held = _step(
        client, alices_member, action="hold", hold_reason="retired", hold_level="community"
    )
    assert held.status_code == 302, held.content.decode()[:3000]
    assert Membership.objects.held().get().hold_reason == "retired"
    resumed = client.post(_membership_url(alices_member), {"action": "resume", "on": "2017-12-01"})
    assert resumed.status_code == 302
    assert Membership.objects.standing().count() == 1


def test_an_ending_on_the_membership_page_needs_its_reason_and_is_then_read_only(
    client, sam, alices_member
):
    client.force_login(sam)
    url = _membership_url(alices_member)
    assert _step(client, alices_member, action="end").status_code == 200
    assert alices_member.open_membership() is not None
    assert _step(client, alices_member, action="end", end_reason="deceased").status_code == 302
    ended = Membership.objects.get()
    assert (ended.left_on, ended.end_reason) == (D(2017, 11, 1), "deceased")
    page = client.get(url).content.decode()
    assert 'name="action"' not in page


def test_a_joining_is_the_memberships_add_page(client, sam, alices_member, bobs_enterprise):
    client.force_login(sam)
    _step(client, alices_member, action="end", end_reason="left_street")
    response = client.post(
        "/admin/members/membership/add/",
        {"member": alices_member.pk, "to_enterprise": bobs_enterprise.pk, "on": "2017-12-01"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert alices_member.open_membership().enterprise == bobs_enterprise
    assert alices_member.events.filter(kind="joined", recorded_by=sam).exists()


def test_the_member_form_does_not_change_the_jing_card_or_the_app(client, sam, alices_member):
    alices_member.jingcard_status = JingCard.ACTIVATED
    alices_member.save()
    client.force_login(sam)
    url = f"/admin/members/member/{alices_member.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="jingcard_status"' not in page
    assert f"/admin/members/jingcardchange/add/?member={alices_member.pk}" in page
    client.post(
        url,
        {
            "name": alices_member.name,
            "phone": "",
            "jingcard_status": JingCard.NOT_APPLIED,
            "app_registered_on": "2017-01-01",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "transfers_in-TOTAL_FORMS": "0",
        },
    )
    alices_member.refresh_from_db()
    assert alices_member.jingcard_status == JingCard.ACTIVATED
    assert alices_member.app_registered_on is None


def test_the_app_registration_is_recorded_through_its_service(client, sam, alices_member):
    client.force_login(sam)
    url = f"/admin/members/member/{alices_member.pk}/app/"
    assert client.post(url, {"registered_on": "2018-01-01"}).status_code == 200  # future
    response = client.post(url, {"registered_on": "2017-10-01"})
    assert response.status_code == 302
    alices_member.refresh_from_db()
    assert alices_member.app_registered_on == D(2017, 10, 1)


def test_a_chair_cannot_open_another_communitys_membership(client, bob, alices_member):
    client.force_login(bob)
    assert client.get(_membership_url(alices_member)).status_code in (302, 403, 404)

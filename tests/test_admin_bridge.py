"""The one bridge from an admin page to a service
(chunshu_union.admin_mixins.ServiceAdminMixin), tried through the admin as
staff use it: a record is saved once or not at all, a refusal is an error
on the page, and transfers move the memberships."""

import datetime
import pathlib

import pytest
import time_machine
from django.core.exceptions import ValidationError

from members.models import Membership, Transfer, Verification, VerificationCampaign
from services.models import Handout
from tests.factories import street, welfare_batch

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def in_december_2017():
    with time_machine.travel(datetime.datetime(2017, 12, 20, 10, 0), tick=False):
        yield


@pytest.fixture
def campaign(db):
    return VerificationCampaign.objects.create(
        federation=street(), name="2017年会员信息核准", started_on=datetime.date(2017, 6, 1)
    )


def _verify(client, campaign, member, day="2017-12-01"):
    return client.post(
        "/admin/members/verification/add/",
        {
            "campaign": campaign.pk,
            "member": member.pk,
            "verified_at_0": day,
            "verified_at_1": "09:30:00",
            "note": "",
        },
    )


def test_a_verification_added_in_the_admin_is_saved_once_and_a_retry_is_refused(
    client, sam, alices_member, campaign
):
    """Issue 17: the page said "…already exists" yet saved the record."""
    client.force_login(sam)
    first = _verify(client, campaign, alices_member)
    assert first.status_code == 302, first.content.decode()[:2000]
    assert Verification.objects.count() == 1
    again = _verify(client, campaign, alices_member, day="2017-12-02")
    assert again.status_code == 200
    assert "张三" in again.content.decode()
    assert Verification.objects.count() == 1
    alices_member.refresh_from_db()
    assert alices_member.verified_at.date() == datetime.date(2017, 12, 1)


def test_a_refused_verification_leaves_nothing_behind(client, sam, alices_member, campaign):
    client.force_login(sam)
    before_campaign = _verify(client, campaign, alices_member, day="2017-05-01")
    assert before_campaign.status_code == 200
    assert not Verification.objects.exists()
    alices_member.refresh_from_db()
    assert alices_member.verified_at is None


@pytest.fixture
def batch(db):
    return welfare_batch(quantity=10)


def test_a_write_refused_after_the_check_passed_saves_nothing_and_says_why(
    client, sam, alices_member, batch, monkeypatch
):
    """Someone else got there between the form's check and the write: the
    service writes, then refuses; the whole page's transaction is rolled
    back and the refusal is shown, never a server error."""
    from services import services

    real = services.handout_give
    calls = []

    def refused_the_second_time(**kwargs):
        calls.append(kwargs)
        handout = real(**kwargs)
        if len(calls) == 2:
            raise ValidationError("刚刚已有人发放。", code="already_received")
        return handout

    monkeypatch.setattr(services, "handout_give", refused_the_second_time)
    client.force_login(sam)
    url = "/admin/services/handout/add/"
    data = {"batch": batch.pk, "member": alices_member.pk, "quantity": 1, "handed_on": "2017-12-01"}
    response = client.post(url, data, follow=True)
    assert len(calls) == 2  # the check, then the write
    assert response.redirect_chain == [(url, 302)]
    assert "刚刚已有人发放。" in response.content.decode()
    assert not Handout.objects.exists()
    batch.refresh_from_db()
    assert batch.stock == 10


def test_a_transfer_recorded_in_the_admin_moves_the_membership(
    client, sam, alices_member, bobs_enterprise
):
    """Issue 17: the admin wrote a Transfer row and left the membership open."""
    client.force_login(sam)
    response = client.post(
        "/admin/members/transfer/add/",
        {
            "member": alices_member.pk,
            "to_enterprise": bobs_enterprise.pk,
            "transferred_on": "2017-11-01",
            "reason": "调动",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    transfer = Transfer.objects.get()
    assert transfer.to_membership.enterprise == bobs_enterprise
    assert transfer.from_membership.left_on == datetime.date(2017, 11, 1)
    assert alices_member.open_membership().enterprise == bobs_enterprise
    assert transfer.recorded_by == sam


def test_a_transfer_out_of_the_street_ends_the_membership(client, sam, alices_member):
    client.force_login(sam)
    response = client.post(
        "/admin/members/transfer/add/",
        {
            "member": alices_member.pk,
            "external_party": "西城区另一街道工会",
            "transferred_on": "2017-11-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Transfer.objects.get().external_party == "西城区另一街道工会"
    assert not Membership.objects.filter(member=alices_member, left_on__isnull=True).exists()


def test_a_transfer_naming_no_destination_is_refused_and_nothing_moves(client, sam, alices_member):
    client.force_login(sam)
    response = client.post(
        "/admin/members/transfer/add/",
        {"member": alices_member.pk, "transferred_on": "2017-11-01"},
    )
    assert response.status_code == 200
    assert not Transfer.objects.exists()
    assert alices_member.open_membership() is not None


BRIDGES_REPLACED = ("check_by_running", "__dict__.update", "noqa: E402", "obj.pk =", "_DryRun")


def test_admin_modules_go_through_the_one_bridge():
    """No admin module keeps one of the old ways from a form to a service,
    nor an import halfway down the file."""
    admin_modules = [
        path
        for path in ROOT.glob("*/admin*")
        if path.parts[-2] not in (".venv", "chunshu_union") and "site-packages" not in str(path)
    ]
    files = [f for p in admin_modules for f in ([p] if p.is_file() else p.rglob("*.py"))]
    assert any(f.match("services/admin/welfare.py") for f in files)
    offending = [
        f"{f.relative_to(ROOT)}: {pattern}"
        for f in files
        if f.suffix == ".py"
        for pattern in BRIDGES_REPLACED
        if pattern in f.read_text()
    ]
    assert offending == []


def test_a_service_request_is_made_and_rated_in_the_admin_through_its_service(
    client, sam, alices_enterprise
):
    from services.models import RequestStatus, ServiceOffer, ServiceRequest
    from services.services import service_request_accept, service_request_fulfil

    offer = ServiceOffer.objects.create(name="午间共享圈")
    client.force_login(sam)
    made = client.post(
        "/admin/services/servicerequest/add/",
        {"offer": offer.pk, "enterprise": alices_enterprise.pk, "requested_on": "2017-05-02"},
    )
    assert made.status_code == 302, made.content.decode()[:2000]
    request = ServiceRequest.objects.get()
    assert request.community == alices_enterprise.community  # the service filled it in
    service_request_accept(request=request, by=sam, on=datetime.date(2017, 5, 3))
    service_request_fulfil(request=request, by=sam, on=datetime.date(2017, 5, 10))
    url = f"/admin/services/servicerequest/{request.pk}/change/"
    refused = client.post(url, {"rating": "6", "comment": "很好"})
    assert refused.status_code == 200
    request.refresh_from_db()
    assert request.rating is None
    assert client.post(url, {"rating": "5", "comment": "很好"}).status_code == 302
    request.refresh_from_db()
    assert (request.status, request.rating, request.comment) == (
        RequestStatus.FULFILLED,
        5,
        "很好",
    )

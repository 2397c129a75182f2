"""The chair (or staff) decides; the members service opens the membership;
the applicant is told by SMS and can look the state up (issue 19)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from chunshu_union.quarters import Quarter
from joining import services
from joining.models import ApplicationState, JoinApplication
from members.models import Member, Membership
from members.selectors import membership_flows_for_quarter
from tests.factories import MembershipFactory, id_number

from .conftest import form_data, post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("morning")]


@pytest.fixture
def application(client, link, alices_enterprise):
    post(client, f"/join/{link.code}/", form_data(alices_enterprise))
    return JoinApplication.objects.get()


def test_the_chair_approves_and_the_person_becomes_a_member_told_by_sms(
    client, alice, application, alices_enterprise, sms_file, django_capture_on_commit_callbacks
):
    quarter = Quarter.current()
    joined_before = membership_flows_for_quarter(quarter)["joined"]
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/portal/joining/{application.pk}/approve/")
    assert response.status_code == 302
    member = Member.objects.with_id_number(application.id_number).get()
    assert member.name == "王小明" and member.phone == "13912345678"
    assert (
        Membership.objects.get(member=member, left_on__isnull=True).enterprise == alices_enterprise
    )
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED and application.decided_by == alice
    assert membership_flows_for_quarter(quarter)["joined"] == joined_before + 1
    [sms] = sms_file()
    assert sms["phone"] == "13912345678" and application.reference in sms["text"]
    assert "已通过" in sms["text"]


def test_a_refusal_needs_a_reason_which_the_applicant_reads(
    client, alice, application, sms_file, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    client.post(f"/portal/joining/{application.pk}/refuse/", {"reason": ""})
    application.refresh_from_db()
    assert application.state == ApplicationState.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/portal/joining/{application.pk}/refuse/", {"reason": "请先在单位签订劳动合同"}
        )
    application.refresh_from_db()
    assert application.state == ApplicationState.REFUSED
    [sms] = sms_file()
    assert "请先在单位签订劳动合同" in sms["text"]
    status = post(
        client, "/join/status/", {"reference": application.reference, "phone": "13912345678"}
    )
    assert (
        "未通过" in status.content.decode() and "请先在单位签订劳动合同" in status.content.decode()
    )


def test_another_communitys_chair_gets_a_404(client, bob, application):
    client.force_login(bob)
    assert client.get(f"/portal/joining/{application.pk}/").status_code == 404
    assert client.post(f"/portal/joining/{application.pk}/approve/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.application_approve(application=application, by=bob)
    application.refresh_from_db()
    assert application.state == ApplicationState.PENDING


def test_an_application_is_decided_once(alice, application):
    services.application_approve(application=application, by=alice)
    with pytest.raises(ValidationError, match="已经处理"):
        services.application_refuse(application=application, by=alice, reason="重复")
    assert Membership.objects.count() == 1


def test_a_person_who_joined_meanwhile_is_not_given_a_second_membership(
    alice, application, alices_enterprise
):
    member = Member(name="王小明")
    member.id_number = application.id_number
    member.save()
    MembershipFactory(member=member, enterprise=alices_enterprise)
    with pytest.raises(ValidationError):
        services.application_approve(application=application, by=alice)
    assert Membership.objects.filter(member=member).count() == 1


def test_staff_record_a_lead_and_the_applicant_reads_what_comes_next(client, sam, link):
    post(client, f"/join/{link.code}/", form_data(None))
    application = JoinApplication.objects.get()
    client.force_login(sam)
    client.post(
        f"/admin/joining/joinapplication/{application.pk}/decide/lead/", {"reason": "餐饮，30人"}
    )
    application.refresh_from_db()
    assert application.state == ApplicationState.LEAD
    client.logout()
    page = post(
        client, "/join/status/", {"reference": application.reference, "phone": "13912345678"}
    ).content.decode()
    assert "建立工会" in page


def test_the_status_needs_the_right_code_and_phone_and_says_nothing_else(client, application):
    right = post(
        client, "/join/status/", {"reference": application.reference, "phone": "13912345678"}
    )
    assert "等待审核" in right.content.decode()
    for reference, phone in ((application.reference, "13900000000"), ("ZZZZZZZZ", "13912345678")):
        page = post(client, "/join/status/", {"reference": reference, "phone": phone})
        assert "没有与该编号和手机号相符的申请" in page.content.decode()
        assert "王小明" not in page.content.decode()


@override_settings(JOIN_LOOKUPS_PER_ADDRESS_PER_HOUR=2)
def test_guessing_reference_codes_is_stopped(client, application):
    codes = [
        post(client, "/join/status/", {"reference": f"AAAA{n:04d}", "phone": "13912345678"})
        for n in range(3)
    ]
    assert [c.status_code for c in codes] == [200, 200, 429]


def test_the_chairs_list_shows_whats_waiting(client, alice, application):
    client.force_login(alice)
    page = client.get("/portal/joining/").content.decode()
    assert application.reference in page and "王小明" in page
    assert id_number(4321) not in page


def test_decided_applications_are_deleted_after_the_keeping_time_and_waiting_ones_kept(
    client, alice, application, link, alices_enterprise, settings
):
    import datetime

    from django.utils import timezone

    from joining.tasks import purge

    services.application_refuse(application=application, by=alice, reason="不符合条件")
    post(client, f"/join/{link.code}/", form_data(alices_enterprise, id_number=id_number(555)))
    JoinApplication.objects.filter(pk=application.pk).update(
        decided_at=timezone.now() - datetime.timedelta(days=settings.JOIN_KEEP_DAYS + 1)
    )
    assert purge.apply().get() == 1
    assert list(JoinApplication.objects.values_list("state", flat=True)) == ["pending"]

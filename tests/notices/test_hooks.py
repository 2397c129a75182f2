"""What sends notices (issue 19): a transfer request's decision and a
finished roster import to the chair, an aid case's steps to the chair who
submitted it, the quarter's declaration reminders to enterprises' union
chairs; and the chair's notice list."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts import roles
from accounts.models import Role
from members.models import TransferRequest
from notices.models import Channel, Notice, State
from services.services import aid_approve, aid_pay, aid_review, aid_submit
from tests.factories import EnterpriseFactory, user
from tests.members.test_roster_trust import ALICES, confirm, row_for, upload

from .conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_uploads")]


def inbox(user):
    return [n.body for n in Notice.objects.inbox(user)]


def test_the_chair_hears_that_her_import_finished_and_how_staff_decided_her_transfer(
    client, alice, sam, alices_enterprise, bobs_member, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    rows = [row_for(bobs_member, ALICES, 姓名="李四", 联系电话="13912345678")]
    batch = confirm(
        client,
        upload(client, rows, django_capture_on_commit_callbacks),
        django_capture_on_commit_callbacks,
    )
    assert any("已导入" in body and batch.filename in body for body in inbox(alice))
    request = TransferRequest.objects.get()
    client.force_login(sam)
    client.post(
        reverse("admin:members_transferrequest_decide", args=[request.pk, "refuse"]),
        {"reason": "李四仍在原单位工作"},
    )
    request.refresh_from_db()
    assert request.state == TransferRequest.State.REFUSED
    assert any("未通过" in body and "李四仍在原单位工作" in body for body in inbox(alice))
    client.force_login(alice)
    page = client.get("/portal/notices/").content.decode()
    assert "李四仍在原单位工作" in page


def _aid_staff(name):
    person = user(name, Role.STAFF)
    person.groups.add(roles.group(roles.STAFF_GROUP), roles.group(roles.AID_GROUP))
    return person


def test_the_chair_who_submitted_an_aid_case_hears_each_step_and_nothing_of_the_case(
    alice, alices_member
):
    case = aid_submit(
        by=alice,
        member=alices_member,
        applied_on=datetime.date(2017, 3, 1),
        reason="家人重病住院",
        amount_requested=Decimal("2000.00"),
    )
    ben, cat, dan = map(_aid_staff, ("ben", "cat", "dan"))
    aid_review(case=case, by=ben)
    aid_approve(case=case, by=cat, amount=Decimal("1500.00"))
    aid_pay(case=case, by=dan, paid_on=datetime.date(2017, 3, 10))
    bodies = inbox(alice)
    assert len(bodies) == 3
    assert all(f"第{case.pk}号" in body for body in bodies)
    assert not any("重病" in body or "1500" in body for body in bodies)


def test_staff_review_the_undeclared_and_remind_their_chairs_once(
    client, sam, community1, sms_file
):
    phoned = EnterpriseFactory(
        name="北京未申报一号有限公司", community=community1, union_chair_phone="13700001111"
    )
    silent = EnterpriseFactory(
        name="北京未申报二号有限公司", community=community1, union_chair_phone=""
    )
    with at(10, day=20):  # eleven days before the quarter's end: listed, not yet sent
        client.force_login(sam)
        early = client.get("/admin/reminders/").content.decode()
        assert phoned.name in early and silent.name in early
        client.post("/admin/reminders/", {"enterprises": [phoned.pk]})
        assert not Notice.objects.exists()
    with at(10, day=26):
        client.force_login(sam)
        client.post("/admin/reminders/", {"enterprises": [phoned.pk]})
        client.post("/admin/reminders/", {"enterprises": [phoned.pk]})  # a second click
        notice = Notice.objects.get()
        assert notice.channel == Channel.SMS and notice.recipient_label == "137****1111"
        from notices.tasks import send_notice

        send_notice.apply(args=[notice.pk])
    [line] = sms_file()
    assert "北京未申报一号有限公司" in line["text"] and "2026-12-31" in line["text"]
    notice.refresh_from_db()
    assert notice.state == State.SENT


def test_chairs_may_not_open_the_reminders_page(client, alice):
    client.force_login(alice)
    assert client.get("/admin/reminders/").status_code in (302, 403)


def test_a_chair_sees_only_her_own_notices(client, alice, bob):
    from notices.services import notify

    notify(kind="join_waiting", key="a", context={"reference": "RALICE", "where": "x"}, user=alice)
    notify(kind="join_waiting", key="b", context={"reference": "RBOB", "where": "y"}, user=bob)
    client.force_login(alice)
    page = client.get("/portal/notices/").content.decode()
    assert "RALICE" in page and "RBOB" not in page
    bobs = Notice.objects.get(recipient_user=bob)
    assert client.post(f"/portal/notices/{bobs.pk}/read/").status_code == 404
    mine = Notice.objects.get(recipient_user=alice)
    client.post(f"/portal/notices/{mine.pk}/read/")
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_staff_see_the_record_of_every_notice_in_the_admin(client, sam, alice):
    from notices.services import notify

    notify(kind="join_waiting", key="a", context={"reference": "RALICE", "where": "x"}, user=alice)
    client.force_login(sam)
    page = client.get("/admin/notices/notice/").content.decode()
    assert "alice" in page
    client.force_login(alice)
    assert client.get("/admin/notices/notice/").status_code in (302, 403)

"""The staff admin: every page opens, refusals come back as Chinese form
errors, aid pages exist only for aid staff, and every aid view is logged."""

import datetime
from decimal import Decimal

import pytest

from accounts.models import AccessLog
from services.models import AidCase, AidStatus, Handout, Visit, WelfareBatch, WelfareItem
from services.services import aid_submit, visit_record
from tests.factories import street, training, welfare_batch

PAGES = [
    "assignment",
    "visit",
    "finding",
    "welfareitem",
    "welfarebatch",
    "handout",
    "event",
    "serviceoffer",
    "servicerequest",
]


@pytest.mark.parametrize("model", PAGES)
def test_staff_open_every_services_list_and_add_page(client, sam, alices_enterprise, model):
    client.force_login(sam)
    assert client.get(f"/admin/services/{model}/").status_code == 200
    if model != "finding":
        assert client.get(f"/admin/services/{model}/add/").status_code == 200


@pytest.fixture
def case(ann, alices_member):
    """An aid case ann submitted for alice's member."""
    return aid_submit(
        by=ann,
        member=alices_member,
        applied_on=datetime.date(2017, 3, 1),
        reason="病",
        amount_requested=Decimal("1000"),
    )


def _apply_in_the_admin(client, member, *, amount: str):
    """The aid case add form posted for `member`, asking for `amount`."""
    return client.post(
        "/admin/services/aidcase/add/",
        {
            "member": member.pk,
            "applied_on": "2017-03-01",
            "reason": "家人重病",
            "amount_requested": amount,
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
        },
    )


def test_aid_pages_are_hidden_from_staff_without_the_permission(client, sam, case):
    client.force_login(sam)
    assert client.get("/admin/services/aidcase/").status_code == 403
    assert client.get(f"/admin/services/aidcase/{case.pk}/change/").status_code in (302, 403)
    assert "aidcase" not in client.get("/admin/").content.decode()


def test_aid_staff_open_a_case_and_the_view_is_logged(client, ann, alices_member, case):
    client.force_login(ann)
    assert client.get("/admin/services/aidcase/").status_code == 200
    page = client.get(f"/admin/services/aidcase/{case.pk}/change/")
    assert page.status_code == 200
    assert alices_member.id_masked in page.content.decode()
    assert AccessLog.objects.filter(
        user=ann, action=AccessLog.Action.VIEW_AID, object_id=str(case.pk)
    ).exists()


def test_the_aid_steps_through_the_admin_refuse_the_same_person(
    client, ann, ben, cat, alices_member
):
    client.force_login(ann)
    response = _apply_in_the_admin(client, alices_member, amount="2000")
    assert response.status_code == 302, response.content.decode()[:2000]
    case = AidCase.objects.get()
    client.force_login(ben)
    assert (
        client.post(f"/admin/services/aidcase/{case.pk}/step/review/", {"note": "属实"}).status_code
        == 302
    )
    refused = client.post(f"/admin/services/aidcase/{case.pk}/step/approve/", {"amount": "1500"})
    assert refused.status_code == 200
    assert "不同" in refused.content.decode()
    client.force_login(cat)
    client.post(f"/admin/services/aidcase/{case.pk}/step/approve/", {"amount": "1500"})
    case.refresh_from_db()
    assert case.status == AidStatus.APPROVED and case.amount_approved == Decimal("1500.00")


def test_a_cap_exceeded_in_the_admin_is_a_form_error_not_a_traceback(
    client, settings, ann, alices_member
):
    settings.AID_MAX_PER_CASE = Decimal("3000")
    client.force_login(ann)
    response = _apply_in_the_admin(client, alices_member, amount="9000")
    assert response.status_code == 200
    assert "3000" in response.content.decode()
    assert not AidCase.objects.exists()


def test_a_second_handout_in_the_admin_is_a_form_error(client, sam, alices_member):
    item = WelfareItem.objects.create(name="清凉包")
    batch = WelfareBatch.objects.create(
        federation=street(),
        item=item,
        name="2017送清凉",
        campaign="coolness",
        received_on=datetime.date(2017, 7, 1),
        quantity=10,
        stock=10,
    )
    client.force_login(sam)
    data = {"batch": batch.pk, "member": alices_member.pk, "quantity": 1, "handed_on": "2017-07-10"}
    assert client.post("/admin/services/handout/add/", data).status_code == 302
    again = client.post("/admin/services/handout/add/", data)
    assert again.status_code == 200
    assert "张三" in again.content.decode()
    assert Handout.objects.count() == 1
    batch.refresh_from_db()
    assert batch.stock == 9


def test_staff_record_a_visit_in_the_admin(client, sam, alices_enterprise):
    client.force_login(sam)
    response = client.post(
        "/admin/services/visit/add/",
        {
            "visitor": sam.pk,
            "visited_on": "2017-05-08",
            "enterprise": alices_enterprise.pk,
            "summary": "走访",
            "findings-TOTAL_FORMS": "1",
            "findings-INITIAL_FORMS": "0",
            "findings-0-kind": "hot_issue",
            "findings-0-description": "职工午餐难",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    visit = Visit.objects.get()
    assert visit.community == alices_enterprise.community and visit.recorded_by == sam
    assert visit.findings.get().description == "职工午餐难"


def test_the_two_twos_page_names_who_is_behind(client, sam, alices_enterprise):
    visit_record(by=sam, visited_on=datetime.date(2017, 12, 18), enterprise=alices_enterprise)
    client.force_login(sam)
    page = client.get("/admin/services/visit/two-twos/?quarter=2017Q4")
    assert page.status_code == 200
    text = page.content.decode()
    assert "2017年第4季度" in text and "sam" in text
    assert client.get("/admin/services/visit/two-twos/?quarter=garbage").status_code == 200


def test_a_finding_closed_before_its_visit_is_a_form_error(client, sam, alices_enterprise):
    from services.models import FindingKind

    visit = visit_record(
        by=sam,
        visited_on=datetime.date(2017, 5, 8),
        enterprise=alices_enterprise,
        findings=((FindingKind.LABOUR, "欠薪"),),
    )
    finding = visit.findings.get()
    client.force_login(sam)
    url = f"/admin/services/finding/{finding.pk}/change/"
    data = {
        "kind": "labour",
        "description": "欠薪",
        "follow_up": "已解决",
        "closed_on": "2017-05-01",
    }
    assert client.post(url, data).status_code == 200
    finding.refresh_from_db()
    assert finding.closed_on is None
    data["closed_on"] = "2017-05-20"
    assert client.post(url, data).status_code == 302
    finding.refresh_from_db()
    assert finding.closed_on == datetime.date(2017, 5, 20)


def test_staff_import_a_sign_off_sheet_in_the_admin_and_undo_it(
    client, sam, alices_member, tmp_path, django_capture_on_commit_callbacks
):
    from chunshu_union.imports.models import State
    from services.models import SheetImport
    from tests.factories import id_number
    from tests.import_flow import act, job_url, upload

    capture = django_capture_on_commit_callbacks
    batch = welfare_batch()
    number = alices_member.id_number
    client.force_login(sam)
    start = client.get(f"/admin/services/welfarebatch/{batch.pk}/import/")
    assert start["Location"] == f"/admin/services/sheetimport/add/?welfare_batch={batch.pk}"
    form = client.get(start["Location"]).content.decode()
    assert f'<option value="{batch.pk}" selected>' in form
    bad = tmp_path / "bad.csv"
    bad.write_text(f"姓名,身份证号\n李逵,{number}\n王五,{id_number(4321)}\n", "utf-8-sig")
    job = upload(client, capture, SheetImport, bad, welfare_batch=batch.pk, handed_on="2017-01-20")
    text = client.get(job_url(job)).content.decode()
    assert job.state == State.PREVIEWED and job.invalid == 2
    assert "张三" in text and "没有这个身份证号" in text
    act(client, capture, job, "confirm")
    assert job.state == State.PREVIEWED and not Handout.objects.exists()
    good = tmp_path / "good.csv"
    good.write_text(f"姓名,身份证号\n张三,{number}\n", "utf-8-sig")
    job = upload(client, capture, SheetImport, good, welfare_batch=batch.pk, handed_on="2017-01-20")
    assert "张三" in client.get(job_url(job) + "rows/new/").content.decode()
    assert not Handout.objects.exists()  # a preview writes nothing
    act(client, capture, job, "confirm")
    assert job.state == State.COMMITTED
    assert Handout.objects.get().member == alices_member
    batch.refresh_from_db()
    assert batch.stock == 4
    act(client, capture, job, "undo")
    batch.refresh_from_db()
    assert job.state == State.UNDONE and not Handout.objects.exists() and batch.stock == 5


def test_a_sign_in_sheet_import_is_undone_to_the_registrations_it_found(
    client, sam, alices_member, tmp_path, django_capture_on_commit_callbacks
):
    from chunshu_union.imports.models import State
    from services.models import Attendance, SheetImport
    from tests.factories import MembershipFactory
    from tests.import_flow import act, upload

    capture = django_capture_on_commit_callbacks
    event = training()
    registered = Attendance.objects.create(event=event, member=alices_member, attended=False)
    walk_in = MembershipFactory(enterprise=alices_member.memberships.get().enterprise).member
    sheet = tmp_path / "sign-in.csv"
    sheet.write_text(
        f"姓名,身份证号\n{alices_member.name},{alices_member.id_number}\n"
        f"{walk_in.name},{walk_in.id_number}\n",
        "utf-8-sig",
    )
    client.force_login(sam)
    job = upload(client, capture, SheetImport, sheet, event=event.pk)
    assert (job.created, job.updated) == (1, 1)
    act(client, capture, job, "confirm")
    assert job.state == State.COMMITTED and Attendance.objects.filter(attended=True).count() == 2
    act(client, capture, job, "undo")
    assert list(Attendance.objects.values_list("pk", "attended")) == [(registered.pk, False)]


def test_another_street_cannot_attach_a_sheet_to_this_streets_batch(db, client, tmp_path):
    from accounts import roles
    from accounts.models import Role
    from services.models import SheetImport
    from tests.factories import another_street, user

    batch = welfare_batch()
    dora = user("dora", Role.STAFF, federation=another_street().federation)
    dora.groups.add(roles.group(roles.STAFF_GROUP))
    client.force_login(dora)
    sheet = tmp_path / "s.csv"
    sheet.write_text("姓名,身份证号\n", "utf-8-sig")
    with open(sheet, "rb") as handle:
        page = client.post(
            "/admin/services/sheetimport/add/", {"file": handle, "welfare_batch": batch.pk}
        )
    assert page.status_code == 200 and not SheetImport.objects.exists()
    assert client.get(f"/admin/services/welfarebatch/{batch.pk}/import/").status_code == 404


def test_an_events_page_offers_the_sign_in_sheet_import(client, sam):

    event = training()
    client.force_login(sam)
    change = client.get(f"/admin/services/event/{event.pk}/change/").content.decode()
    assert "导入签到表" in change and f'href="/admin/services/event/{event.pk}/import/"' in change
    start = client.get(f"/admin/services/event/{event.pk}/import/")
    assert start["Location"] == f"/admin/services/sheetimport/add/?event={event.pk}"
    assert client.get(start["Location"]).status_code == 200

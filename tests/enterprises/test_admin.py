"""The staff admin, as staff use it."""

import datetime

from accounts.models import AccessLog
from enterprises.models import Enterprise, EnterpriseStatus, Status
from tests.factories import credit_code, id_number


def test_staff_find_an_enterprise_by_its_credit_code(
    client, sam, alices_enterprise, bobs_enterprise
):
    client.force_login(sam)
    page = client.get(
        "/admin/enterprises/enterprise/", {"q": alices_enterprise.credit_code}
    ).content.decode()
    assert alices_enterprise.name in page and bobs_enterprise.name not in page


def test_staff_filter_enterprises_by_community(client, sam, alices_enterprise, bobs_enterprise):
    client.force_login(sam)
    page = client.get(
        "/admin/enterprises/enterprise/", {"community__id__exact": bobs_enterprise.community_id}
    ).content.decode()
    assert bobs_enterprise.name in page and alices_enterprise.name not in page


def test_the_enterprise_page_shows_its_members_masked_and_its_history(client, sam, alices_member):
    enterprise = alices_member.memberships.get().enterprise
    EnterpriseStatus.objects.create(
        enterprise=enterprise, status=Status.ACTIVE, effective_on=datetime.date(2015, 1, 1)
    )
    client.force_login(sam)
    page = client.get(f"/admin/enterprises/enterprise/{enterprise.pk}/change/").content.decode()
    assert "张三" in page and alices_member.id_masked in page
    assert alices_member.id_number not in page


def test_a_bad_credit_code_is_refused_in_chinese_in_the_admin(client, sam, community1):
    client.force_login(sam)
    code = credit_code(5)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    response = client.post(
        "/admin/enterprises/enterprise/add/",
        {
            "name": "北京错误代码有限公司",
            "credit_code": wrong,
            "community": community1.pk,
            "ownership": "non_public",
            "headcount": 10,
            "status_history-TOTAL_FORMS": 0,
            "status_history-INITIAL_FORMS": 0,
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "校验" in response.content.decode()
    assert not Enterprise.objects.filter(name="北京错误代码有限公司").exists()


def test_a_status_change_added_in_the_admin_is_appended_and_becomes_current(
    client, sam, alices_enterprise
):
    client.force_login(sam)
    response = client.post(
        f"/admin/enterprises/enterprise/{alices_enterprise.pk}/change/",
        {
            "name": alices_enterprise.name,
            "credit_code": alices_enterprise.credit_code,
            "community": alices_enterprise.community_id,
            "ownership": "non_public",
            "headcount": 20,
            "union_founded_on": "2015-01-01",
            "status_history-TOTAL_FORMS": 1,
            "status_history-INITIAL_FORMS": 0,
            "status_history-0-status": "moved_out",
            "status_history-0-effective_on": "2017-06-30",
            "status_history-0-reason": "迁至丰台区",
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    alices_enterprise.refresh_from_db()
    assert alices_enterprise.status == Status.MOVED_OUT
    entry = alices_enterprise.status_history.get()
    assert entry.recorded_by == sam and entry.reason == "迁至丰台区"


def test_status_history_cannot_be_rewritten(alices_enterprise):
    import pytest
    from django.core.exceptions import ValidationError

    entry = EnterpriseStatus.objects.create(
        enterprise=alices_enterprise, status=Status.ACTIVE, effective_on=datetime.date(2015, 1, 1)
    )
    entry.reason = "changed"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()


def test_member_list_masks_ids_and_phones(client, sam, alices_member):
    client.force_login(sam)
    page = client.get("/admin/members/member/").content.decode()
    assert alices_member.id_masked in page and alices_member.id_number not in page
    assert "138****8000" in page and "13800138000" not in page


def test_a_full_id_number_finds_the_member_through_the_digest(
    client, sam, alices_member, bobs_member
):
    """Posted, never in a URL (tests/members/test_roster_trust.py has the rest)."""
    client.force_login(sam)
    response = client.post(
        "/admin/members/member/find/", {"id_number": alices_member.id_number.lower()}
    )
    assert response["Location"] == f"/admin/members/member/{alices_member.pk}/change/"


def test_the_member_page_shows_the_number_in_clear_and_logs_it(client, sam, alices_member):
    client.force_login(sam)
    page = client.get(f"/admin/members/member/{alices_member.pk}/change/").content.decode()
    assert alices_member.id_number in page
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.object_id) == (sam, "unmask", str(alices_member.pk))
    assert alices_member.id_number not in log.detail


def test_staff_add_a_member_with_a_valid_id_and_a_bad_one_is_refused(client, sam):
    from members.models import Member

    client.force_login(sam)
    form = {
        "name": "王五",
        "phone": "+86 138-0013-8000",
        "jingcard_status": "not_applied",
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
        "transfers-TOTAL_FORMS": 0,
        "transfers-INITIAL_FORMS": 0,
    }
    bad = client.post(
        "/admin/members/member/add/", {**form, "id_number_input": "110105194912310021"}
    )
    assert bad.status_code == 200 and "校验" in bad.content.decode()
    good = client.post("/admin/members/member/add/", {**form, "id_number_input": id_number(77)})
    assert good.status_code == 302, good.content.decode()[:3000]
    member = Member.objects.get(name="王五")
    assert member.phone == "13800138000" and member.id_number == id_number(77)


def test_nothing_can_be_deleted_from_the_admin(client, sam, alices_member):
    enterprise = alices_member.memberships.get().enterprise
    client.force_login(sam)
    for url in (
        f"/admin/members/member/{alices_member.pk}/delete/",
        f"/admin/enterprises/enterprise/{enterprise.pk}/delete/",
    ):
        assert client.post(url, {"post": "yes"}).status_code == 403
    assert alices_member.__class__.objects.filter(pk=alices_member.pk).exists()

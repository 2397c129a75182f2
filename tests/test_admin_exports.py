"""The admin's "Export" button (chunshu_union.admin_exports), through the
admin itself: tina is staff of Chunshu street, dora staff of another street;
sam (street staff bound to no street) sees every street; nina is staff with
the right to view enterprises and nothing else."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse

from accounts import roles
from accounts.models import AccessLog, Role
from accounts.services import access_log_admin_export
from chunshu_union import access
from chunshu_union.admin_exports import export_made
from enterprises.models import AffairsDisclosure, CollectiveAgreement, WorkerCongress

from .factories import (
    EnterpriseFactory,
    MembershipFactory,
    another_street,
    community,
    one_handed_out,
    street,
    user,
)

XLSX, CSV = "0", "1"  # the format choices, in the order the export form offers them

ENTERPRISE_EXPORT = "admin:enterprises_enterprise_export"


def _staff(name, federation=None, *, rights=True):
    person = user(name, Role.STAFF, federation=federation)
    if rights:
        person.groups.add(roles.group(roles.STAFF_GROUP))
    return person


@pytest.fixture
def tina(db):
    return _staff("tina", street())


@pytest.fixture
def elsewhere(db):
    """The one community of another street."""
    return another_street()


@pytest.fixture
def dora(elsewhere):
    return _staff("dora", elsewhere.federation)


@pytest.fixture
def nina(db):
    person = _staff("nina", street(), rights=False)
    person.user_permissions.add(Permission.objects.get(codename="view_enterprise"))
    return person


@pytest.fixture
def enterprises(elsewhere):
    """Two of Chunshu's communities and one of another street."""
    return {
        "first": EnterpriseFactory(
            name="北京椿树一号科技有限公司",
            community=community(1),
            union_chair="王芳",
            union_chair_phone="13812345678",
        ),
        "second": EnterpriseFactory(name="北京红线二号商贸有限公司", community=community(2)),
        "elsewhere": EnterpriseFactory(name="大栅栏三号有限公司", community=elsewhere),
    }


def export(client, who, name=ENTERPRISE_EXPORT, *, file_format=XLSX, query=""):
    client.force_login(who)
    return client.post(reverse(name) + query, {"format": file_format, "resource": "0"})


def rows(response) -> list[list]:
    """The sheet, header first, whichever format it came in."""
    if response["Content-Type"].startswith("text/csv"):
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in line] for line in sheet.iter_rows()]


def column(response, header: str) -> list:
    table = rows(response)
    at = table[0].index(header)
    return [line[at] for line in table[1:]]


# --- Scope ----------------------------------------------------------------------


def test_tina_exports_her_streets_enterprises_and_none_of_another_street(client, tina, enterprises):
    response = export(client, tina)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    names = column(response, "名称")
    assert set(names) == {"北京椿树一号科技有限公司", "北京红线二号商贸有限公司"}


def test_dora_exports_only_her_own_street(client, dora, enterprises):
    assert column(export(client, dora), "名称") == ["大栅栏三号有限公司"]


def test_the_export_keeps_the_changelists_filter_and_search(client, tina, enterprises):
    one = f"?community__id__exact={community(1).pk}"
    assert column(export(client, tina, query=one), "名称") == ["北京椿树一号科技有限公司"]
    assert column(export(client, tina, query="?q=红线"), "名称") == ["北京红线二号商贸有限公司"]


def test_a_filter_for_another_streets_community_exports_nothing(client, tina, enterprises):
    elsewhere = enterprises["elsewhere"].community_id
    response = export(client, tina, query=f"?community__id__exact={elsewhere}")
    assert "大栅栏三号有限公司" not in str(rows(response))


# --- Who may ------------------------------------------------------------------


def test_nina_who_may_view_enterprises_exports_them_but_not_the_registers(
    client, nina, enterprises
):
    assert export(client, nina).status_code == 200
    client.force_login(nina)
    agreements = reverse("admin:enterprises_collectiveagreement_export")
    assert client.get(agreements).status_code == 403
    assert export(client, nina, "admin:enterprises_collectiveagreement_export").status_code == 403
    assert not AccessLog.objects.filter(object_type="enterprises.collectiveagreement").exists()


def test_staff_without_any_right_get_403_and_no_file(client, enterprises):
    idle = _staff("idle", street(), rights=False)
    response = export(client, idle)
    assert response.status_code == 403
    assert "attachment" not in response.get("Content-Disposition", "")


def test_a_chair_is_sent_to_the_admins_sign_in(client, alice, enterprises):
    response = export(client, alice)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_list_offers_export_and_no_import(client, tina, enterprises):
    client.force_login(tina)
    page = client.get(reverse("admin:enterprises_enterprise_changelist")).content.decode()
    assert reverse(ENTERPRISE_EXPORT) in page
    assert "/import/" not in page
    with pytest.raises(NoReverseMatch):
        reverse("admin:enterprises_enterprise_import")


def test_only_xlsx_and_csv_are_offered(client, tina, enterprises):
    client.force_login(tina)
    form = client.get(reverse(ENTERPRISE_EXPORT)).context["form"]
    assert [label for value, label in form.fields["format"].choices if value] == ["xlsx", "csv"]
    assert export(client, tina, file_format="2").get("Content-Disposition") is None


# --- Logged -------------------------------------------------------------------


def test_every_export_is_in_the_access_log(client, tina, enterprises):
    export(client, tina)
    export(client, tina, file_format=CSV, query=f"?community__id__exact={community(1).pk}")
    logged = AccessLog.objects.filter(user=tina, action=AccessLog.Action.EXPORT).order_by("pk")
    assert [(e.object_type, e.detail) for e in logged] == [
        ("enterprises.enterprise", "admin export: 2 rows, xlsx"),
        ("enterprises.enterprise", "admin export: 1 rows, csv"),
    ]


def test_an_export_nobody_would_log_is_not_made(client, tina, enterprises):
    export_made.disconnect(dispatch_uid="accounts.admin_export")
    try:
        client.raise_request_exception = False
        assert export(client, tina).status_code == 500
    finally:
        export_made.connect(access_log_admin_export, dispatch_uid="accounts.admin_export")


# --- Masked -------------------------------------------------------------------


def test_staff_entitled_to_personal_data_get_the_union_chairs_phone(client, tina, enterprises):
    assert "13812345678" in column(export(client, tina), "工会主席电话")


def test_staff_not_entitled_get_it_masked_in_both_formats(client, tina, enterprises, monkeypatch):
    monkeypatch.setattr(access, "can_see_personal_data", lambda user: False)
    for file_format in (XLSX, CSV):
        response = export(client, tina, file_format=file_format)
        assert "138****5678" in column(response, "工会主席电话")
        assert "13812345678" not in response.content.decode("utf-8", "replace")


# --- Safe cells and Chinese headers -------------------------------------------


@pytest.fixture
def hostile(db):
    return EnterpriseFactory(
        name='=HYPERLINK("http://evil.example","点击")',
        community=community(1),
        union_chair="＠SUM(1+1)",
        union_chair_phone="",
    )


def test_a_formula_in_a_cell_is_text_in_xlsx(client, tina, hostile):
    response = export(client, tina)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = {cell.value: cell for line in sheet.iter_rows() for cell in line}
    name = cells['=HYPERLINK("http://evil.example","点击")']
    assert name.data_type == "s"  # kept exactly as typed, but never run
    assert cells["＠SUM(1+1)"].data_type == "s"
    assert not [c for c in cells.values() if c.data_type == "f"]


def test_a_formula_in_a_cell_gets_an_apostrophe_in_csv(client, tina, hostile):
    response = export(client, tina, file_format=CSV)
    assert column(response, "名称") == ['\'=HYPERLINK("http://evil.example","点击")']
    assert column(response, "工会主席") == ["'＠SUM(1+1)"]


def test_headers_are_chinese_and_values_are_readable(client, tina, enterprises):
    table = rows(export(client, tina, query=f"?community__id__exact={community(1).pk}"))
    assert table[0] == [
        "名称", "统一社会信用代码", "社区", "楼宇", "所有制", "职工人数", "会员",
        "建会日期", "工会主席", "工会主席电话", "状态",
    ]  # fmt: skip
    line = dict(zip(table[0], table[1], strict=True))
    assert line["社区"] == community(1).name  # a related row by its name, not its id
    assert line["状态"] == "正常"  # a choice by its label
    assert line["职工人数"] == 20  # a number stays a number
    assert line["建会日期"] == datetime.datetime(2015, 1, 1)  # a date stays a date


# --- The registers --------------------------------------------------------------


@pytest.fixture
def registers(enterprises):
    day = datetime.date(2017, 3, 1)
    here, there = enterprises["first"], enterprises["elsewhere"]
    for enterprise in (here, there):
        agreement = CollectiveAgreement.objects.create(
            federation=enterprise.community.federation,
            scope="enterprise",
            title=f"{enterprise.name}工资协议",
            signed_on=day,
            starts_on=day,
            ends_on=datetime.date(2019, 12, 31),
            is_demonstration=True,
        )
        agreement.enterprises.add(enterprise)
        WorkerCongress.objects.create(
            scope="enterprise",
            community=enterprise.community,
            enterprise=enterprise,
            name=f"{enterprise.name}职代会",
            established_on=day,
        )
        AffairsDisclosure.objects.create(
            enterprise=enterprise, disclosed_on=day, topic=f"{enterprise.name}公开"
        )


@pytest.mark.parametrize("model", ["collectiveagreement", "workercongress", "affairsdisclosure"])
def test_tina_exports_each_register_of_her_street_only(client, tina, registers, model):
    response = export(client, tina, f"admin:enterprises_{model}_export", file_format=CSV)
    text = response.content.decode("utf-8-sig")
    assert "北京椿树一号科技有限公司" in text
    assert "大栅栏三号有限公司" not in text
    assert AccessLog.objects.filter(user=tina, object_type=f"enterprises.{model}").count() == 1


def test_an_agreement_lists_its_enterprises_by_name_and_says_yes_in_chinese(
    client, tina, registers
):
    response = export(client, tina, "admin:enterprises_collectiveagreement_export")
    table = rows(response)
    line = dict(zip(table[0], table[1], strict=True))
    assert "北京椿树一号科技有限公司" in line.values()
    assert "是" in line.values()


# --- Welfare and events -----------------------------------------------------------


@pytest.fixture
def services_of_two_streets(enterprises, tina):
    """In each street: a welfare batch handed to a member, and an event the
    member attended (the member's ID number is known to the test only)."""
    from services import models as work

    day = datetime.date(2017, 3, 1)
    item = work.WelfareItem.objects.get_or_create(name="福包")[0]
    numbers = {}
    for key in ("first", "elsewhere"):
        enterprise = enterprises[key]
        place = enterprise.community
        membership = MembershipFactory(enterprise=enterprise, member__name=f"{place.name}会员")
        member = membership.member
        numbers[key] = member.id_number
        one_handed_out(
            federation=place.federation,
            item=item,
            name=f"{place.name}福包",
            member=member,
            community=place,
            day=day,
            recorded_by=tina,
        )
        event = work.Event.objects.create(
            federation=place.federation,
            community=place,
            kind=work.EventKind.TRAINING,
            title=f"{place.name}培训",
            starts_on=day,
            ends_on=day,
        )
        work.Attendance.objects.create(event=event, member=member, attended=True)
    return numbers


SERVICE_EXPORTS = {
    "admin:services_welfarebatch_export": "0",
    "admin:services_handout_export": "0",
    "admin:services_event_export": "0",
    "admin:services_event_export attendance": "1",  # the second resource of the events list
}


@pytest.mark.parametrize("what", SERVICE_EXPORTS)
def test_tina_exports_welfare_and_events_of_her_street_only(
    client, tina, services_of_two_streets, what
):
    client.force_login(tina)
    name = what.split()[0]
    response = client.post(reverse(name), {"format": CSV, "resource": SERVICE_EXPORTS[what]})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert community(1).name in text
    assert "大栅栏" not in text
    assert services_of_two_streets["first"] not in text  # the ID number, in full
    assert AccessLog.objects.filter(user=tina, action=AccessLog.Action.EXPORT).count() == 1


def test_a_handout_names_the_member_with_the_masked_number(client, tina, services_of_two_streets):
    number = services_of_two_streets["first"]
    response = export(client, tina, "admin:services_handout_export")
    line = dict(zip(*rows(response), strict=True))
    assert line["姓名"] == f"{community(1).name}会员"
    assert line["身份证号"] == number[:6] + "********" + number[-4:]
    assert number not in str(rows(response))


def test_the_attendance_export_is_logged_as_attendance(client, tina, services_of_two_streets):
    client.force_login(tina)
    response = client.post(
        reverse("admin:services_event_export"), {"format": XLSX, "resource": "1"}
    )
    assert rows(response)[0][:3] == ["标题", "开始日期", "姓名"]
    assert rows(response)[1][-1] == "是"
    logged = AccessLog.objects.get(user=tina)
    assert (logged.object_type, logged.detail) == (
        "services.attendance",
        "admin export: 1 rows, xlsx",
    )


def test_the_events_list_offers_export_but_no_import_export_import(
    client, tina, services_of_two_streets
):
    client.force_login(tina)
    page = client.get(reverse("admin:services_event_changelist")).content.decode()
    assert reverse("admin:services_event_export") in page
    assert "/import/" not in page  # each event's own sign-in sheet is on its page


def test_a_link_with_an_unknown_filter_is_a_bad_request_not_an_error(client, tina, enterprises):
    client.raise_request_exception = False
    assert export(client, tina, query="?community__id__exact=abc").status_code == 400
    assert export(client, tina, query="?nonsense=1").status_code == 400
    assert not AccessLog.objects.exists()


def test_csv_starts_with_a_bom_so_excel_reads_the_chinese(client, tina, enterprises):
    content = export(client, tina, file_format=CSV).content
    assert content.startswith("\ufeff".encode())
    assert "北京椿树一号科技有限公司" in content.decode("utf-8-sig")


def test_a_posted_selection_cannot_reach_another_streets_rows(client, tina, enterprises):
    client.force_login(tina)
    response = client.post(
        reverse(ENTERPRISE_EXPORT),
        {"format": XLSX, "resource": "0", "export_items": [enterprises["elsewhere"].pk]},
    )
    assert "attachment" not in response.get("Content-Disposition", "")
    assert "大栅栏三号有限公司" not in response.content.decode()
    mine = enterprises["first"].pk
    response = client.post(
        reverse(ENTERPRISE_EXPORT), {"format": XLSX, "resource": "0", "export_items": [mine]}
    )
    assert column(response, "名称") == ["北京椿树一号科技有限公司"]

"""The member list export (issue 17): masked unless asked for in clear by
someone entitled, scoped to what the user may see, every download in the
access log."""

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import AccessLog
from members.member_list import member_list_export
from members.models import EndReason
from members.services import membership_end
from tests.factories import MembershipFactory


def sheet_rows(data: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


@pytest.fixture
def left(alices_enterprise):
    member = MembershipFactory(enterprise=alices_enterprise, member__name="王五").member
    membership_end(member=member, on=member.memberships.get().joined_on, reason=EndReason.OTHER)
    return member


def test_the_list_is_masked_by_default_and_the_download_logged(sam, alices_member, left):
    data, filename = member_list_export(user=sam)
    header, *rows = sheet_rows(data)
    assert filename.endswith(".xlsx")
    assert [r[1] for r in rows] == ["张三"]  # the member who left is not on the list
    assert rows[0][2] == alices_member.id_masked and "*" in rows[0][2]
    assert header[4] == "出生年份" and rows[0][4] == alices_member.birth_date.year
    assert rows[0][5] == "138****8000"
    log = AccessLog.objects.get(user=sam, action=AccessLog.Action.EXPORT)
    assert "1 rows" in log.detail and "masked" in log.detail
    assert alices_member.id_number not in log.detail


def test_full_id_numbers_only_when_asked_by_someone_entitled(sam, lee, alices_member):
    data, _name = member_list_export(user=sam, full=True)
    _header, row = sheet_rows(data)
    assert row[2] == alices_member.id_number
    assert AccessLog.objects.filter(user=sam, detail__contains="in clear").exists()
    with pytest.raises(PermissionDenied):  # leaders get figures, never a member's row
        member_list_export(user=lee, full=True)
    assert not AccessLog.objects.filter(user=lee).exists()


def test_a_chair_gets_their_own_community_only(alice, alices_member, bobs_member, community2):
    data, _name = member_list_export(user=alice)
    assert [r[1] for r in sheet_rows(data)[1:]] == ["张三"]
    with pytest.raises(Http404):
        member_list_export(user=alice, community=community2)


def test_staff_download_it_from_the_admin_by_post_only(client, sam, alices_member, community1):
    client.force_login(sam)
    assert client.get("/admin/members/member-list.xlsx").status_code == 405
    response = client.post(
        "/admin/members/member-list.xlsx", {"community": community1.pk, "full": "0"}
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    _header, row = sheet_rows(response.content)
    assert row[2] == alices_member.id_masked
    assert AccessLog.objects.filter(user=sam, action=AccessLog.Action.EXPORT).count() == 1

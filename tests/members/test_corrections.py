"""Corrections (issue 17): "a mistyped but valid ID number can never be
corrected". Staff correct a member's ID number or name through one service
that keeps the former number as digest and mask only (never in clear),
who, when and why, and refuses a number that belongs to someone else,
pointing to a merge. A chair may ask; staff apply or refuse."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from chunshu_union import crypto
from members.corrections import (
    correction_approve,
    correction_refuse,
    correction_request,
    member_correct,
)
from members.models import Correction, Member, MembershipEvent
from tests.factories import MemberFactory, id_number

ID = Correction.Field.ID_NUMBER
NAME = Correction.Field.NAME


@pytest.fixture
def mistyped(alices_member):
    """alices_member's true number, one digit of the sequence off from the
    one recorded (both valid)."""
    return id_number(477, birth="19850312")


def test_staff_correct_a_mistyped_but_valid_id_number(alices_member, mistyped, sam):
    old_digest, old_masked = alices_member.id_digest, alices_member.id_masked
    correction = member_correct(
        member=alices_member, field=ID, new_value=mistyped, reason="身份证复印件核对", by=sam
    )
    alices_member.refresh_from_db()
    assert alices_member.id_number == mistyped
    assert Member.objects.with_id_number(mistyped).get() == alices_member
    assert correction.state == Correction.State.APPLIED
    assert (correction.old_id_digest, correction.old_id_masked) == (old_digest, old_masked)
    assert correction.decided_by == sam and correction.reason == "身份证复印件核对"
    event = MembershipEvent.objects.get(member=alices_member, kind=MembershipEvent.Kind.CORRECTED)
    assert event.note == "身份证复印件核对" and event.recorded_by == sam


def test_the_former_number_is_never_kept_in_clear(alices_member, mistyped, sam):
    before = alices_member.id_number
    correction = member_correct(
        member=alices_member, field=ID, new_value=mistyped, reason="核对", by=sam
    )
    stored = " ".join(
        str(v) for v in Correction.objects.filter(pk=correction.pk).values().get().values()
    )
    assert before not in stored
    assert mistyped not in stored
    assert correction.new_id_encrypted == ""  # the member holds it now
    assert correction.old_id_digest == crypto.digest(before)


def test_the_sex_and_birth_date_follow_the_new_number(alices_member, sam):
    number = id_number(478, birth="19790704", female=True)
    member_correct(member=alices_member, field=ID, new_value=number, reason="核对", by=sam)
    alices_member.refresh_from_db()
    assert alices_member.birth_date == datetime.date(1979, 7, 4)
    assert alices_member.sex == "F"


def test_a_number_of_someone_else_is_refused_pointing_to_a_merge(alices_member, sam, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    other = MemberFactory(name="王五", id_number_value=id_number(479))
    with pytest.raises(ValidationError) as refused:
        member_correct(
            member=alices_member, field=ID, new_value=other.id_number, reason="核对", by=sam
        )
    text = " ".join(refused.value.messages)
    assert "王五" in text and other.id_masked in text and "合并" in text
    assert other.id_number not in text
    assert not Correction.objects.exists()


def test_an_invalid_number_is_refused_with_the_readers_sentence(alices_member, sam):
    with pytest.raises(ValidationError):
        member_correct(
            member=alices_member, field=ID, new_value="110102198503120010", reason="x", by=sam
        )
    with pytest.raises(ValidationError):
        member_correct(member=alices_member, field=ID, new_value="12345", reason="x", by=sam)


def test_a_correction_needs_a_reason(alices_member, mistyped, sam):
    with pytest.raises(ValidationError):
        member_correct(member=alices_member, field=ID, new_value=mistyped, reason=" ", by=sam)


def test_a_name_is_corrected_and_the_former_name_kept(alices_member, sam):
    correction = member_correct(
        member=alices_member, field=NAME, new_value="张  叁", reason="错别字", by=sam
    )
    alices_member.refresh_from_db()
    assert alices_member.name == "张 叁"
    assert correction.old_name == "张三"


def test_a_chairs_request_waits_for_staff_then_applies(alices_member, mistyped, alice, sam):
    asked = correction_request(
        member=alices_member, field=ID, new_value=mistyped, reason="会员本人反映", by=alice
    )
    alices_member.refresh_from_db()
    assert alices_member.id_number != mistyped  # nothing yet
    assert asked.state == Correction.State.REQUESTED and asked.new_id_encrypted
    with pytest.raises(ValidationError):  # one waiting request per field
        correction_request(
            member=alices_member, field=ID, new_value=mistyped, reason="again", by=alice
        )
    done = correction_approve(correction=asked, by=sam)
    alices_member.refresh_from_db()
    assert alices_member.id_number == mistyped
    assert done.state == Correction.State.APPLIED and done.decided_by == sam
    assert done.requested_by == alice
    with pytest.raises(ValidationError):
        correction_approve(correction=asked, by=sam)


def test_a_refused_request_changes_nothing_and_keeps_no_number(alices_member, mistyped, alice, sam):
    asked = correction_request(
        member=alices_member, field=ID, new_value=mistyped, reason="会员本人反映", by=alice
    )
    refused = correction_refuse(correction=asked, by=sam, reason="与身份证不符")
    alices_member.refresh_from_db()
    assert alices_member.id_number != mistyped
    assert refused.state == Correction.State.REFUSED and refused.refusal == "与身份证不符"
    assert refused.new_id_encrypted == ""


# --- The admin -----------------------------------------------------------------


@pytest.fixture
def staff_client(client, sam):
    sam.is_staff = True
    sam.save()
    client.force_login(sam)
    return client


def test_staff_correct_a_number_in_the_admin_once(staff_client, alices_member, mistyped):
    response = staff_client.post(
        "/admin/members/correction/add/",
        {"member": alices_member.pk, "field": ID, "new_value": mistyped, "reason": "核对身份证"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    alices_member.refresh_from_db()
    assert alices_member.id_number == mistyped
    assert Correction.objects.count() == 1  # the check ran the service in a rolled-back savepoint
    listing = staff_client.get("/admin/members/correction/").content.decode()
    assert alices_member.id_masked in listing and mistyped not in listing


def test_the_admin_refuses_a_number_of_someone_else(staff_client, alices_member):
    other = MemberFactory(name="王五", id_number_value=id_number(479))
    response = staff_client.post(
        "/admin/members/correction/add/",
        {"member": alices_member.pk, "field": ID, "new_value": other.id_number, "reason": "核对"},
    )
    assert response.status_code == 200
    assert other.id_masked in response.content.decode()
    assert not Correction.objects.exists()


def test_staff_apply_a_chairs_request_in_the_admin(staff_client, alices_member, mistyped, alice):
    asked = correction_request(
        member=alices_member, field=ID, new_value=mistyped, reason="会员本人反映", by=alice
    )
    page = staff_client.get(f"/admin/members/correction/{asked.pk}/change/").content.decode()
    assert "decide-approve" in page
    response = staff_client.post(f"/admin/members/correction/{asked.pk}/decide/approve/")
    assert response.status_code == 302
    alices_member.refresh_from_db()
    assert alices_member.id_number == mistyped

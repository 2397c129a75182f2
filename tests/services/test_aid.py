"""Emergency aid: four steps by four people, within the caps, with
attachments checked by content, seen only by staff holding the permission."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from accounts.models import AccessLog
from services.models import AidAttachment, AidCase, AidStatus
from services.services import (
    aid_approve,
    aid_attach,
    aid_pay,
    aid_reject,
    aid_review,
    aid_submit,
)

D = datetime.date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MARCH_1 = D(2017, 3, 1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def _case(by, member, amount="2000.00", day=MARCH_1):
    return aid_submit(
        by=by,
        member=member,
        applied_on=day,
        reason="家人重病住院",
        amount_requested=Decimal(amount),
    )


def test_a_case_runs_submitted_reviewed_approved_paid_by_four_people(
    ann, ben, cat, dan, alices_member
):
    case = _case(ann, alices_member)
    aid_review(case=case, by=ben, note="情况属实")
    aid_approve(case=case, by=cat, amount=Decimal("1500.00"))
    aid_pay(case=case, by=dan, paid_on=D(2017, 3, 10))
    case.refresh_from_db()
    assert case.status == AidStatus.PAID
    assert case.amount_approved == Decimal("1500.00")
    assert (case.submitted_by, case.reviewed_by, case.decided_by, case.paid_by) == (
        ann,
        ben,
        cat,
        dan,
    )


def test_the_same_person_cannot_review_and_approve(ann, ben, alices_member):
    case = _case(ann, alices_member)
    aid_review(case=case, by=ben)
    with pytest.raises(ValidationError) as refused:
        aid_approve(case=case, by=ben, amount=Decimal("1000"))
    assert refused.value.code == "same_person"
    assert "不同" in refused.value.messages[0]
    case.refresh_from_db()
    assert case.status == AidStatus.REVIEWED and case.decided_by is None


def test_the_same_person_cannot_approve_and_pay(ann, ben, cat, alices_member):
    case = _case(ann, alices_member)
    aid_review(case=case, by=ben)
    aid_approve(case=case, by=cat, amount=Decimal("1000"))
    for person in (cat, ben, ann):
        with pytest.raises(ValidationError) as refused:
            aid_pay(case=case, by=person, paid_on=D(2017, 3, 10))
        assert refused.value.code == "same_person"
    case.refresh_from_db()
    assert case.status == AidStatus.APPROVED and case.paid_by is None


def test_the_submitter_cannot_review_their_own_case(ann, alices_member):
    with pytest.raises(ValidationError):
        aid_review(case=_case(ann, alices_member), by=ann)


def test_the_database_refuses_one_person_for_two_steps_too(ann, ben, alices_member):
    case = _case(ann, alices_member)
    aid_review(case=case, by=ben)
    with pytest.raises(IntegrityError), transaction.atomic():
        AidCase.objects.filter(pk=case.pk).update(decided_by=ben, status=AidStatus.APPROVED)


def test_steps_out_of_order_are_refused(ann, ben, cat, alices_member):
    case = _case(ann, alices_member)
    with pytest.raises(ValidationError) as refused:
        aid_approve(case=case, by=cat, amount=Decimal("100"))
    assert refused.value.code == "wrong_state"
    with pytest.raises(ValidationError):
        aid_pay(case=case, by=cat, paid_on=D(2017, 3, 2))


def test_a_rejection_needs_a_reason_and_ends_the_case(ann, ben, cat, dan, alices_member):
    case = _case(ann, alices_member)
    aid_review(case=case, by=ben)
    with pytest.raises(ValidationError):
        aid_reject(case=case, by=cat, note="  ")
    aid_reject(case=case, by=cat, note="不符合困难职工认定条件")
    with pytest.raises(ValidationError):
        aid_pay(case=case, by=dan, paid_on=D(2017, 3, 10))


def test_the_per_case_cap(settings, ann, ben, cat, alices_member):
    settings.AID_MAX_PER_CASE = Decimal("3000.00")
    with pytest.raises(ValidationError) as refused:
        _case(ann, alices_member, amount="3000.01")
    assert refused.value.code == "case_cap"
    assert not AidCase.objects.exists()
    case = _case(ann, alices_member, amount="3000.00")
    aid_review(case=case, by=ben)
    with pytest.raises(ValidationError):
        aid_approve(case=case, by=cat, amount=Decimal("3500"))


def test_the_per_member_per_year_cap(settings, ann, ben, cat, alices_member):
    settings.AID_MAX_PER_CASE = Decimal("5000.00")
    settings.AID_MAX_PER_MEMBER_YEAR = Decimal("8000.00")
    first = _case(ann, alices_member, amount="5000", day=D(2017, 2, 1))
    aid_review(case=first, by=ben)
    aid_approve(case=first, by=cat, amount=Decimal("5000"))
    second = _case(ann, alices_member, amount="5000", day=D(2017, 9, 1))
    aid_review(case=second, by=ben)
    with pytest.raises(ValidationError) as refused:
        aid_approve(case=second, by=cat, amount=Decimal("3000.01"))
    assert refused.value.code == "year_cap"
    assert "3000" in refused.value.messages[0]  # what is left is named
    aid_approve(case=second, by=cat, amount=Decimal("3000.00"))
    # A new year starts afresh.
    third = _case(ann, alices_member, amount="5000", day=D(2017, 12, 1))
    aid_review(case=third, by=ben)
    with pytest.raises(ValidationError):
        aid_approve(case=third, by=cat, amount=Decimal("1"))


def test_staff_without_the_aid_permission_can_do_nothing(sam, ann, alices_member):
    with pytest.raises(ValidationError) as refused:
        _case(sam, alices_member)
    assert refused.value.code == "no_permission"
    case = _case(ann, alices_member)
    with pytest.raises(ValidationError):
        aid_review(case=case, by=sam)
    assert not AidCase.objects.for_user(sam).exists()


def test_only_aid_staff_see_cases(ann, sam, alice, lee, alices_member):
    _case(ann, alices_member)
    assert AidCase.objects.for_user(ann).count() == 1
    for person in (sam, alice, lee):
        assert not AidCase.objects.for_user(person).exists()


def test_a_chair_submits_for_her_own_member_only(alice, alices_member, bobs_member):
    case = _case(alice, alices_member)
    assert case.community == alices_member.open_membership().enterprise.community
    with pytest.raises(ValidationError) as refused:
        _case(alice, bobs_member)
    assert refused.value.code == "other_community"


def test_a_pdf_or_png_scan_is_stored_under_a_random_name(ann, alices_member, settings):
    case = _case(ann, alices_member)
    stored = aid_attach(case=case, by=ann, upload=SimpleUploadedFile("诊断证明 张三.pdf", PDF))
    png = aid_attach(case=case, by=ann, upload=SimpleUploadedFile("receipt.png", PNG))
    assert stored.content_type == "application/pdf" and png.content_type == "image/png"
    assert stored.original_name == "诊断证明 张三.pdf"
    assert "张三" not in stored.file.name and stored.file.name.startswith(f"aid/{case.pk}/")
    assert stored.file.read() == PDF


@pytest.mark.parametrize(
    "name, content",
    [
        ("scan.pdf", b"MZ\x90\x00 this is an exe renamed"),
        ("scan.jpg", b"<html><script>alert(1)</script></html>"),
        ("table.pdf", b"PK\x03\x04 a zip"),
    ],
)
def test_an_attachment_that_is_not_a_pdf_or_image_is_refused(ann, alices_member, name, content):
    case = _case(ann, alices_member)
    with pytest.raises(ValidationError) as refused:
        aid_attach(case=case, by=ann, upload=SimpleUploadedFile(name, content))
    assert refused.value.code == "bad_type"
    assert not AidAttachment.objects.exists()


def test_an_attachment_that_is_too_large_is_refused(settings, ann, alices_member):
    settings.AID_ATTACHMENT_MAX_BYTES = 1000
    case = _case(ann, alices_member)
    with pytest.raises(ValidationError) as refused:
        aid_attach(case=case, by=ann, upload=SimpleUploadedFile("big.pdf", PDF + b"0" * 1000))
    assert refused.value.code == "too_large"
    assert not AidAttachment.objects.exists()
    assert not list((settings.MEDIA_ROOT).glob("**/*.*")) if settings.MEDIA_ROOT.exists() else True


def test_attachments_are_served_only_to_aid_staff_and_logged(client, ann, sam, alices_member):
    case = _case(ann, alices_member)
    stored = aid_attach(case=case, by=ann, upload=SimpleUploadedFile("a.pdf", PDF))
    url = f"/admin/services/aidcase/attachment/{stored.pk}/"
    client.force_login(sam)
    assert client.get(url).status_code in (302, 403, 404)
    client.force_login(ann)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AccessLog.objects.filter(user=ann, action=AccessLog.Action.VIEW_AID).exists()
    change_page = client.get(f"/admin/services/aidcase/{case.pk}/change/").content.decode()
    assert f'href="{url}"' in change_page and "a.pdf" in change_page

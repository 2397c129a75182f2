"""Emergency aid: each step by a different person, within the caps."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chunshu_union import access
from members.models import Member
from notices.services import notify
from services.models import AidAttachment, AidCase, AidStatus

from .common import _check_community, _check_not_future, _member_community, _refuse


def _check_aid_hand(by) -> None:
    if not (access.can_see_aid(by) and by.has_perm("services.change_aidcase")):
        _refuse(_("Only staff with the emergency-aid permission may do this."), "no_permission")


def _locked_case(case: AidCase) -> AidCase:
    return AidCase.objects.select_for_update().get(pk=case.pk)


def _check_step(case: AidCase, expected: str) -> None:
    if case.status != expected:
        _refuse(
            _("This case is “%(status)s”; that step is not possible now.")
            % {"status": case.get_status_display()},
            "wrong_state",
        )


def _check_other_person(by, earlier: list, step: str) -> None:
    if by.pk in [u for u in earlier if u]:
        _refuse(
            _(
                "Each step of an aid case must be done by a different person: you have already"
                " handled this case, so someone else must %(step)s it."
            )
            % {"step": step},
            "same_person",
        )


def _check_case_cap(amount: Decimal) -> None:
    if amount <= 0:
        _refuse(_("The amount must be more than zero."), "amount_not_positive")
    cap = settings.AID_MAX_PER_CASE
    if amount > cap:
        _refuse(
            _("%(amount)s yuan is more than the %(cap)s yuan allowed per case.")
            % {"amount": amount, "cap": cap},
            "case_cap",
        )


def aid_granted_in_year(*, member: Member, year: int, exclude_pk=None) -> Decimal:
    """What one member has been granted (approved or paid) in a calendar
    year, by application date."""
    qs = AidCase.objects.filter(
        member=member,
        applied_on__year=year,
        status__in=(AidStatus.APPROVED, AidStatus.PAID),
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.aggregate(total=Sum("amount_approved"))["total"] or Decimal("0.00")


@transaction.atomic
def aid_submit(
    *,
    by,
    member: Member,
    applied_on: datetime.date,
    reason: str,
    amount_requested: Decimal,
) -> AidCase:
    """A member in hardship applies; recorded by aid staff, or by the chair
    of the member's community."""
    community = _member_community(member)
    if access.is_chair(by):
        _check_community(by=by, community=community)
    else:
        _check_aid_hand(by)
        _check_community(by=by, community=community)
    if not reason.strip():
        _refuse(_("Describe the hardship."), "no_reason")
    _check_not_future(applied_on, _("application"))
    _check_case_cap(amount_requested)
    return AidCase.objects.create(
        member=member,
        community=community,
        applied_on=applied_on,
        reason=reason.strip(),
        amount_requested=amount_requested,
        submitted_by=by,
    )


@transaction.atomic
def aid_review(*, case: AidCase, by, note: str = "") -> AidCase:
    _check_aid_hand(by)
    case = _locked_case(case)
    _check_step(case, AidStatus.SUBMITTED)
    _check_other_person(by, [case.submitted_by_id], _("review"))
    case.status = AidStatus.REVIEWED
    case.reviewed_by = by
    case.reviewed_at = timezone.now()
    case.review_note = note
    case.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    _tell_chair(case)
    return case


@transaction.atomic
def aid_approve(*, case: AidCase, by, amount: Decimal, note: str = "") -> AidCase:
    """Approve within the per-case cap and the member's yearly cap. The
    member's row is locked, so two approvals at once cannot both slip under
    the yearly cap."""
    _check_aid_hand(by)
    case = _locked_case(case)
    _check_step(case, AidStatus.REVIEWED)
    _check_other_person(by, [case.submitted_by_id, case.reviewed_by_id], _("approve"))
    _check_case_cap(amount)
    Member.objects.select_for_update().filter(pk=case.member_id).first()
    year = case.applied_on.year
    granted = aid_granted_in_year(member=case.member, year=year, exclude_pk=case.pk)
    cap = settings.AID_MAX_PER_MEMBER_YEAR
    if granted + amount > cap:
        _refuse(
            _(
                "This member has already been granted %(granted)s yuan in %(year)d; another"
                " %(amount)s would pass the %(cap)s yuan allowed per member per year"
                " (at most %(left)s is left)."
            )
            % {
                "granted": granted,
                "year": year,
                "amount": amount,
                "cap": cap,
                "left": max(cap - granted, Decimal("0.00")),
            },
            "year_cap",
        )
    case.status = AidStatus.APPROVED
    case.amount_approved = amount
    _decided(case, by, note)
    return case


@transaction.atomic
def aid_reject(*, case: AidCase, by, note: str) -> AidCase:
    _check_aid_hand(by)
    case = _locked_case(case)
    _check_step(case, AidStatus.REVIEWED)
    _check_other_person(by, [case.submitted_by_id, case.reviewed_by_id], _("reject"))
    if not note.strip():
        _refuse(_("Give the reason for the rejection."), "no_reason")
    case.status = AidStatus.REJECTED
    _decided(case, by, note)
    return case


def _decided(case: AidCase, by, note: str) -> None:
    case.decided_by = by
    case.decided_at = timezone.now()
    case.decision_note = note
    case.save(
        update_fields=["status", "amount_approved", "decided_by", "decided_at", "decision_note"]
    )
    _tell_chair(case)


@transaction.atomic
def aid_pay(*, case: AidCase, by, paid_on: datetime.date) -> AidCase:
    _check_aid_hand(by)
    case = _locked_case(case)
    _check_step(case, AidStatus.APPROVED)
    _check_other_person(
        by, [case.submitted_by_id, case.reviewed_by_id, case.decided_by_id], _("pay")
    )
    _check_not_future(paid_on, _("payment"))
    if paid_on < case.applied_on:
        _refuse(_("A case cannot be paid before it was applied for."), "paid_early")
    case.status = AidStatus.PAID
    case.paid_by = by
    case.paid_on = paid_on
    case.save(update_fields=["status", "paid_by", "paid_on"])
    _tell_chair(case)
    return case


def _tell_chair(case: AidCase) -> None:
    """The chair who submitted the case is told each step (issue 19): its
    number, date and new state, nothing of the hardship or the amount."""
    if access.is_chair(case.submitted_by):
        step = AidStatus(case.status).label
        context = {"case": case.pk, "applied_on": case.applied_on, "step": step}
        notify(
            kind="aid_step",
            key=f"aid:{case.pk}:{case.status}",
            context=context,
            user=case.submitted_by,
        )


_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff_content_type(head: bytes) -> str | None:
    """The type a file really is, by its first bytes (never its name)."""
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    return None


def aid_attachment_check(upload) -> str:
    """The upload's real type if it is a PDF, JPEG or PNG within the size
    limit; otherwise a ValidationError saying what is wrong."""
    limit = settings.AID_ATTACHMENT_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is None or size > limit:
        _refuse(
            _("The file is too large: at most %(mb)s MB is accepted.")
            % {"mb": round(limit / 1024 / 1024, 1)},
            "too_large",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_content_type(head)
    if content_type not in settings.AID_ATTACHMENT_TYPES:
        _refuse(
            _("Only PDF, JPEG or PNG scans are accepted; this file is none of them."),
            "bad_type",
        )
    return content_type


@transaction.atomic
def aid_attach(*, case: AidCase, by, upload, description: str = "") -> AidAttachment:
    """Store a scan for a case under a random name: aid staff, or the chair
    who submitted the case."""
    own_submission = access.is_chair(by) and case.submitted_by_id == by.pk
    if not own_submission:
        _check_aid_hand(by)
        if not AidCase.objects.for_user(by).filter(pk=case.pk).exists():
            _refuse(_("Only staff with the emergency-aid permission may do this."), "no_permission")
    return attachment_store(
        AidAttachment, upload=upload, by=by, description=description, default_name="scan", case=case
    )


def attachment_store(model, *, upload, by, description: str, default_name: str, **owner):
    """Store a private file (an aid case's scan, an event's photo) under a
    random name: PDF, JPEG or PNG by its content, within the size limit;
    `owner` names the record it belongs to. A row that cannot be saved
    leaves no file behind."""
    content_type = aid_attachment_check(upload)
    name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    attachment = model(
        original_name=name[-200:] or default_name,
        content_type=content_type,
        size=upload.size,
        description=description,
        uploaded_by=by,
        **owner,
    )
    attachment.file.save(default_name, upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment

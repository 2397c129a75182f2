"""Operations of the street's service work. Every rule that spans rows is
here, checked where the data is written, so that the admin, the portal, the
importers and the demo cannot get round it. Each refusal is a
`ValidationError` with a Chinese sentence and a `code`; nothing is half
written (each operation is one transaction)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chunshu_union import access
from enterprises.models import Community, Enterprise
from members.models import Member

from ..models import (
    AidAttachment,
    AidCase,
    AidStatus,
    Attendance,
    Event,
    Finding,
    Handout,
    RequestStatus,
    ServiceOffer,
    ServiceRequest,
    Visit,
    VisitKind,
    WelfareBatch,
)

# --- shared checks -------------------------------------------------------


def _refuse(message: str, code: str):
    raise ValidationError(message, code=code)


def _check_community(*, by, community: Community) -> None:
    """A chair acts only for their own community; staff only within their
    street (the same scoping as every list)."""
    if not Community.objects.for_user(by).filter(pk=community.pk).exists():
        _refuse(
            _("You may only record this for your own community (%(name)s is not yours).")
            % {"name": community.name},
            "other_community",
        )


def _check_not_future(day: datetime.date, what: str) -> None:
    if day > timezone.localdate():
        _refuse(_("The %(what)s date is in the future.") % {"what": what}, "future_date")


def _member_community(member: Member) -> Community:
    membership = member.open_membership()
    if membership is None:
        _refuse(
            _("%(name)s has no open membership in the street.") % {"name": member.name},
            "no_membership",
        )
    return membership.enterprise.community


# --- Visits --------------------------------------------------------------


@transaction.atomic
def visit_record(
    *,
    by,
    visited_on: datetime.date,
    enterprise: Enterprise | None = None,
    community: Community | None = None,
    visitor=None,
    summary: str = "",
    findings: tuple[tuple[str, str], ...] = (),
) -> Visit:
    """Record a visit to an enterprise, or (with only `community`) a visit
    into a community. `findings` are (kind, description) pairs."""
    if enterprise is None and community is None:
        _refuse(_("Name the enterprise or the community visited."), "no_target")
    if enterprise is not None:
        if community is not None and community.pk != enterprise.community_id:
            _refuse(
                _("%(enterprise)s is not in %(community)s.")
                % {"enterprise": enterprise.name, "community": community.name},
                "wrong_community",
            )
        community = enterprise.community
    _check_community(by=by, community=community)
    _check_not_future(visited_on, _("visit"))
    visit = Visit.objects.create(
        kind=VisitKind.ENTERPRISE if enterprise is not None else VisitKind.COMMUNITY,
        visitor=visitor or by,
        visited_on=visited_on,
        community=community,
        enterprise=enterprise,
        summary=summary,
        recorded_by=by,
    )
    Finding.objects.bulk_create(
        Finding(visit=visit, kind=kind, description=text) for kind, text in findings
    )
    return visit


@transaction.atomic
def finding_close(
    *, finding: Finding, by, closed_on: datetime.date, follow_up: str = ""
) -> Finding:
    _check_community(by=by, community=finding.visit.community)
    if closed_on < finding.visit.visited_on:
        _refuse(_("A finding cannot be closed before the visit that found it."), "closed_early")
    _check_not_future(closed_on, _("closing"))
    finding.closed_on = closed_on
    if follow_up:
        finding.follow_up = follow_up
    finding.save(update_fields=["closed_on", "follow_up"])
    return finding


# --- Emergency aid -------------------------------------------------------


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
    return case


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
    content_type = aid_attachment_check(upload)
    name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    attachment = AidAttachment(
        case=case,
        original_name=name[-200:] or "scan",
        content_type=content_type,
        size=upload.size,
        description=description,
        uploaded_by=by,
    )
    attachment.file.save("scan", upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


# --- Welfare -------------------------------------------------------------


def _take_from_stock(batch: WelfareBatch, quantity: int) -> None:
    """Atomic decrement: the UPDATE only matches while enough is left, so
    two handouts at once can never take the stock below zero."""
    taken = WelfareBatch.objects.filter(pk=batch.pk, stock__gte=quantity).update(
        stock=F("stock") - quantity
    )
    if not taken:
        left = WelfareBatch.objects.values_list("stock", flat=True).get(pk=batch.pk)
        _refuse(
            _("Not enough left in “%(batch)s”: %(left)d in stock, %(wanted)d asked for.")
            % {"batch": batch.name, "left": left, "wanted": quantity},
            "out_of_stock",
        )


@transaction.atomic
def handout_give(
    *,
    batch: WelfareBatch,
    by,
    handed_on: datetime.date,
    member: Member | None = None,
    enterprise: Enterprise | None = None,
    quantity: int = 1,
) -> Handout:
    """One item of a batch to a member (once per batch, street-wide), or
    `quantity` items to an enterprise for its workers."""
    if (member is None) == (enterprise is None):
        _refuse(_("A handout goes either to a member or to an enterprise."), "no_target")
    if member is not None:
        quantity = 1
        community = _member_community(member)
        earlier = (
            Handout.objects.filter(batch=batch, member=member).select_related("community").first()
        )
        if earlier is not None:
            _refuse(
                _("%(name)s already received “%(batch)s” on %(day)s (%(community)s).")
                % {
                    "name": member.name,
                    "batch": batch.name,
                    "day": earlier.handed_on,
                    "community": earlier.community.name,
                },
                "already_received",
            )
    else:
        community = enterprise.community
        if quantity < 1:
            _refuse(_("The quantity must be at least 1."), "bad_quantity")
    if not WelfareBatch.objects.for_user(by).filter(pk=batch.pk).exists():
        _refuse(_("“%(batch)s” is another street's batch.") % {"batch": batch.name}, "other_street")
    _check_community(by=by, community=community)
    _check_not_future(handed_on, _("handout"))
    _take_from_stock(batch, quantity)
    try:
        with transaction.atomic():
            return Handout.objects.create(
                batch=batch,
                member=member,
                enterprise=enterprise,
                community=community,
                quantity=quantity,
                handed_on=handed_on,
                recorded_by=by,
            )
    except IntegrityError:
        # Someone handed the same member the same batch a moment ago.
        _refuse(_("This member has already received this batch."), "already_received")


# --- Events --------------------------------------------------------------


def _check_event(by, event: Event) -> None:
    if not Event.objects.for_user(by).filter(pk=event.pk).exists():
        _refuse(_("You may not change this event."), "no_permission")


@transaction.atomic
def attendance_record(
    *,
    event: Event,
    member: Member,
    by,
    attended: bool = True,
    registered_on: datetime.date | None = None,
) -> tuple[Attendance, bool]:
    """Register a member for an event and/or mark them present. Returns the
    row and whether it changed; recording the same thing twice changes
    nothing."""
    _check_event(by, event)
    _check_community(by=by, community=_member_community(member))
    if attended:
        _check_not_future(event.starts_on, _("event"))
    row, created = Attendance.objects.get_or_create(
        event=event,
        member=member,
        defaults={"attended": attended, "registered_on": registered_on},
    )
    if not created and attended and not row.attended:
        row.attended = True
        row.save(update_fields=["attended"])
        return row, True
    return row, created


# --- Service menu --------------------------------------------------------


@transaction.atomic
def service_request_create(
    *,
    offer: ServiceOffer,
    enterprise: Enterprise,
    by,
    requested_on: datetime.date,
    need: str = "",
) -> ServiceRequest:
    if not offer.is_active:
        _refuse(_("“%(name)s” is no longer offered.") % {"name": offer.name}, "not_offered")
    _check_community(by=by, community=enterprise.community)
    _check_not_future(requested_on, _("request"))
    return ServiceRequest.objects.create(
        offer=offer,
        enterprise=enterprise,
        community=enterprise.community,
        requested_on=requested_on,
        need=need,
    )


def _locked_request(request: ServiceRequest, by) -> ServiceRequest:
    if not access.is_street_staff(by):
        _refuse(_("Only street staff accept and fulfil service requests."), "no_permission")
    request = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    _check_community(by=by, community=request.community)
    return request


@transaction.atomic
def service_request_accept(*, request: ServiceRequest, by, on: datetime.date) -> ServiceRequest:
    request = _locked_request(request, by)
    if request.status != RequestStatus.REQUESTED:
        _refuse(_("Only a new request can be accepted."), "wrong_state")
    if on < request.requested_on:
        _refuse(_("A request cannot be accepted before it was made."), "early")
    request.status = RequestStatus.ACCEPTED
    request.accepted_on = on
    request.handled_by = by
    request.save(update_fields=["status", "accepted_on", "handled_by"])
    return request


@transaction.atomic
def service_request_fulfil(*, request: ServiceRequest, by, on: datetime.date) -> ServiceRequest:
    request = _locked_request(request, by)
    if request.status != RequestStatus.ACCEPTED:
        _refuse(_("Only an accepted request can be fulfilled."), "wrong_state")
    if on < request.accepted_on:
        _refuse(_("A request cannot be fulfilled before it was accepted."), "early")
    _check_not_future(on, _("fulfilment"))
    request.status = RequestStatus.FULFILLED
    request.fulfilled_on = on
    request.save(update_fields=["status", "fulfilled_on"])
    return request


@transaction.atomic
def service_request_decline(*, request: ServiceRequest, by, comment: str) -> ServiceRequest:
    request = _locked_request(request, by)
    if request.status not in (RequestStatus.REQUESTED, RequestStatus.ACCEPTED):
        _refuse(_("This request is already closed."), "wrong_state")
    request.status = RequestStatus.DECLINED
    request.comment = comment
    request.handled_by = by
    request.save(update_fields=["status", "comment", "handled_by"])
    return request


@transaction.atomic
def service_request_rate(
    *, request: ServiceRequest, by, rating: int, comment: str = ""
) -> ServiceRequest:
    """The enterprise's rating, recorded by its community's chair or staff."""
    request = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    _check_community(by=by, community=request.community)
    if request.status != RequestStatus.FULFILLED:
        _refuse(_("Only a fulfilled request can be rated."), "wrong_state")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        _refuse(_("The rating is a whole number from 1 to 5."), "bad_rating")
    request.rating = rating
    request.comment = comment
    request.save(update_fields=["rating", "comment"])
    return request

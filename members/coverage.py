"""Member-side service records: the 京卡 (Beijing union member card), the
12351 app, mutual-insurance enrolment per year and information
verification, with coverage per community computed as queries.

Each operation checks that the acting user may see the member (a chair:
only their own community's members), is one transaction, and refuses bad
input with a Chinese sentence (`ValidationError` with a `code`)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chunshu_union import access
from enterprises.models import Community

from .models import (
    InsuranceEnrolment,
    JingCard,
    JingCardChange,
    Member,
    Membership,
    Verification,
    VerificationCampaign,
)

#: The card moves forward one step at a time; a lost card goes back to
#: "applied" (a replacement is applied for).
JINGCARD_NEXT = {
    JingCard.NOT_APPLIED: {JingCard.APPLIED},
    JingCard.APPLIED: {JingCard.ISSUED, JingCard.NOT_APPLIED},
    JingCard.ISSUED: {JingCard.ACTIVATED, JingCard.APPLIED},
    JingCard.ACTIVATED: {JingCard.APPLIED},
}


def _check_member(by, member: Member) -> None:
    if not Member.objects.for_user(by).filter(pk=member.pk).exists() or access.is_leader(by):
        raise ValidationError(
            _("You may only change members of your own community."), code="other_community"
        )


def _check_day(day: datetime.date) -> None:
    if day > timezone.localdate():
        raise ValidationError(_("The date is in the future."), code="future_date")


@transaction.atomic
def member_set_jingcard(*, member: Member, to_status: str, on: datetime.date, by) -> JingCardChange:
    """Move the member's 京卡 to `to_status`, if the step is allowed, and
    record the change."""
    _check_member(by, member)
    _check_day(on)
    member = Member.objects.select_for_update().get(pk=member.pk)
    current = member.jingcard_status
    if to_status not in JINGCARD_NEXT.get(current, set()):
        raise ValidationError(
            _("The Jing card cannot go from “%(from)s” to “%(to)s”.")
            % {
                "from": JingCard(current).label,
                "to": JingCard(to_status).label if to_status in JingCard.values else to_status,
            },
            code="bad_transition",
        )
    member.jingcard_status = to_status
    member.save(update_fields=["jingcard_status", "updated_at"])
    return JingCardChange.objects.create(
        member=member, from_status=current, to_status=to_status, changed_on=on, recorded_by=by
    )


@transaction.atomic
def member_register_app(*, member: Member, on: datetime.date, by) -> Member:
    """The member registered on the 12351 app (the first date is kept)."""
    _check_member(by, member)
    _check_day(on)
    if member.app_registered_on is None or on < member.app_registered_on:
        member.app_registered_on = on
        member.save(update_fields=["app_registered_on", "updated_at"])
    return member


@transaction.atomic
def insurance_enrol(
    *,
    member: Member,
    year: int,
    enrolled_on: datetime.date,
    by,
    plan: str = "",
    premium: Decimal = Decimal("0.00"),
) -> InsuranceEnrolment:
    _check_member(by, member)
    _check_day(enrolled_on)
    if premium < 0:
        raise ValidationError(_("The premium cannot be negative."), code="negative")
    if not (enrolled_on.year - 1 <= year <= enrolled_on.year + 1):
        raise ValidationError(
            _("An enrolment for %(year)d cannot be dated %(day)s.")
            % {"year": year, "day": enrolled_on},
            code="bad_year",
        )
    if not member.memberships.filter(left_on__isnull=True).exists():
        raise ValidationError(
            _("%(name)s has no open membership in the street.") % {"name": member.name},
            code="no_membership",
        )
    try:
        with transaction.atomic():
            return InsuranceEnrolment.objects.create(
                member=member,
                year=year,
                enrolled_on=enrolled_on,
                plan=plan,
                premium=premium,
                recorded_by=by,
            )
    except IntegrityError:
        raise ValidationError(
            _("%(name)s is already enrolled for %(year)d.") % {"name": member.name, "year": year},
            code="duplicate",
        ) from None


@transaction.atomic
def member_verify(
    *,
    campaign: VerificationCampaign,
    member: Member,
    by,
    at: datetime.datetime | None = None,
    note: str = "",
) -> Verification:
    """Record that `by` verified the member's data within a campaign, and
    stamp the member with the latest verification."""
    _check_member(by, member)
    at = at or timezone.now()
    day = timezone.localdate(at)
    if day < campaign.started_on or (campaign.ends_on and day > campaign.ends_on):
        raise ValidationError(
            _("%(day)s is outside the campaign “%(name)s”.") % {"day": day, "name": campaign.name},
            code="outside_campaign",
        )
    _check_day(day)
    try:
        with transaction.atomic():
            verification = Verification.objects.create(
                campaign=campaign, member=member, verified_by=by, verified_at=at, note=note
            )
    except IntegrityError:
        raise ValidationError(
            _("%(name)s was already verified in this campaign.") % {"name": member.name},
            code="duplicate",
        ) from None
    if member.verified_at is None or at >= member.verified_at:
        member.verified_at, member.verified_by = at, by
        member.save(update_fields=["verified_at", "verified_by", "updated_at"])
    return verification


def coverage_by_community(*, user, year: int, campaign: VerificationCampaign | None = None):
    """Per community the user may see: open members, and how many have an
    activated 京卡, are registered on the 12351 app, are insured for `year`,
    and were verified (in `campaign`, or ever). One grouped query; a person
    has one open membership, so each is counted once."""
    communities = list(Community.objects.for_user(user).order_by("position"))
    insured = InsuranceEnrolment.objects.filter(member=OuterRef("member"), year=year)
    verified = (
        Verification.objects.filter(member=OuterRef("member"), campaign=campaign)
        if campaign
        else Member.objects.filter(pk=OuterRef("member"), verified_at__isnull=False)
    )
    rows = (
        Membership.objects.filter(left_on__isnull=True, enterprise__community__in=communities)
        .annotate(is_insured=Exists(insured), is_verified=Exists(verified))
        .values("enterprise__community")
        .annotate(
            members=Count("pk"),
            jingcard_activated=Count("pk", filter=Q(member__jingcard_status=JingCard.ACTIVATED)),
            app_registered=Count("pk", filter=Q(member__app_registered_on__isnull=False)),
            insured=Count("pk", filter=Q(is_insured=True)),
            verified=Count("pk", filter=Q(is_verified=True)),
        )
    )
    counts = {r.pop("enterprise__community"): r for r in rows}
    empty = dict.fromkeys(
        ("members", "jingcard_activated", "app_registered", "insured", "verified"), 0
    )
    return [{"community": c, **counts.get(c.pk, empty)} for c in communities]

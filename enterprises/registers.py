"""Operations on the bargaining and democracy registers: collective
agreements (per enterprise, regional or industry-wide), workers' congresses
and their sessions, factory-affairs disclosures."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import (
    CollectiveAgreement,
    Community,
    CongressSession,
    Enterprise,
    RegisterScope,
    WorkerCongress,
)

#: An enterprise of at least this many employees may be a demonstration unit.
DEMONSTRATION_HEADCOUNT = 100


def agreement_check(
    *,
    by,
    scope: str,
    enterprises: list[Enterprise],
    community: Community | None = None,
    is_demonstration: bool = False,
) -> None:
    """The rules of an agreement's coverage; raises ValidationError."""
    if not enterprises:
        raise ValidationError(_("List the enterprises the agreement covers."), code="empty")
    if scope == RegisterScope.ENTERPRISE and len(enterprises) != 1:
        raise ValidationError(
            _("A single enterprise's agreement covers exactly one enterprise."), code="scope"
        )
    if scope == RegisterScope.REGIONAL:
        if community is None:
            raise ValidationError(
                _("A regional agreement names the community joint union that signed it."),
                code="scope",
            )
        outside = [e.name for e in enterprises if e.community_id != community.pk]
        if outside:
            raise ValidationError(
                _("Not in %(community)s: %(names)s.")
                % {"community": community.name, "names": "、".join(outside)},
                code="scope",
            )
    allowed = set(Enterprise.objects.for_user(by).values_list("pk", flat=True))
    if any(e.pk not in allowed for e in enterprises):
        raise ValidationError(
            _("You may only record agreements for your own enterprises."), code="other_community"
        )
    if is_demonstration:
        if scope != RegisterScope.ENTERPRISE:
            raise ValidationError(
                _("Only a single enterprise's agreement can be a demonstration unit."),
                code="demonstration",
            )
        if enterprises[0].headcount < DEMONSTRATION_HEADCOUNT:
            raise ValidationError(
                _("A demonstration unit has at least %(n)d employees; %(name)s has %(count)d.")
                % {
                    "n": DEMONSTRATION_HEADCOUNT,
                    "name": enterprises[0].name,
                    "count": enterprises[0].headcount,
                },
                code="demonstration",
            )


@transaction.atomic
def agreement_record(
    *,
    by,
    federation,
    scope: str,
    title: str,
    enterprises: list[Enterprise],
    signed_on: datetime.date,
    starts_on: datetime.date,
    ends_on: datetime.date,
    wage_rise_percent: Decimal | None = None,
    covered_workers: int | None = None,
    community: Community | None = None,
    industry: str = "",
    is_demonstration: bool = False,
) -> CollectiveAgreement:
    agreement_check(
        by=by,
        scope=scope,
        enterprises=enterprises,
        community=community,
        is_demonstration=is_demonstration,
    )
    if covered_workers is None:
        covered_workers = sum(e.headcount for e in enterprises)
    agreement = CollectiveAgreement(
        federation=federation,
        scope=scope,
        title=title,
        community=community,
        industry=industry,
        signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
        wage_rise_percent=wage_rise_percent,
        covered_workers=covered_workers,
        is_demonstration=is_demonstration,
    )
    agreement.full_clean(exclude=["enterprises"])
    agreement.save()
    agreement.enterprises.set(enterprises)
    return agreement


def demonstration_units(day: datetime.date):
    """典型示范单位 on `day`: enterprises of 100+ employees whose own
    agreement, in force that day, is marked as meeting the standard."""
    return (
        Enterprise.objects.filter(
            headcount__gte=DEMONSTRATION_HEADCOUNT,
            agreements__is_demonstration=True,
            agreements__starts_on__lte=day,
            agreements__ends_on__gte=day,
        )
        .distinct()
        .order_by("community__position", "name")
    )


def enterprises_covered_on(day: datetime.date):
    """Enterprises covered by any agreement in force on `day`."""
    return Enterprise.objects.filter(
        Q(agreements__starts_on__lte=day) & Q(agreements__ends_on__gte=day)
    ).distinct()


@transaction.atomic
def congress_session_record(
    *, congress: WorkerCongress, by, held_on: datetime.date, delegates: int, resolutions: str = ""
) -> CongressSession:
    if not Community.objects.for_user(by).filter(pk=congress.community_id).exists():
        raise ValidationError(
            _("You may only record this for your own community (%(name)s is not yours).")
            % {"name": congress.community.name},
            code="other_community",
        )
    if CongressSession.objects.filter(congress=congress, held_on=held_on).exists():
        raise ValidationError(
            _("This congress already has a session on that day."), code="duplicate"
        )
    return CongressSession.objects.create(
        congress=congress, held_on=held_on, delegates=delegates, resolutions=resolutions
    )

"""Visits and their findings."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from enterprises.models import Community, Enterprise
from services.models import Finding, Visit, VisitKind

from .common import _check_community, _check_not_future, _refuse


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

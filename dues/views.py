"""The chair portal's figures of one community: its declaration rate per
quarter against the target, the enterprises behind each figure, the
suspected zombies to visit, and the members' coverage. Read from the same
snapshots as the dashboard (the dashboard itself is the street's: chairs
never enter it). A chair sees their own community; staff helping in the
portal pick one of their street's (`?community=`), and another street's
is a 404."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from chunshu_union import access
from chunshu_union.decorators import portal_required
from chunshu_union.quarters import Quarter
from enterprises.models import Community
from members.statistics import member_statistics

from . import selectors
from .models import RateSnapshot, ZombieFlag

LABELS = {
    "obligated": _("Obligated enterprises"),
    "declared": _("Declared enterprises"),
    "undeclared": _("Obligated but not declared"),
    "zombie": _("Suspected zombies"),
}


def _community(request) -> Community:
    """The chair's own community; for staff the one asked for (`?community=`)
    among their street's, else the first."""
    if access.is_chair(request.user):
        return request.user.community
    communities = Community.objects.for_user(request.user).order_by("position", "pk")
    asked = request.GET.get("community")
    if asked:
        if not asked.isdigit():
            raise Http404
        return get_object_or_404(communities, pk=asked)
    community = communities.first()
    if community is None:
        raise Http404
    return community


def _snapshots(user, community) -> list[RateSnapshot]:
    return list(
        RateSnapshot.objects.for_user(user)
        .current()
        .filter(community=community)
        .defer("declared_ids", "obligated_ids", "zero_ids", "changes")
        .order_by("quarter")
    )


def _quarter(request, snapshots) -> Quarter | None:
    asked = request.GET.get("quarter")
    if asked:
        try:
            return Quarter.parse(asked)
        except ValueError:
            raise Http404 from None
    return Quarter.parse(snapshots[-1].quarter) if snapshots else None


def _trend(snapshots, target) -> list[dict]:
    rows, previous = [], None
    for s in snapshots:
        rows.append(
            {
                "quarter": s.quarter,
                "rate": s.rate,
                "declared": s.declared,
                "obligated": s.obligated,
                "undeclared": s.obligated - s.declared,
                "change": None if previous is None else s.rate - previous,
                "reached": s.rate >= target,
            }
        )
        previous = s.rate
    return rows


def _members(user, community):
    """The community's member statistics (members.statistics: standing,
    held, women, ages, 京卡, app, verification), as the street's page shows
    them."""
    rows = member_statistics(user=user, community=community).rows
    return rows[0] if rows else None


@require_safe
@portal_required
def figures(request):
    community = _community(request)
    snapshots = _snapshots(request.user, community)
    quarter = _quarter(request, snapshots)
    target = selectors.target_rate()
    trend = _trend(snapshots, target)
    chosen = next((r for r in trend if r["quarter"] == str(quarter)), None)
    zombies = 0
    if quarter is not None:
        zombies = (
            ZombieFlag.objects.for_user(request.user)
            .filter(enterprise__community=community, flagged_on__lte=quarter.last_day)
            .count()
        )
    context = {
        "community": community,
        "communities": None
        if access.is_chair(request.user)
        else Community.objects.for_user(request.user).order_by("position", "pk"),
        "quarter": quarter,
        "target": target,
        "trend": list(reversed(trend)),
        "chosen": chosen,
        "figures": [
            ("obligated", LABELS["obligated"], chosen["obligated"] if chosen else 0),
            ("declared", LABELS["declared"], chosen["declared"] if chosen else 0),
            ("undeclared", LABELS["undeclared"], chosen["undeclared"] if chosen else 0),
            ("zombie", LABELS["zombie"], zombies),
        ],
        "members": _members(request.user, community),
    }
    return render(request, "dues/portal/figures.html", context)


@require_safe
@portal_required
def enterprises(request, which: str):
    """The enterprises behind one figure of a quarter, for one community."""
    if which not in LABELS:
        raise Http404
    community = _community(request)
    snapshots = _snapshots(request.user, community)
    quarter = _quarter(request, snapshots)
    if quarter is None:
        rows = RateSnapshot.objects.none()
    else:
        rows = selectors.snapshot_enterprises(quarter, community.pk, which, request.user).order_by(
            "name", "pk"
        )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "community": community,
        "quarter": quarter,
        "which": which,
        "label": LABELS[which],
        "page": page,
        "q": "",
        "extra": _query(request, quarter),
    }
    return render(request, "dues/portal/enterprises.html", context)


@require_safe
@portal_required
def zombies(request):
    """The suspected zombies still open in the chair's community, highest
    score first: the enterprises to visit."""
    community = _community(request)
    flags = (
        ZombieFlag.objects.for_user(request.user)
        .open()
        .filter(enterprise__community=community)
        .select_related("enterprise")
        .order_by("-score", "enterprise__name", "pk")
    )
    page = Paginator(flags, 50).get_page(request.GET.get("page"))
    context = {"community": community, "page": page, "q": "", "extra": _query(request, None)}
    return render(request, "dues/portal/zombies.html", context)


def _query(request, quarter) -> str:
    """The query string a pager link keeps (the community, the quarter)."""
    parts = {}
    if request.GET.get("community"):
        parts["community"] = request.GET["community"]
    if quarter is not None:
        parts["quarter"] = str(quarter)
    return urlencode(parts)

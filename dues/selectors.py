"""Reads for the dashboard, the admin and the API. Everything goes through
the `for_user` scoping, and reads the stored snapshots (so the dashboard
stays fast however large the data grows)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When

from chunshu_union.quarters import Quarter
from enterprises.models import Enterprise

from .models import RateSnapshot, Resolution, ZombieFlag
from .rates import STREET, needed_for

WHICH = ("obligated", "declared", "undeclared", "zombie")


def _row(snapshot: RateSnapshot) -> dict:
    return {
        "scope": snapshot.community.name if snapshot.community_id else STREET,
        "community_id": snapshot.community_id,
        "quarter": snapshot.quarter,
        "declared": snapshot.declared,
        "obligated": snapshot.obligated,
        "zero_declared": snapshot.zero_declared,
        "rate": snapshot.rate,
        "revision": snapshot.revision,
        "computed_at": snapshot.computed_at,
    }


def _current(user):
    return (
        RateSnapshot.objects.for_user(user)
        .current()
        .select_related("community")
        .defer("declared_ids", "obligated_ids", "zero_ids", "changes")
        .order_by("quarter", "federation_id", "community__position")
    )


def _street_first(snapshots) -> list[RateSnapshot]:
    # NULL sorts differently per database: put the street first ourselves.
    return sorted(snapshots, key=lambda s: (s.quarter, s.federation_id, s.community_id is not None))


def quarter_rates(quarter: Quarter, user) -> list[dict]:
    """The street, then each community, for one quarter (the current
    revision of each snapshot)."""
    return [_row(s) for s in _street_first(_current(user).filter(quarter=str(quarter)))]


def quarters_with_data() -> list[Quarter]:
    """Quarters that have a snapshot, ascending."""
    keys = RateSnapshot.objects.order_by("quarter").values_list("quarter", flat=True).distinct()
    return [Quarter.parse(k) for k in keys]


def rate_trend(user) -> list[dict]:
    """Every quarter × scope the user may see, quarters ascending."""
    return [_row(s) for s in _street_first(_current(user))]


def _snapshot(quarter: Quarter, community_id, user) -> RateSnapshot | None:
    qs = RateSnapshot.objects.for_user(user).current().filter(quarter=str(quarter))
    if community_id is None:
        qs = qs.filter(community__isnull=True)
        if getattr(user, "federation_id", None):
            qs = qs.filter(federation_id=user.federation_id)
    else:
        qs = qs.filter(community_id=community_id)
    return qs.order_by("federation_id").first()


def _flags_by(quarter: Quarter, user):
    """Flags raised by the end of `quarter`."""
    return ZombieFlag.objects.for_user(user).filter(flagged_on__lte=quarter.last_day)


def snapshot_enterprises(quarter: Quarter, community_id, which: str, user):
    """The enterprises behind a figure: `which` is obligated, declared,
    undeclared (obligated but not declared) or zombie (flagged by the end of
    the quarter). Scoped by `Enterprise.objects.for_user`; a scope the user
    may not see gives an empty queryset."""
    if which not in WHICH:
        raise ValueError(f"which must be one of {WHICH}")
    visible = Enterprise.objects.for_user(user).select_related("community")
    if which == "zombie":
        flags = _flags_by(quarter, user)
        if community_id is not None:
            flags = flags.filter(enterprise__community_id=community_id)
        return visible.filter(pk__in=flags.values("enterprise_id"))
    snapshot = _snapshot(quarter, community_id, user)
    if snapshot is None:
        return visible.none()
    if which == "obligated":
        ids = snapshot.obligated_ids
    elif which == "declared":
        ids = snapshot.declared_ids
    else:
        ids = sorted(set(snapshot.obligated_ids) - set(snapshot.declared_ids))
    return visible.filter(pk__in=ids)


def zombie_counts(quarter: Quarter, user) -> dict:
    """Flags raised by the end of `quarter`: how many, how many staff found
    still active, how many were resolved out (moved out, deregistered,
    unreachable) by then, and how many are still open at the quarter's end."""
    return _zombie_counts(_flags_by(quarter, user), quarter)


def zombie_figures_for_quarter(quarter: Quarter, federation_id: int, community_id=None) -> dict:
    """The same counts for one scope (a street, or one of its communities),
    for the snapshot jobs, which run for no user."""
    flags = ZombieFlag.objects.filter(
        enterprise__community__federation_id=federation_id, flagged_on__lte=quarter.last_day
    )
    if community_id is not None:
        flags = flags.filter(enterprise__community_id=community_id)
    return _zombie_counts(flags, quarter)


def _zombie_counts(flags, quarter: Quarter) -> dict:
    day = quarter.last_day
    flagged = flags.count()
    done = flags.filter(resolved_on__lte=day)
    verified = done.filter(resolution=Resolution.STILL_ACTIVE).count()
    resolved = done.exclude(resolution__in=["", Resolution.STILL_ACTIVE]).count()
    return {
        "flagged": flagged,
        "verified_active": verified,
        "resolved": resolved,
        "open": flagged - verified - resolved,
    }


def target_rate() -> Decimal:
    return Decimal(str(settings.DECLARATION_RATE_TARGET)).quantize(Decimal("0.01"))


def chase_list(ids, user):
    """Obligated, not-yet-declared enterprises to chase, highest zombie score
    first (an open flag's score; unflagged ones after), then by name."""
    score = (
        ZombieFlag.objects.open()
        .filter(enterprise=OuterRef("pk"))
        .order_by("-score")
        .values("score")[:1]
    )
    return (
        Enterprise.objects.for_user(user)
        .filter(pk__in=ids)
        .select_related("community")
        .annotate(zombie_score=Subquery(score, output_field=IntegerField()))
        .annotate(
            flagged=Case(
                When(zombie_score__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("-flagged", "-zombie_score", "name")
    )


def gap_to_target(quarter: Quarter, user) -> list[dict]:
    """Per scope (street first): the target, how many more enterprises must
    declare to reach it, and whom to chase (a lazy queryset)."""
    target = target_rate()
    rows = []
    for snapshot in _street_first(
        RateSnapshot.objects.for_user(user)
        .current()
        .filter(quarter=str(quarter))
        .select_related("community")
        .order_by("community__position")
    ):
        undeclared = sorted(set(snapshot.obligated_ids) - set(snapshot.declared_ids))
        rows.append(
            {
                **_row(snapshot),
                "target": target,
                "needed": needed_for(target, snapshot.declared, snapshot.obligated),
                "candidates": chase_list(undeclared, user),
            }
        )
    return rows

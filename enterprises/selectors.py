"""Reads and figures of the enterprises app.

`enterprise_figures_for_quarter` is what the dashboard stores for a quarter:
one grouped aggregate query per count over the whole street; the street's
figure is the sum over its communities.
"""

from __future__ import annotations

from django.db.models import Count, Q

from chunshu_union.figures import grouped, merged
from chunshu_union.quarters import Quarter

from .models import Enterprise, EnterpriseStatus, Status

#: The enterprises' counts, in the order the dashboard shows them.
COUNTS = (
    "enterprises_total",
    "enterprises_founded",
    "enterprises_moved_out",
    "enterprises_deregistered",
)


def _enterprise_counts(federation_id: int, quarter: Quarter) -> tuple[dict, dict, dict]:
    """Enterprises with a union in the collection scope on the quarter's
    last day, unions founded in the quarter, and enterprises that moved out
    or were deregistered in it (from the dated status history)."""
    street = Enterprise.objects.filter(community__federation_id=federation_id)
    in_scope = grouped(
        street.in_scope_on(quarter.last_day), "community_id", enterprises_total=Count("pk")
    )
    founded = grouped(
        street.filter(union_founded_on__range=(quarter.first_day, quarter.last_day)),
        "community_id",
        enterprises_founded=Count("pk"),
    )
    exits = grouped(
        EnterpriseStatus.objects.filter(
            enterprise__community__federation_id=federation_id,
            effective_on__range=(quarter.first_day, quarter.last_day),
        ),
        "enterprise__community_id",
        enterprises_moved_out=Count("enterprise", distinct=True, filter=Q(status=Status.MOVED_OUT)),
        enterprises_deregistered=Count(
            "enterprise", distinct=True, filter=Q(status=Status.DEREGISTERED)
        ),
    )
    return in_scope, founded, exits


def enterprise_figures_for_quarter(
    federation_id: int, quarter: Quarter, community_ids: list[int]
) -> dict:
    """`{community_id or None (the street): figures}` for one quarter."""
    per_community = merged(community_ids, COUNTS, *_enterprise_counts(federation_id, quarter))
    street = {name: sum(c[name] for c in per_community.values()) for name in COUNTS}
    return {**per_community, None: street}

"""Reads and figures of the members app.

`member_figures_for_quarter` is what the dashboard stores for a quarter:
each count is one grouped aggregate query over the whole street, returned
as `{community_id: value}`, so that a quarter costs a handful of queries
however many members there are (no per-member Python). The street's figure
is the sum over its communities except for transfers, where a move between
two communities of the street is a transfer for each community but not for
the street.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from chunshu_union.figures import grouped, merged, percent
from chunshu_union.quarters import Quarter

from .models import JingCard, JingCardChange, Membership, Transfer

#: 京卡 statuses that mean the member holds a card.
CARD_HELD = (JingCard.ISSUED, JingCard.ACTIVATED)

#: The members' counts, in the order the dashboard shows them.
COUNTS = (
    "members_total",
    "members_joined",
    "members_transferred_in",
    "members_transferred_out",
    "members_left",
    "jingcard_holders",
    "app_registered",
    "verified",
)


def _end_of(day: datetime.date) -> datetime.datetime:
    """The first instant after `day`, in the project's time zone."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def members_on(federation_id: int, quarter: Quarter) -> dict[int, dict]:
    """Members on the quarter's last day per community, and how many of
    them hold a 京卡, registered on the 12351 app and had their data
    verified by then.

    The card status is recorded as the latest status; a member who became a
    holder only after the quarter ended (a recorded change) is not counted,
    so that recomputing a past quarter does not rewrite it."""
    last = quarter.last_day
    became_holder_later = JingCardChange.objects.filter(
        member=OuterRef("member"),
        changed_on__gt=last,
        to_status__in=CARD_HELD,
    ).exclude(from_status__in=CARD_HELD)
    memberships = (
        Membership.objects.filter(
            enterprise__community__federation_id=federation_id, joined_on__lte=last
        )
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=last))
        .alias(card_later=Exists(became_holder_later))
    )
    return grouped(
        memberships,
        "enterprise__community_id",
        members_total=Count("member", distinct=True),
        jingcard_holders=Count(
            "member",
            distinct=True,
            filter=Q(member__jingcard_status__in=CARD_HELD, card_later=False),
        ),
        app_registered=Count(
            "member", distinct=True, filter=Q(member__app_registered_on__lte=last)
        ),
        verified=Count("member", distinct=True, filter=Q(member__verified_at__lt=_end_of(last))),
    )


def members_moved(federation_id: int, quarter: Quarter) -> tuple[dict, dict]:
    """Memberships begun and ended in the quarter per community, leaving
    out those that are one side of a recorded transfer (counted apart)."""
    in_street = Membership.objects.filter(enterprise__community__federation_id=federation_id)
    joined = grouped(
        in_street.filter(joined_on__range=(quarter.first_day, quarter.last_day)).exclude(
            Exists(Transfer.objects.filter(to_membership=OuterRef("pk")))
        ),
        "enterprise__community_id",
        members_joined=Count("pk"),
    )
    left = grouped(
        in_street.filter(left_on__range=(quarter.first_day, quarter.last_day)).exclude(
            Exists(Transfer.objects.filter(from_membership=OuterRef("pk")))
        ),
        "enterprise__community_id",
        members_left=Count("pk"),
    )
    return joined, left


def transfers(federation_id: int, quarter: Quarter, community_ids: set[int]) -> dict:
    """Transfers in and out per community and for the street (key None).

    One grouped query gives how many transfers went from which community to
    which (None: outside the street); the rest is arithmetic on that small
    table."""
    pairs = (
        Transfer.objects.filter(transferred_on__range=(quarter.first_day, quarter.last_day))
        .filter(
            Q(from_membership__enterprise__community__federation_id=federation_id)
            | Q(to_membership__enterprise__community__federation_id=federation_id)
        )
        .order_by()
        .values_list(
            "from_membership__enterprise__community_id",
            "to_membership__enterprise__community_id",
        )
        .annotate(n=Count("pk"))
    )
    moved_in: Counter = Counter()
    moved_out: Counter = Counter()
    for source, target, n in pairs:
        source = source if source in community_ids else None
        target = target if target in community_ids else None
        if source == target:
            continue
        if target is not None:
            moved_in[target] += n
        if source is not None:
            moved_out[source] += n
        if source is None:
            moved_in[None] += n
        if target is None:
            moved_out[None] += n
    return {
        key: {"members_transferred_in": moved_in[key], "members_transferred_out": moved_out[key]}
        for key in [*community_ids, None]
    }


def with_coverage(counts: dict) -> dict:
    """Add the three coverage percentages of members on the last day."""
    total = counts.get("members_total", 0)
    return {
        **counts,
        "jingcard_coverage": percent(counts.get("jingcard_holders", 0), total),
        "app_coverage": percent(counts.get("app_registered", 0), total),
        "verified_coverage": percent(counts.get("verified", 0), total),
    }


def member_figures_for_quarter(
    federation_id: int, quarter: Quarter, community_ids: list[int]
) -> dict:
    """`{community_id or None (the street): figures}` for one quarter: the
    members' counts and their coverage percentages."""
    per_community = merged(
        community_ids,
        COUNTS,
        members_on(federation_id, quarter),
        *members_moved(federation_id, quarter),
    )
    street = {name: sum(c[name] for c in per_community.values()) for name in COUNTS}
    moves = transfers(federation_id, quarter, set(community_ids))
    for community_id, values in per_community.items():
        values.update(moves[community_id])
    street.update(moves[None])
    result = {cid: with_coverage(values) for cid, values in per_community.items()}
    result[None] = with_coverage(street)
    return result

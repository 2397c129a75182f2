"""Reads and figures of the members app.

`member_figures_for_quarter` is what the dashboard stores for a quarter:
each count is one grouped aggregate query over the whole street, returned
as `{community_id: value}`, so that a quarter costs a handful of queries
however many members there are (no per-member Python). The street's figure
is the sum over its communities except for transfers, where a move between
two communities of the street is a transfer for each community but not for
the street.

`membership_flows_for_quarter` is the quarter's movement as the members'
history (`MembershipEvent`) records it — joined, transferred, held,
resumed, ended — with the members in good standing and held at the
quarter's end, so that "有增有减" can be read off one table: members at the
start + joined + transferred in − transferred out − ended = members at the
end; a hold moves a member from "in good standing" to "held" and changes
neither.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from chunshu_union.figures import grouped, merged, percent
from chunshu_union.quarters import Quarter

from .models import EndReason, JingCard, JingCardChange, Membership, MembershipEvent, Transfer

#: 京卡 statuses that mean the member holds a card.
CARD_HELD = (JingCard.ISSUED, JingCard.ACTIVATED)

#: The members' counts, in the order the dashboard shows them.
COUNTS = (
    "members_at_start",
    "members_total",
    "members_standing",
    "members_held",
    "members_joined",
    "members_transferred_in",
    "members_transferred_out",
    "members_put_on_hold",
    "members_resumed",
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


def open_on(day: datetime.date) -> Q:
    """Memberships open at the end of `day`: standing or held (the members)."""
    return Q(joined_on__lte=day) & (Q(left_on__isnull=True) | Q(left_on__gt=day))


def held_on(day: datetime.date) -> Q:
    """Of the memberships open at the end of `day`, those held then: held
    since that day or earlier and still held, or held by then and resumed
    only later (the history says so: a `held` event with no `resumed` after
    it by that day). The second part is a subquery of ids, not correlated,
    read once (holds are few)."""
    resumed_after = MembershipEvent.objects.filter(
        membership=OuterRef("membership"), kind=MembershipEvent.Kind.RESUMED, on__lte=day
    ).filter(Q(on__gt=OuterRef("on")) | Q(on=OuterRef("on"), pk__gt=OuterRef("pk")))
    held_then = (
        MembershipEvent.objects.filter(kind=MembershipEvent.Kind.HELD, on__lte=day)
        .exclude(Exists(resumed_after))
        .values("membership_id")
    )
    return Q(held_on__lte=day) | Q(pk__in=held_then)


def members_on(federation_id: int, quarter: Quarter) -> dict[int, dict]:
    """Members on the quarter's last day per community (in good standing or
    held), how many of them were held, how many hold a 京卡, registered on
    the 12351 app and had their data verified by then; and the members on
    the day before the quarter began (the start of its "有增有减"). One
    grouped query.

    The card status is recorded as the latest status; a member who became a
    holder only after the quarter ended (a recorded change) is not counted,
    so that recomputing a past quarter does not rewrite it."""
    last = quarter.last_day
    eve = quarter.first_day - datetime.timedelta(days=1)
    at_end = open_on(last)
    became_holder_later = JingCardChange.objects.filter(
        member=OuterRef("member"),
        changed_on__gt=last,
        to_status__in=CARD_HELD,
    ).exclude(from_status__in=CARD_HELD)
    memberships = (
        Membership.objects.filter(enterprise__community__federation_id=federation_id)
        .filter(at_end | open_on(eve))
        .alias(card_later=Exists(became_holder_later))
    )
    counts = grouped(
        memberships,
        "enterprise__community_id",
        members_at_start=Count("member", distinct=True, filter=open_on(eve)),
        members_total=Count("member", distinct=True, filter=at_end),
        members_held=Count("member", distinct=True, filter=at_end & held_on(last)),
        jingcard_holders=Count(
            "member",
            distinct=True,
            filter=at_end & Q(member__jingcard_status__in=CARD_HELD, card_later=False),
        ),
        app_registered=Count(
            "member", distinct=True, filter=at_end & Q(member__app_registered_on__lte=last)
        ),
        verified=Count(
            "member", distinct=True, filter=at_end & Q(member__verified_at__lt=_end_of(last))
        ),
    )
    for values in counts.values():
        values["members_standing"] = values["members_total"] - values["members_held"]
    return counts


def members_held_and_resumed(federation_id: int, quarter: Quarter) -> dict[int, dict]:
    """Holds begun and ended by a resumption in the quarter, per community,
    from the members' history (a resumed hold leaves no trace on the
    membership itself)."""
    return grouped(
        MembershipEvent.objects.filter(
            on__range=(quarter.first_day, quarter.last_day),
            membership__enterprise__community__federation_id=federation_id,
            kind__in=(MembershipEvent.Kind.HELD, MembershipEvent.Kind.RESUMED),
        ),
        "membership__enterprise__community_id",
        members_put_on_hold=Count("pk", filter=Q(kind=MembershipEvent.Kind.HELD)),
        members_resumed=Count("pk", filter=Q(kind=MembershipEvent.Kind.RESUMED)),
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
        in_street.filter(left_on__range=(quarter.first_day, quarter.last_day))
        .exclude(Exists(Transfer.objects.filter(from_membership=OuterRef("pk"))))
        .exclude(end_reason__in=(EndReason.TRANSFERRED, EndReason.TRANSFERRED_OUT)),
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
        members_held_and_resumed(federation_id, quarter),
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


# --- The quarter's flows, from the members' history ------------------------------

#: Event kind → the flow it counts, in the order tables show them.
FLOW_KINDS = {
    MembershipEvent.Kind.JOINED: "joined",
    MembershipEvent.Kind.TRANSFERRED_IN: "transferred_in",
    MembershipEvent.Kind.TRANSFERRED: "transferred",
    MembershipEvent.Kind.TRANSFERRED_OUT: "transferred_out",
    MembershipEvent.Kind.HELD: "held",
    MembershipEvent.Kind.RESUMED: "resumed",
    MembershipEvent.Kind.ENDED: "ended",
}
#: The flows, then the state at the quarter's end.
FLOWS = (*FLOW_KINDS.values(), "standing", "held_now", "members")


def flows_by_community(quarter: Quarter, community_ids=None) -> dict:
    """`{community_id: flows}` (see `membership_flows_for_quarter`) for the
    given communities, or every community with members; two grouped
    queries whatever the number of members. An event counts for the
    community of its membership: a transfer within the street for the
    community it went to."""
    events = MembershipEvent.objects.filter(
        on__range=(quarter.first_day, quarter.last_day), kind__in=list(FLOW_KINDS)
    )
    memberships = Membership.objects.filter(open_on(quarter.last_day))
    if community_ids is not None:
        community_ids = list(community_ids)
        events = events.filter(membership__community_id__in=community_ids)
        memberships = memberships.filter(community_id__in=community_ids)
    counted = grouped(
        events,
        "membership__community_id",
        **{name: Count("pk", filter=Q(kind=kind)) for kind, name in FLOW_KINDS.items()},
    )
    states = grouped(
        memberships,
        "community_id",
        members=Count("pk"),
        held_now=Count("pk", filter=held_on(quarter.last_day)),
    )
    if community_ids is None:
        community_ids = sorted({*counted, *states} - {None})
    out = merged(community_ids, FLOWS, counted, states)
    for values in out.values():
        values["standing"] = values["members"] - values["held_now"]
    return out


def membership_flows_for_quarter(quarter: Quarter, *, community=None) -> dict:
    """The quarter's movement of members in one community (a Community or
    its id) or, without one, in every community: how many joined,
    transferred in from outside the street, transferred within it (counted
    where they went), transferred out, were held, resumed and ended in the
    quarter (events of the members' history dated in it), and the members
    in good standing (`standing`), held (`held_now`) and both (`members`)
    at the quarter's end."""
    if community is not None:
        community_id = getattr(community, "pk", community)
        return flows_by_community(quarter, [community_id])[community_id]
    per_community = flows_by_community(quarter)
    return {name: sum(v[name] for v in per_community.values()) for name in FLOWS}

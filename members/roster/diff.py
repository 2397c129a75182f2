"""Comparing a checked roster with the database, before anything is
written: a handful of queries however long the file."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F, FilteredRelation, Q

from chunshu_union.lookups import AnyOf, chunk_size

from ..models import Member, Membership
from .fields import MEMBER_FIELDS
from .validate import RosterRow

CHUNK = 5000


@dataclass(slots=True)
class Existing:
    member: dict
    membership: dict | None  # the open one: id, enterprise_id, joined_on


@dataclass
class Plan:
    new: list[RosterRow] = field(default_factory=list)
    rejoined: list[tuple[RosterRow, Existing, dict, dict]] = field(default_factory=list)
    changed: list[tuple[RosterRow, Existing, dict, dict]] = field(default_factory=list)
    transferred: list[tuple[RosterRow, Existing, dict, dict, datetime.date]] = field(
        default_factory=list
    )
    unchanged: list[tuple[RosterRow, Existing]] = field(default_factory=list)
    #: Open members of another community than the roster's: they become
    #: transfer requests and nothing of them is shown or changed.
    elsewhere: list[tuple[RosterRow, Existing]] = field(default_factory=list)
    leaving: list[dict] = field(default_factory=list)

    @property
    def created(self) -> int:
        return len(self.new) + len(self.rejoined)


def existing_members(digests: list[str]) -> dict[str, Existing]:
    """The members among `digests`, with their open membership: one query
    on PostgreSQL (the digests as one array), one per 5,000 on SQLite; a
    LEFT JOIN on the open membership, of which the database allows at most
    one."""
    found: dict[str, Existing] = {}
    columns = ("id", "id_digest", "id_masked", *MEMBER_FIELDS)
    joined = ("open__id", "open__enterprise_id", "open__joined_on")
    step = chunk_size(connection, len(digests), CHUNK)
    for start in range(0, len(digests), step):
        rows = (
            Member.objects.filter(AnyOf(F("id_digest"), digests[start : start + step]))
            .order_by()  # not the model's ordering by name: a sort of 100,000 rows for nothing
            .annotate(
                open=FilteredRelation("memberships", condition=Q(memberships__left_on__isnull=True))
            )
            .values(*columns, *joined)
        )
        for row in rows:
            membership = None
            if row["open__id"] is not None:
                membership = {
                    "id": row.pop("open__id"),
                    "enterprise_id": row.pop("open__enterprise_id"),
                    "joined_on": row.pop("open__joined_on"),
                }
            found[row["id_digest"]] = Existing(member=row, membership=membership)
    return found


def plan_roster(
    rows: list[RosterRow],
    *,
    listed: set[str],
    today: datetime.date,
    community_id: int | None = None,
    community_of: dict[int, int] | None = None,
) -> Plan:
    """`listed`: digests of every person the file names, valid row or not
    (a faulty row is not a reason to call someone a leaver).

    With `community_id` (a community's roster) someone whose open membership
    is in another community (`community_of`: enterprise id → community id)
    goes to `elsewhere`: a transfer request, never a silent move. A street-wide
    roster (no community: staff on the command line) transfers them."""
    plan = Plan()
    community_of = community_of or {}
    existing = existing_members([r.digest for r in rows])
    for row in rows:
        current = existing.get(row.digest)
        if current is None:
            plan.new.append(row)
            continue
        before, after = _field_changes(current.member, row.values)
        membership = current.membership
        if membership is None:
            plan.rejoined.append((row, current, before, after))
        elif community_id and community_of.get(membership["enterprise_id"]) != community_id:
            plan.elsewhere.append((row, current))
        elif membership["enterprise_id"] != row.enterprise_id:
            on = _transfer_date(row.joined_on, membership["joined_on"], today)
            plan.transferred.append((row, current, before, after, on))
        elif after:
            plan.changed.append((row, current, before, after))
        else:
            plan.unchanged.append((row, current))
    plan.leaving = _leaving(rows, listed)
    return plan


def _field_changes(member: dict, values: dict) -> tuple[dict, dict]:
    before, after = {}, {}
    for name, value in values.items():
        if member[name] != value:
            before[name] = member[name]
            after[name] = value
    return before, after


def _transfer_date(
    file_date: datetime.date | None, joined_on: datetime.date, today: datetime.date
) -> datetime.date:
    """The join date the file gives, where it can be the day of the move;
    otherwise the day of the import."""
    if file_date and joined_on <= file_date <= today:
        return file_date
    return max(today, joined_on)


def _leaving(rows: list[RosterRow], listed: set[str]) -> list[dict]:
    """Open members of the file's enterprises whom the file does not list."""
    enterprise_ids = {r.enterprise_id for r in rows}
    if not enterprise_ids:
        return []
    memberships = Membership.objects.filter(enterprise_id__in=enterprise_ids, left_on__isnull=True)
    if connection.vendor == "postgresql":
        # Only those the file does not list: usually a handful of rows, not
        # everyone (SQLite cannot take the whole list; Python filters there).
        memberships = memberships.filter(~Q(AnyOf(F("member__id_digest"), list(listed))))
    memberships = memberships.values(
        "id",
        "member_id",
        "member__id_digest",
        "member__name",
        "member__id_masked",
        "enterprise__name",
        "joined_on",
    ).order_by("enterprise__name", "member__name")
    return [
        {
            "membership_id": m["id"],
            "member_id": m["member_id"],
            "name": m["member__name"],
            "id_masked": m["member__id_masked"],
            "enterprise": m["enterprise__name"],
            "joined_on": m["joined_on"].isoformat(),
        }
        for m in memberships
        if m["member__id_digest"] not in listed
    ]

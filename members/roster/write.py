"""Applying a plan in bulk, inside the caller's transaction: a few
statements per kind of change, and PostgreSQL COPY for the big inserts."""

from __future__ import annotations

import datetime
import logging
import operator
from collections import defaultdict

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from chunshu_union import crypto
from chunshu_union.imports.ranges import id_ranges
from enterprises.models import Enterprise

from ..id_numbers import facts, mask, sex_of
from ..models import (
    EndReason,
    HoldLevel,
    ImportChange,
    Member,
    Membership,
    MembershipEvent,
    Transfer,
    TransferRequest,
)
from .bulk import batched, fast_insert
from .diff import Plan
from .fields import MEMBER_FIELDS

BATCH = 2000
#: The reason written on the roster's transfers, and the note of their
#: history (members.services.membership_transfer writes the same).
TRANSFER_REASON = "花名册导入"
#: After an import that wrote more rows than this, the planner's statistics
#: of the members and their memberships are refreshed at once (autovacuum
#: may lag behind a bulk load, or be off): a chair's list planned for a
#: community of 400 that now holds 40,000 walks the wrong index.
ANALYZE_AFTER_ROWS = 10_000

log = logging.getLogger(__name__)


def write_plan(plan: Plan, *, batch, by, today: datetime.date, progress=None) -> None:
    tick = progress or (lambda n: None)
    # New members are written in the order of their digests, and get their
    # ids in that order: the unique index on the digest then grows at its
    # right end instead of at 100,000 random places (on PostgreSQL, 0.48 s
    # instead of 0.78 s for 100,000 rows), and the memberships' indexes on
    # member_id grow in order too. The ids stay one run, for undo.
    new = sorted(plan.new, key=operator.attrgetter("digest"))
    created = _create_members(new)
    tick(len(created))
    _update_members(plan)
    closed = _close_memberships(plan)
    opened = _open_memberships(plan, new, created, today)
    tick(len(created) + len(plan.rejoined) + len(plan.transferred) + len(plan.changed))
    transfers = _record_transfers(plan, opened, by)
    _record_events(plan, new, created, opened, today, by)
    _record_changes(plan, batch, opened, closed, transfers)
    _request_transfers(plan, batch, by)
    batch.created_ranges = {
        "members": id_ranges(created),
        "memberships": id_ranges([opened[pk] for pk in created]),
    }
    written = len(created) + len(plan.changed) + len(plan.rejoined) + len(plan.transferred)
    if written > ANALYZE_AFTER_ROWS and connection.vendor == "postgresql":
        transaction.on_commit(_analyze)


def _analyze() -> None:
    """ANALYZE the tables a large import grew, once it is committed (inside
    its transaction it would hold their lock until the end). A failure here
    costs a slower plan until autovacuum comes, never the import."""
    tables = [Member._meta.db_table, Membership._meta.db_table]
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables)}")  # our own tables' names
    except DatabaseError:
        log.warning("ANALYZE after a large roster import failed", exc_info=True)


def _create_members(new: list) -> list[int]:
    # A row's values hold the fields its file sets; the member's defaults
    # fill the others. Each member goes out as a tuple, without a dict.
    defaults = {name: Member._meta.get_field(name).get_default() for name in MEMBER_FIELDS}
    pick = operator.itemgetter(*MEMBER_FIELDS)
    fields = (*MEMBER_FIELDS, "id_encrypted", "id_digest", "id_masked", "sex", "birth_date")
    # The birth date depends on digits 7-14 only, which many people share:
    # each distinct one is parsed once.
    born_on: dict[str, datetime.date] = {}

    def rows():
        sealed = crypto.encrypt_many([row.id_number for row in new])
        for row, id_encrypted in zip(new, sealed, strict=True):
            number = row.id_number
            digits = number[6:14]
            birth = born_on.get(digits)
            if birth is None:
                birth = born_on[digits] = facts(number).birth_date
            yield (
                *pick({**defaults, **row.values}),
                id_encrypted,
                row.digest,
                mask(number),
                sex_of(number),
                birth,
            )

    return fast_insert(Member, rows(), len(new), fields=fields)


def _update_members(plan: Plan) -> None:
    """One bulk_update per set of changed columns (usually a few sets)."""
    groups = defaultdict(list)
    now = timezone.now()
    for _row, current, _before, after in (
        *plan.changed,
        *plan.rejoined,
        *((r, c, b, a) for r, c, b, a, _on in plan.transferred),
    ):
        if after:
            member = Member(pk=current.member["id"], updated_at=now, **after)
            groups[tuple(sorted(after))].append(member)
    for names, members in groups.items():
        Member.objects.bulk_update(members, [*names, "updated_at"], batch_size=BATCH)


def _close_memberships(plan: Plan) -> dict[int, int]:
    """Close the old open membership of every transfer; member id → its id."""
    by_date = defaultdict(list)
    closed = {}
    for _row, current, _b, _a, on in plan.transferred:
        by_date[on].append(current.membership["id"])
        closed[current.member["id"]] = current.membership["id"]
    # As members.services.membership_transfer closes one: ended by the
    # transfer, no longer held if it was (undo puts a hold back from its
    # history: members.roster.undo).
    for on, ids in by_date.items():
        for start in range(0, len(ids), BATCH):
            Membership.objects.filter(pk__in=ids[start : start + BATCH]).update(
                left_on=on,
                end_reason=EndReason.TRANSFERRED,
                end_note=TRANSFER_REASON,
                held_on=None,
                hold_reason="",
                hold_level=HoldLevel.COMMUNITY,
            )
    return closed


def _open_memberships(plan: Plan, new: list, created: list[int], today) -> dict[int, int]:
    """Member id → the id of the membership opened for them (`created`:
    the ids of the `new` rows, in order)."""
    specs = [
        (pk, row.enterprise_id, row.joined_on or today)
        for row, pk in zip(new, created, strict=True)
    ]
    specs += [
        (current.member["id"], row.enterprise_id, row.joined_on or today)
        for row, current, _b, _a in plan.rejoined
    ]
    specs += [
        (current.member["id"], row.enterprise_id, on)
        for row, current, _b, _a, on in plan.transferred
    ]
    if not specs:
        return {}
    # COPY passes Membership's own save: the community (its enterprise's,
    # read inside this transaction) is set here.
    community_of = dict(
        Enterprise.objects.filter(pk__in={e for _m, e, _d in specs}).values_list(
            "pk", "community_id"
        )
    )
    rows = (
        {"member_id": m, "enterprise_id": e, "community_id": community_of[e], "joined_on": d}
        for m, e, d in specs
    )
    ids = fast_insert(Membership, rows, len(specs))
    return {spec[0]: pk for spec, pk in zip(specs, ids, strict=True)}


def _record_transfers(plan: Plan, opened: dict, by) -> dict[int, int]:
    """Member id → the id of their Transfer."""
    rows = [
        {
            "member_id": current.member["id"],
            "from_membership_id": current.membership["id"],
            "to_membership_id": opened[current.member["id"]],
            "transferred_on": on,
            "reason": TRANSFER_REASON,
            "recorded_by_id": by.pk if by else None,
        }
        for _row, current, _b, _a, on in plan.transferred
    ]
    ids = fast_insert(Transfer, rows, len(rows))
    return {row["member_id"]: pk for row, pk in zip(rows, ids, strict=True)}


def _record_events(plan: Plan, new: list, created: list[int], opened: dict, today, by) -> None:
    """The history the members services write, in bulk (one COPY): joined
    for every membership opened for a new or returning member, transferred
    for every transfer (on the new membership)."""
    Kind = MembershipEvent.Kind
    by_id = by.pk if by else None
    count = len(created) + len(plan.rejoined) + len(plan.transferred)

    def rows():
        for row, pk in zip(new, created, strict=True):
            yield (pk, opened[pk], Kind.JOINED, row.joined_on or today, "", by_id)
        for row, current, _b, _a in plan.rejoined:
            pk = current.member["id"]
            yield (pk, opened[pk], Kind.JOINED, row.joined_on or today, "", by_id)
        for _row, current, _b, _a, on in plan.transferred:
            pk = current.member["id"]
            yield (pk, opened[pk], Kind.TRANSFERRED, on, TRANSFER_REASON, by_id)

    fields = ("member_id", "membership_id", "kind", "on", "note", "recorded_by_id")
    fast_insert(MembershipEvent, rows(), count, fields=fields)


def _record_changes(plan, batch, opened, closed, transfers) -> None:
    """One ImportChange per existing member the batch touched (new members
    are recorded as id ranges on the batch)."""
    Kind = ImportChange.Kind

    def change(kind, row, member_id, before=None, after=None, **links):
        return {
            "batch_id": batch.pk,
            "kind": kind,
            "row": row.row,
            "member_id": member_id,
            "before": before or {},
            "after": after or {},
            "opened_membership_id": opened.get(member_id),
            **links,
        }

    def rows():
        for row, current, before, after in plan.rejoined:
            yield change(Kind.REJOINED, row, current.member["id"], before, after)
        for row, current, before, after in plan.changed:
            yield change(Kind.UPDATED, row, current.member["id"], before, after)
        for row, current, before, after, _on in plan.transferred:
            member_id = current.member["id"]
            yield change(
                Kind.TRANSFERRED,
                row,
                member_id,
                before,
                after,
                closed_membership_id=closed[member_id],
                transfer_id=transfers[member_id],
            )

    count = len(plan.rejoined) + len(plan.changed) + len(plan.transferred)
    fast_insert(ImportChange, rows(), count)


def _request_transfers(plan: Plan, batch, by) -> int:
    """A transfer request for each open member of another community the
    roster lists; nothing of the member is changed. A request already
    waiting for the same person and enterprise is not made twice (the same
    file uploaded again changes nothing)."""
    if not plan.elsewhere:
        return 0
    waiting = set()
    for ids in batched([current.member["id"] for _row, current in plan.elsewhere], BATCH):
        waiting.update(
            TransferRequest.objects.pending()
            .filter(member_id__in=ids)
            .values_list("member_id", "to_enterprise_id")
        )
    requests = [
        TransferRequest(
            member_id=current.member["id"],
            from_membership_id=current.membership["id"],
            from_enterprise_id=current.membership["enterprise_id"],
            to_enterprise_id=row.enterprise_id,
            batch=batch,
            row=row.row,
            name_in_roster=row.name,
            requested_by=by,
        )
        for row, current in plan.elsewhere
        if (current.member["id"], row.enterprise_id) not in waiting
    ]
    TransferRequest.objects.bulk_create(requests, batch_size=BATCH)
    return len(requests)

"""Applying a plan in bulk, inside the caller's transaction: a few
statements per kind of change, and PostgreSQL COPY for the big inserts."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils import timezone

from chunshu_union import crypto

from ..id_numbers import facts, mask, sex_of
from ..models import ImportChange, Member, Membership, Transfer
from .bulk import fast_insert, id_ranges
from .diff import Plan

BATCH = 2000


def write_plan(plan: Plan, *, batch, by, today: datetime.date, progress=None) -> None:
    tick = progress or (lambda n: None)
    created = _create_members(plan)
    tick(len(created))
    _update_members(plan)
    closed = _close_memberships(plan)
    opened = _open_memberships(plan, created, today)
    tick(len(created) + len(plan.rejoined) + len(plan.transferred) + len(plan.changed))
    transfers = _record_transfers(plan, opened, by)
    _record_changes(plan, batch, opened, closed, transfers)
    batch.created_ranges = {
        "members": id_ranges(created),
        "memberships": id_ranges([opened[pk] for pk in created]),
    }


def _create_members(plan: Plan) -> list[int]:
    # The birth date depends on digits 7-14 only, which many people share:
    # each distinct one is parsed once.
    born_on: dict[str, datetime.date] = {}

    def rows():
        sealed = crypto.encrypt_many([row.id_number for row in plan.new])
        for row, id_encrypted in zip(plan.new, sealed, strict=True):
            number = row.id_number
            digits = number[6:14]
            birth = born_on.get(digits)
            if birth is None:
                birth = born_on[digits] = facts(number).birth_date
            yield {
                **row.values,
                "id_encrypted": id_encrypted,
                "id_digest": row.digest,
                "id_masked": mask(number),
                "sex": sex_of(number),
                "birth_date": birth,
            }

    return fast_insert(Member, rows(), len(plan.new))


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
    for on, ids in by_date.items():
        for start in range(0, len(ids), BATCH):
            Membership.objects.filter(pk__in=ids[start : start + BATCH]).update(left_on=on)
    return closed


def _open_memberships(plan: Plan, created: list[int], today) -> dict[int, int]:
    """Member id → the id of the membership opened for them."""
    specs = [
        (pk, row.enterprise_id, row.joined_on or today)
        for row, pk in zip(plan.new, created, strict=True)
    ]
    specs += [
        (current.member["id"], row.enterprise_id, row.joined_on or today)
        for row, current, _b, _a in plan.rejoined
    ]
    specs += [
        (current.member["id"], row.enterprise_id, on)
        for row, current, _b, _a, on in plan.transferred
    ]
    rows = ({"member_id": m, "enterprise_id": e, "joined_on": d} for m, e, d in specs)
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
            "reason": "花名册导入",
            "recorded_by_id": by.pk if by else None,
        }
        for _row, current, _b, _a, on in plan.transferred
    ]
    ids = fast_insert(Transfer, rows, len(rows))
    return {row["member_id"]: pk for row, pk in zip(rows, ids, strict=True)}


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

"""Applying a plan in bulk, inside the caller's transaction: a few
statements per kind of change, and PostgreSQL COPY for the big inserts."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import connection
from django.utils import timezone

from ..models import ImportChange, Member, Membership, Transfer
from .diff import Plan

BATCH = 2000


def bulk_insert(model, objects: list) -> None:
    """Insert and set primary keys: COPY on PostgreSQL (ids drawn from the
    sequence first, in one query), bulk_create elsewhere."""
    if not objects:
        return
    if connection.vendor == "postgresql":
        _copy_insert(model, objects)
    else:
        model.objects.bulk_create(objects, batch_size=BATCH)


def _copy_insert(model, objects: list) -> None:
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
        fields = list(meta.concrete_fields)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for obj in objects:
                copy.write_row(
                    [
                        f.get_db_prep_save(f.pre_save(obj, True), connection=connection)
                        for f in fields
                    ]
                )


def write_plan(plan: Plan, *, batch, by, today: datetime.date, progress=None) -> None:
    tick = progress or (lambda n: None)
    created = _create_members(plan)
    tick(len(created))
    _update_members(plan)
    closed = _close_memberships(plan)
    opened = _open_memberships(plan, created, today)
    tick(len(created) + len(plan.rejoined) + len(plan.transferred) + len(plan.changed))
    transfers = _record_transfers(plan, opened, by)
    _record_changes(plan, batch, created, opened, closed, transfers)


def _create_members(plan: Plan) -> list[Member]:
    members = []
    for row in plan.new:
        member = Member(**row.values)
        member.id_number = row.id_number
        members.append(member)
    bulk_insert(Member, members)
    return members


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


def _open_memberships(plan: Plan, created: list[Member], today) -> dict[int, Membership]:
    memberships = [
        Membership(
            member_id=m.pk, enterprise_id=row.enterprise_id, joined_on=row.joined_on or today
        )
        for row, m in zip(plan.new, created, strict=True)
    ]
    memberships += [
        Membership(
            member_id=current.member["id"],
            enterprise_id=row.enterprise_id,
            joined_on=row.joined_on or today,
        )
        for row, current, _b, _a in plan.rejoined
    ]
    memberships += [
        Membership(member_id=current.member["id"], enterprise_id=row.enterprise_id, joined_on=on)
        for row, current, _b, _a, on in plan.transferred
    ]
    bulk_insert(Membership, memberships)
    return {m.member_id: m for m in memberships}


def _record_transfers(plan: Plan, opened: dict, by) -> dict[int, Transfer]:
    transfers = [
        Transfer(
            member_id=current.member["id"],
            from_membership_id=current.membership["id"],
            to_membership_id=opened[current.member["id"]].pk,
            transferred_on=on,
            reason="花名册导入",
            recorded_by=by,
        )
        for _row, current, _b, _a, on in plan.transferred
    ]
    bulk_insert(Transfer, transfers)
    return {t.member_id: t for t in transfers}


def _record_changes(plan, batch, created, opened, closed, transfers) -> None:
    Kind = ImportChange.Kind
    changes = [
        ImportChange(
            batch=batch,
            kind=Kind.CREATED,
            row=row.row,
            member_id=m.pk,
            opened_membership_id=opened[m.pk].pk,
        )
        for row, m in zip(plan.new, created, strict=True)
    ]
    for row, current, before, after in plan.rejoined:
        member_id = current.member["id"]
        changes.append(
            ImportChange(
                batch=batch,
                kind=Kind.REJOINED,
                row=row.row,
                member_id=member_id,
                before=before,
                after=after,
                opened_membership_id=opened[member_id].pk,
            )
        )
    for row, current, before, after in plan.changed:
        changes.append(
            ImportChange(
                batch=batch,
                kind=Kind.UPDATED,
                row=row.row,
                member_id=current.member["id"],
                before=before,
                after=after,
            )
        )
    for row, current, before, after, _on in plan.transferred:
        member_id = current.member["id"]
        changes.append(
            ImportChange(
                batch=batch,
                kind=Kind.TRANSFERRED,
                row=row.row,
                member_id=member_id,
                before=before,
                after=after,
                closed_membership_id=closed[member_id],
                opened_membership_id=opened[member_id].pk,
                transfer_id=transfers[member_id].pk,
            )
        )
    bulk_insert(ImportChange, changes)

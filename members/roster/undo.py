"""Undoing a roster import as one unit, while nothing newer depends on it.

Members the batch created are deleted, with the memberships it opened: they
exist only because of the mistaken file, and keeping them (even marked)
would leave people on the street's rolls who were never members. That is the
one hard deletion the system makes, and the ImportBatch row (who, when,
which file, what it did, who undid it) stays as the record. Everything else
is put back exactly: fields restored, transfers reverted (the new
membership removed, the old one reopened), re-joins removed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import ProtectedError, Q, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from chunshu_union.imports.ranges import in_ranges

from ..models import (
    HoldLevel,
    ImportBatch,
    ImportChange,
    Member,
    Membership,
    MembershipEvent,
    Transfer,
    TransferRequest,
)
from .bulk import batched

CHUNK = 5000


def batch_revert(batch: ImportBatch, *, by=None) -> None:
    """Put back what a committed batch did (the roster importer's `undo`:
    the flow has locked the batch and checked that it is committed, and
    marks it undone afterwards)."""
    changes = list(batch.changes.all())
    created = Created.of(batch, changes)
    _refuse_if_depended_on(batch, changes, created)
    try:
        _revert(changes, created)
    except (ProtectedError, RestrictedError):
        raise ValidationError(
            _(
                "This import cannot be undone: records made since then (services, aid,"
                " verifications …) refer to members it created."
            )
        ) from None
    # Its transfer requests not yet decided fall with it; approved ones were
    # the street's own decision and stay.
    batch.transfer_requests.filter(state=TransferRequest.State.PENDING).update(
        state=TransferRequest.State.REFUSED,
        decided_by=by,
        decided_at=timezone.now(),
        reason=_("The roster import that made this request was undone."),
    )


@dataclass
class Created:
    """Filters for the members and memberships a batch created: its id
    ranges, and (for batches written before the ranges were kept) its
    CREATED change records."""

    members: Q
    memberships: Q

    @classmethod
    def of(cls, batch: ImportBatch, changes: list[ImportChange]) -> Created:
        ranges = batch.created_ranges or {}
        old = [c for c in changes if c.kind == ImportChange.Kind.CREATED]
        members = in_ranges(ranges.get("members", [])) | Q(pk__in=[c.member_id for c in old])
        memberships = in_ranges(ranges.get("memberships", [])) | Q(
            pk__in=[c.opened_membership_id for c in old if c.opened_membership_id]
        )
        return cls(members, memberships)


def _refuse_if_depended_on(
    batch: ImportBatch, changes: list[ImportChange], created: Created
) -> None:
    own_transfers = {c.transfer_id for c in changes if c.transfer_id}
    touched = [c.member_id for c in changes if c.kind != ImportChange.Kind.CREATED]
    opened = [c.opened_membership_id for c in changes if c.opened_membership_id]
    created_ids = Member.objects.filter(created.members).values("pk")
    for members in [
        Q(member__in=created_ids),
        *(Q(member_id__in=ids) for ids in batched(touched, CHUNK)),
    ]:
        _refuse_if_changed_later(batch, members, own_transfers)
    # Ended or held since: their later history (a service's) would be lost.
    ended = Q(left_on__isnull=False) | Q(held_on__isnull=False)
    if Membership.objects.filter(created.memberships, ended).exists() or any(
        Membership.objects.filter(ended, pk__in=ids).exists() for ids in batched(opened, CHUNK)
    ):
        raise ValidationError(
            _("Memberships opened by this import have ended since; it can no longer be undone.")
        )
    _refuse_if_edited(changes)


def _refuse_if_changed_later(batch: ImportBatch, members: Q, own_transfers: set) -> None:
    later = ImportChange.objects.filter(
        members,
        batch__state=ImportBatch.State.COMMITTED,
        batch__committed_at__gt=batch.committed_at,
    ).select_related("batch")
    newer = later.first()
    if newer:
        raise ValidationError(
            _("A later import (%(file)s, %(when)s) changed the same members; undo that one first.")
            % {
                "file": newer.batch.filename,
                "when": f"{newer.batch.committed_at:%Y-%m-%d %H:%M}",
            }
        )
    moved = Transfer.objects.filter(members, recorded_at__gt=batch.committed_at).exclude(
        pk__in=own_transfers
    )
    if moved.exists():
        raise ValidationError(
            _("Members of this import have been transferred since; it can no longer be undone.")
        )


def _refuse_if_edited(changes: list[ImportChange]) -> None:
    """Fields the batch set must still hold its values: otherwise someone
    edited them since, and restoring would silently discard that edit."""
    touched = [c for c in changes if c.after]
    by_id = {c.member_id: c for c in touched}
    names = sorted({name for c in touched for name in c.after})
    for ids in batched(by_id, CHUNK):
        for current in Member.objects.filter(pk__in=ids).values("pk", "name", *names):
            change = by_id[current["pk"]]
            if any(current[name] != value for name, value in change.after.items()):
                raise ValidationError(
                    _(
                        "%(name)s (row %(row)d) has been edited since this import; it can no"
                        " longer be undone."
                    )
                    % {"name": current["name"], "row": change.row}
                )


def _revert(changes: list[ImportChange], created: Created) -> None:
    transfers = [c.transfer_id for c in changes if c.transfer_id]
    opened = [c.opened_membership_id for c in changes if c.opened_membership_id]
    closed = [c.closed_membership_id for c in changes if c.closed_membership_id]
    for ids in batched(transfers, CHUNK):
        Transfer.objects.filter(pk__in=ids).delete()
    # The history the import wrote (joined, transferred) hangs from the
    # memberships it opened, and goes with them.
    MembershipEvent.objects.filter(
        membership__in=Membership.objects.filter(created.memberships).values("pk")
    ).delete()
    Membership.objects.filter(created.memberships).delete()
    for ids in batched(opened, CHUNK):
        MembershipEvent.objects.filter(membership_id__in=ids).delete()
        Membership.objects.filter(pk__in=ids).delete()
    for ids in batched(closed, CHUNK):
        Membership.objects.filter(pk__in=ids).update(left_on=None, end_reason="", end_note="")
        _restore_holds(ids)
    Member.objects.filter(created.members).delete()
    _restore_fields([c for c in changes if c.before])


def _restore_holds(membership_ids: list[int]) -> None:
    """A membership the import closed by a transfer while it was held is
    held again: its last hold in its history (with no resumption after it)
    gives the date and reason; the level is the community's (the history
    does not keep a street-level hold's level)."""
    last = {}
    for event in (
        MembershipEvent.objects.filter(
            membership_id__in=membership_ids,
            kind__in=[MembershipEvent.Kind.HELD, MembershipEvent.Kind.RESUMED],
        )
        .order_by("on", "pk")
        .only("membership_id", "kind", "on", "reason")
    ):
        last[event.membership_id] = event
    held = [e for e in last.values() if e.kind == MembershipEvent.Kind.HELD]
    for event in held:
        Membership.objects.filter(pk=event.membership_id).update(
            held_on=event.on, hold_reason=event.reason, hold_level=HoldLevel.COMMUNITY
        )


def _restore_fields(changes: list[ImportChange]) -> None:
    groups = defaultdict(list)
    now = timezone.now()
    for change in changes:
        member = Member(pk=change.member_id, updated_at=now, **change.before)
        groups[tuple(sorted(change.before))].append(member)
    for names, members in groups.items():
        Member.objects.bulk_update(members, [*names, "updated_at"], batch_size=2000)

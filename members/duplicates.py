"""Near-duplicates (疑似重复) and merging them.

Two records with different ID numbers may be one person: a number mistyped
but valid (its check character happens to agree) was taken for a new
person. The report pairs records with the same name and the same birth
date, or the same name and the same phone; staff look, and either merge
them (`member_merge`) or record that they are two people
(`not_duplicate_record`), which takes the pair off the report.

The report is two GROUP BYs over the members a user may see, on the
(name, birth_date) and (name, phone) indexes; at a million members on
PostgreSQL see docs/PERFORMANCE.md ("Near-duplicates").
"""

from __future__ import annotations

import functools
import itertools
import operator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import JingCard, Member, MemberMerge, Membership, MembershipEvent, NotDuplicate

BIRTH_DATE, PHONE = "birth_date", "phone"


@dataclass
class DuplicateGroup:
    """Records sharing a name and a birth date (`reason` BIRTH_DATE) or a
    name and a phone (PHONE). Shown with masked numbers and the birth year
    only (members.masking)."""

    reason: str
    name: str
    members: list[Member] = field(default_factory=list)

    @property
    def reason_label(self) -> str:
        if self.reason == BIRTH_DATE:
            return _("same name and birth date")
        return _("same name and phone")

    @property
    def pairs(self) -> list[tuple[Member, Member]]:
        return list(itertools.combinations(self.members, 2))


def _candidates(key: str, offset: int, count: int) -> list[tuple[str, object]]:
    """(name, value of `key`) shared by two records or more, among all the
    members, in name order: one GROUP BY read from the (name, key, id)
    index alone, which stops at the `offset + count`-th group (never
    ordered by the birth date, which the masks hide)."""
    members = Member.objects.order_by()
    if key == PHONE:
        members = members.exclude(phone="")
    rows = (
        members.values("name", key)
        .annotate(n=Count("pk"), first=Min("pk"))
        .filter(n__gt=1)
        .order_by("name", "first")[offset : offset + count]
    )
    return [(row["name"], row[key]) for row in rows]


def _groups_seen(seen, key: str, keys: list[tuple[str, object]]) -> list[DuplicateGroup]:
    """The groups of `keys` as `seen` (the user's members) holds them: a
    group of which the user sees one record or none is not theirs."""
    wanted = functools.reduce(operator.or_, (Q(name=n, **{key: v}) for n, v in keys))
    by_key: dict[tuple, list[Member]] = {}
    for member in seen.filter(wanted).order_by("pk"):
        by_key.setdefault((member.name, getattr(member, key)), []).append(member)
    groups = [DuplicateGroup(key, name, by_key.get((name, value), [])) for name, value in keys]
    return _less_dismissed([g for g in groups if len(g.members) > 1])


def duplicate_groups(*, user, limit: int = 100) -> list[DuplicateGroup]:
    """The near-duplicates among the members `user` may see: at most
    `limit` groups of each kind, in name order, less the pairs recorded as
    two people.

    In two steps, so that a million members cost what the first groups
    cost: the groups are found among all the members, from the index and
    in name order (`_candidates`), then the records of the first `limit`
    of them fetched through the user's scope; for staff of one street of
    several, further groups are read until `limit` of theirs are found."""
    seen = Member.objects.for_user(user)
    found: list[DuplicateGroup] = []
    for key in (BIRTH_DATE, PHONE):
        mine: list[DuplicateGroup] = []
        offset = 0
        while len(mine) < limit:
            keys = _candidates(key, offset, limit)
            if not keys:
                break
            mine += _groups_seen(seen, key, keys)
            offset += len(keys)
            if len(keys) < limit:
                break
        found += mine[:limit]
    return found


def _less_dismissed(groups: list[DuplicateGroup]) -> list[DuplicateGroup]:
    ids = {m.pk for group in groups for m in group.members}
    dismissed = set(
        NotDuplicate.objects.filter(first__in=ids, second__in=ids).values_list("first", "second")
    )
    return [group for group in groups if any((a.pk, b.pk) not in dismissed for a, b in group.pairs)]


@transaction.atomic
def not_duplicate_record(*, first: Member, second: Member, by, note: str = "") -> NotDuplicate:
    """Staff found the two to be two people: the pair leaves the report."""
    if first.pk == second.pk:
        raise ValidationError(_("Choose two different records."))
    low, high = sorted((first, second), key=lambda m: m.pk)
    made, _created = NotDuplicate.objects.get_or_create(
        first=low, second=high, defaults={"note": note[:200], "recorded_by": by}
    )
    return made


# --- Merging ------------------------------------------------------------------


def _relations():
    """Every foreign key to Member, in every app (memberships, transfers,
    history, 京卡, insurance, verification, corrections, aid, handouts,
    attendance … and whatever is added later): (model, field name)."""
    for rel in Member._meta.get_fields(include_hidden=True):
        if rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one):
            yield rel.related_model, rel.field.name


def _unique_sets(model, name: str):
    """The unique constraints of `model` that include field `name`: (the
    other fields, the condition or None)."""
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and name in constraint.fields:
            yield [f for f in constraint.fields if f != name], constraint.condition
    for together in model._meta.unique_together:
        if name in together:
            yield [f for f in together if f != name], None
    if model._meta.get_field(name).unique:
        yield [], None


def _conflicts(kept: Member, merged: Member) -> list[str]:
    """What moving `merged`'s rows onto `kept` would make twice (a handout of
    the same batch, an attendance of the same event …): named, for a
    sentence."""
    found = []
    for model, name in _relations():
        if model is NotDuplicate:
            continue
        for others, condition in _unique_sets(model, name):
            rows = model._base_manager.all()
            if condition is not None:
                rows = rows.filter(condition)
            mine = rows.filter(**{name: kept})
            theirs = rows.filter(**{name: merged})
            if others:
                clash = set(mine.values_list(*others)) & set(theirs.values_list(*others))
            else:
                clash = mine.exists() and theirs.exists()
            if clash:
                found.append(str(model._meta.verbose_name))
    return found


def _fill_blanks(kept: Member, merged: Member) -> list[str]:
    """What the kept record lacks and the merged one has: taken over."""
    taken = []
    for name in ("phone", "ethnicity", "education", "political_status"):
        if not getattr(kept, name) and getattr(merged, name):
            setattr(kept, name, getattr(merged, name))
            taken.append(name)
    for name in ("is_migrant_worker", "is_model_worker", "is_in_hardship"):
        if getattr(merged, name) and not getattr(kept, name):
            setattr(kept, name, True)
            taken.append(name)
    if (
        kept.jingcard_status == JingCard.NOT_APPLIED
        and merged.jingcard_status != kept.jingcard_status
    ):
        kept.jingcard_status = merged.jingcard_status
        taken.append("jingcard_status")
    if merged.app_registered_on and (
        kept.app_registered_on is None or merged.app_registered_on < kept.app_registered_on
    ):
        kept.app_registered_on = merged.app_registered_on
        taken.append("app_registered_on")
    if kept.verified_at is None and merged.verified_at is not None:
        kept.verified_at, kept.verified_by_id = merged.verified_at, merged.verified_by_id
        taken.append("verified_at")
    return taken


@transaction.atomic
def member_merge(*, kept: Member, merged: Member, reason: str, by) -> MemberMerge:
    """`merged` is `kept` under a wrong number: every record of `merged` —
    memberships, transfers, history, 京卡 changes, insurance,
    verifications, corrections, retirement decisions and the services'
    records (aid, handouts, attendance …) — is moved onto `kept`, blank
    fields of `kept` are filled from `merged`, and `merged` is removed; a
    MemberMerge keeps its name and its number's digest and mask, and a
    "merged" event goes into the kept member's history. Refused while both
    have an open membership (one is ended first), and when a record would
    then be there twice."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the two records are one person.")})
    if kept.pk == merged.pk:
        raise ValidationError(_("Choose two different records."))
    locked = {
        m.pk: m for m in Member.objects.select_for_update().filter(pk__in=[kept.pk, merged.pk])
    }
    if len(locked) != 2:
        raise ValidationError(_("One of the two records no longer exists."))
    kept, merged = locked[kept.pk], locked[merged.pk]
    open_ones = Membership.objects.select_for_update().filter(
        member__in=[kept, merged], left_on__isnull=True
    )
    if len(open_ones) > 1:
        raise ValidationError(
            _(
                "Both records have an open membership. End the one that is wrong first"
                " (membership end, reason “other”), then merge."
            )
        )
    conflicts = _conflicts(kept, merged)
    if conflicts:
        raise ValidationError(
            _("Both records have the same %(records)s; settle one of them before merging.")
            % {"records": "、".join(sorted(set(conflicts)))}
        )
    moved: dict[str, int] = {}
    for model, name in _relations():
        if model is NotDuplicate:
            continue
        count = model._base_manager.filter(**{name: merged}).update(**{name: kept})
        if count:
            moved[model._meta.label] = moved.get(model._meta.label, 0) + count
    # Judgements about a record that is no more.
    NotDuplicate.objects.filter(models.Q(first=merged) | models.Q(second=merged)).delete()
    taken = _fill_blanks(kept, merged)
    if taken:
        kept.save(
            update_fields=[
                *taken,
                *(["verified_by"] if "verified_at" in taken else []),
                "updated_at",
            ]
        )
    record = MemberMerge.objects.create(
        member=kept,
        merged_member_id=merged.pk,
        merged_name=merged.name,
        merged_id_digest=merged.id_digest,
        merged_id_masked=merged.id_masked,
        moved={"records": moved, "fields": taken},
        reason=reason[:200],
        recorded_by=by,
    )
    MembershipEvent.objects.create(
        member=kept,
        membership=kept.memberships.filter(left_on__isnull=True).first(),
        kind=MembershipEvent.Kind.MERGED,
        on=timezone.localdate(),
        note=f"{merged.name}（{merged.id_masked}）"[:200],
        recorded_by=by,
    )
    merged.delete()
    return record

"""Correcting a member's ID number or name (信息更正).

A valid but mistyped ID number was, until now, there for good: the member
form takes the number once. Here staff correct it, or a chair asks for it
and staff apply or refuse the request. Every correction is a `Correction`
row (the former number as its digest and mask only, who, when, why) and a
"corrected" event in the member's history. A new number that already
belongs to someone else is refused: the two records are then one person,
and the way to put that right is a merge (members.duplicates.member_merge).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chunshu_union import crypto

from . import id_numbers
from .models import Correction, Member, MembershipEvent

FIELDS = Correction.Field


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the record is corrected.")})
    return reason[:200]


def _read_number(value: str) -> str:
    number, error = id_numbers.read(value)
    if error:
        raise ValidationError({"new_value": error})
    return number


def _read_name(value: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise ValidationError({"new_value": _("The name is missing.")})
    if len(name) > 50:
        raise ValidationError({"new_value": _("A name has at most 50 characters.")})
    return name


def _refuse_if_taken(member: Member, number: str) -> None:
    """The number of someone else: the same person twice, to be merged."""
    holder = Member.objects.with_id_number(number).exclude(pk=member.pk).first()
    if holder is not None:
        raise ValidationError(
            {
                "new_value": _(
                    "This ID number already belongs to another member, %(name)s (%(masked)s)."
                    " If they are the same person, merge the two records (near-duplicates"
                    " page) instead of correcting the number."
                )
                % {"name": holder.name, "masked": holder.id_masked}
            }
        )


def _new_value(member: Member, field: str, value: str) -> dict:
    """The correction's fields for `value`, read and checked."""
    if field == FIELDS.ID_NUMBER:
        number = _read_number(value)
        if crypto.digest(number) == member.id_digest:
            raise ValidationError({"new_value": _("This is already the member's ID number.")})
        _refuse_if_taken(member, number)
        return {
            "new_id_encrypted": crypto.encrypt(number),
            "new_id_digest": crypto.digest(number),
            "new_id_masked": id_numbers.mask(number),
        }
    if field == FIELDS.NAME:
        name = _read_name(value)
        if name == member.name:
            raise ValidationError({"new_value": _("This is already the member's name.")})
        return {"new_name": name}
    raise ValidationError({"field": _("Only the ID number or the name can be corrected here.")})


def _apply(correction: Correction, member: Member, by) -> Correction:
    """Write the correction onto the member, record the former value and
    the event; the requested number is no longer kept once it is the
    member's own."""
    if correction.field == FIELDS.ID_NUMBER:
        number = crypto.decrypt(correction.new_id_encrypted)
        _refuse_if_taken(member, number)  # again: someone may have come in since
        correction.old_id_digest, correction.old_id_masked = member.id_digest, member.id_masked
        member.id_number = number
        member.save(
            update_fields=[
                "id_encrypted",
                "id_digest",
                "id_masked",
                "sex",
                "birth_date",
                "updated_at",
            ]
        )
        correction.new_id_encrypted = ""
    else:
        correction.old_name = member.name
        member.name = correction.new_name
        member.save(update_fields=["name", "updated_at"])
    correction.state = Correction.State.APPLIED
    correction.decided_by, correction.decided_at = by, timezone.now()
    correction.save()
    open_membership = member.memberships.filter(left_on__isnull=True).first()
    MembershipEvent.objects.create(
        member=member,
        membership=open_membership,
        kind=MembershipEvent.Kind.CORRECTED,
        on=timezone.localdate(),
        reason=correction.field,
        note=correction.reason,
        recorded_by=by,
    )
    return correction


def _locked(member: Member) -> Member:
    return Member.objects.select_for_update().get(pk=member.pk)


@transaction.atomic
def member_correct(*, member: Member, field: str, new_value: str, reason: str, by) -> Correction:
    """Staff correct a member's ID number or name at once (the sex and
    birth date follow a new number)."""
    reason = _clean_reason(reason)
    member = _locked(member)
    correction = Correction(
        member=member,
        field=field,
        state=Correction.State.REQUESTED,
        reason=reason,
        requested_by=by,
        **_new_value(member, field, new_value),
    )
    return _apply(correction, member, by)


@transaction.atomic
def correction_request(
    *, member: Member, field: str, new_value: str, reason: str, by
) -> Correction:
    """A chair asks for a correction; staff apply or refuse it
    (correction_approve / correction_refuse). One waiting request per
    member and field."""
    reason = _clean_reason(reason)
    member = _locked(member)
    if Correction.objects.filter(
        member=member, field=field, state=Correction.State.REQUESTED
    ).exists():
        raise ValidationError(_("A correction of this is already waiting for a decision."))
    return Correction.objects.create(
        member=member,
        field=field,
        state=Correction.State.REQUESTED,
        reason=reason,
        requested_by=by,
        **_new_value(member, field, new_value),
    )


def _pending(correction: Correction) -> Correction:
    locked = Correction.objects.select_for_update().get(pk=correction.pk)
    if locked.state != Correction.State.REQUESTED:
        raise ValidationError(_("This correction has already been decided."))
    return locked


@transaction.atomic
def correction_approve(*, correction: Correction, by) -> Correction:
    """Staff apply a chair's request."""
    locked = _pending(correction)
    return _apply(locked, _locked(locked.member), by)


@transaction.atomic
def correction_refuse(*, correction: Correction, by, reason: str) -> Correction:
    """Staff refuse a chair's request, saying why (the chair reads it). The
    requested number is not kept."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the request is refused; the chair reads it.")})
    locked = _pending(correction)
    locked.state = Correction.State.REFUSED
    locked.refusal = reason[:200]
    locked.new_id_encrypted = ""
    locked.decided_by, locked.decided_at = by, timezone.now()
    locked.save()
    return locked

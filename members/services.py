"""Operations on members and memberships."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Enterprise

from .id_numbers import id_number_error
from .models import Member, Membership, Transfer, TransferRequest


def member_get_or_build(*, id_number: str) -> Member:
    """The member with this number, or a new unsaved one carrying it."""
    error = id_number_error(id_number)
    if error:
        raise ValidationError({"id_number": error})
    existing = Member.objects.with_id_number(id_number).first()
    if existing:
        return existing
    member = Member()
    member.id_number = id_number
    return member


@transaction.atomic
def membership_join(
    *,
    member: Member,
    enterprise: Enterprise,
    joined_on: datetime.date,
    external_party: str = "",
    by=None,
) -> Membership:
    """Open a membership for a member with none open. With `external_party`
    the member comes from a union outside the street: a transfer in."""
    if member.memberships.filter(left_on__isnull=True).exists():
        raise ValidationError(_("This person already has an open membership."))
    membership = Membership.objects.create(
        member=member, enterprise=enterprise, joined_on=joined_on
    )
    if external_party:
        Transfer.objects.create(
            member=member,
            to_membership=membership,
            transferred_on=joined_on,
            external_party=external_party,
            recorded_by=by,
        )
    return membership


def _open_membership_locked(member: Member, missing: str) -> Membership:
    """The member's open membership, locked for this transaction; `missing`
    is what to say when there is none."""
    current = (
        Membership.objects.select_for_update().filter(member=member, left_on__isnull=True).first()
    )
    if current is None:
        raise ValidationError(missing)
    return current


@transaction.atomic
def membership_transfer(
    *,
    member: Member,
    to_enterprise: Enterprise,
    on: datetime.date,
    reason: str = "",
    by=None,
) -> Transfer:
    """Close the member's open membership and open one at `to_enterprise`."""
    current = _open_membership_locked(
        member, _("This person has no open membership to transfer from.")
    )
    if current.enterprise_id == to_enterprise.pk:
        raise ValidationError(_("The person is already a member at this enterprise."))
    if on < current.joined_on:
        raise ValidationError(_("A transfer cannot be dated before the member joined."))
    current.left_on = on
    current.save(update_fields=["left_on"])
    new = Membership.objects.create(member=member, enterprise=to_enterprise, joined_on=on)
    return Transfer.objects.create(
        member=member,
        from_membership=current,
        to_membership=new,
        transferred_on=on,
        reason=reason,
        recorded_by=by,
    )


@transaction.atomic
def membership_leave(
    *,
    member: Member,
    on: datetime.date,
    external_party: str = "",
    reason: str = "",
    by=None,
) -> Membership:
    """End the open membership. Leaving ends a membership; it never erases
    the person or their history. With `external_party`, a transfer out."""
    current = _open_membership_locked(member, _("This person has no open membership."))
    if on < current.joined_on:
        raise ValidationError(_("A membership cannot end before it starts."))
    current.left_on = on
    current.save(update_fields=["left_on"])
    if external_party:
        Transfer.objects.create(
            member=member,
            from_membership=current,
            transferred_on=on,
            external_party=external_party,
            reason=reason,
            recorded_by=by,
        )
    return current


# --- Transfer requests (转会申请) ------------------------------------------------

#: The reason written on a Transfer made by approving a request.
TRANSFER_REQUEST_REASON = "转会申请"


def _pending_request(request: TransferRequest) -> TransferRequest:
    locked = (
        TransferRequest.objects.select_for_update()
        .select_related("member", "to_enterprise")
        .get(pk=request.pk)
    )
    if locked.state != TransferRequest.State.PENDING:
        raise ValidationError(_("This transfer request has already been decided."))
    return locked


@transaction.atomic
def transfer_request_approve(
    *, request: TransferRequest, by, on: datetime.date | None = None
) -> Transfer:
    """Street staff approve: the member's open membership (the one the
    request was made against) is closed and one opened at the requesting
    enterprise, through membership_transfer. The member's fields are not
    touched: the next roster of the new community updates them."""
    locked = _pending_request(request)
    current = (
        Membership.objects.filter(member=locked.member_id, left_on__isnull=True)
        .only("id", "joined_on")
        .first()
    )
    if current is None or current.pk != locked.from_membership_id:
        raise ValidationError(
            _(
                "The member's membership has changed since the request was made; refuse this"
                " request and ask the chair to upload the roster again."
            )
        )
    today = timezone.localdate()
    on = on or max(today, current.joined_on)
    if on > today:
        raise ValidationError(_("A transfer cannot be dated in the future."))
    transfer = membership_transfer(
        member=locked.member,
        to_enterprise=locked.to_enterprise,
        on=on,
        reason=TRANSFER_REQUEST_REASON,
        by=by,
    )
    _decide(locked, TransferRequest.State.APPROVED, by=by, transfer=transfer)
    return transfer


@transaction.atomic
def transfer_request_refuse(*, request: TransferRequest, by, reason: str) -> TransferRequest:
    """Street staff refuse, saying why (the chair reads it); nothing else changes."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the request is refused; the chair reads it.")})
    locked = _pending_request(request)
    return _decide(locked, TransferRequest.State.REFUSED, by=by, reason=reason[:200])


def _decide(request: TransferRequest, state: str, *, by, **fields) -> TransferRequest:
    """Record who decided a pending request, when, and with what outcome."""
    fields |= {"state": state, "decided_by": by, "decided_at": timezone.now()}
    for name, value in fields.items():
        setattr(request, name, value)
    request.save(update_fields=list(fields))
    return request

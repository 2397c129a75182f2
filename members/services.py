"""Operations on members and memberships."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from notices.services import notify

from .id_numbers import id_number_error
from .models import (
    EndReason,
    HoldLevel,
    HoldReason,
    Member,
    Membership,
    MembershipEvent,
    Transfer,
    TransferRequest,
)

Kind = MembershipEvent.Kind


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
    _event(
        membership,
        Kind.TRANSFERRED_IN if external_party else Kind.JOINED,
        on=joined_on,
        note=external_party,
        by=by,
    )
    return membership


def _event(membership: Membership, kind: str, *, on, reason="", note="", by=None):
    """The one line of history every service writes (the roster's bulk path
    writes the same rows: members.roster.write)."""
    return MembershipEvent.objects.create(
        member_id=membership.member_id,
        membership=membership,
        kind=kind,
        on=on,
        reason=reason,
        note=(note or "")[:200],
        recorded_by=by,
    )


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
    """Close the member's open membership (in good standing or held) and
    open one, in good standing, at `to_enterprise`: a transfer within the
    street. One `transferred` event, on the new membership."""
    current = _open_membership_locked(
        member, _("This person has no open membership to transfer from.")
    )
    if current.enterprise_id == to_enterprise.pk and current.held_on is None:
        raise ValidationError(_("The person is already a member at this enterprise."))
    if on < current.joined_on or (current.held_on and on < current.held_on):
        raise ValidationError(_("A transfer cannot be dated before the member joined."))
    _close(current, on=on, reason=EndReason.TRANSFERRED, note=reason)
    new = Membership.objects.create(member=member, enterprise=to_enterprise, joined_on=on)
    transfer = Transfer.objects.create(
        member=member,
        from_membership=current,
        to_membership=new,
        transferred_on=on,
        reason=reason,
        recorded_by=by,
    )
    _event(new, Kind.TRANSFERRED, on=on, note=reason, by=by)
    return transfer


def _close(membership: Membership, *, on, reason: str, note: str = "") -> None:
    """End an open membership (a held one stops being held)."""
    membership.left_on = on
    membership.end_reason = reason
    membership.end_note = (note or "")[:200]
    membership.held_on = None
    membership.hold_reason = ""
    membership.hold_level = HoldLevel.COMMUNITY
    membership.save(
        update_fields=["left_on", "end_reason", "end_note", "held_on", "hold_reason", "hold_level"]
    )


@transaction.atomic
def membership_end(
    *,
    member: Member,
    on: datetime.date,
    reason: str,
    note: str = "",
    external_party: str = "",
    by=None,
) -> Membership:
    """End the open membership (in good standing or held), saying why.
    Ending never erases the person or their history. `transferred_out` (or
    any reason with `external_party`) records a transfer out to that union."""
    if reason not in EndReason.values or reason == EndReason.TRANSFERRED:
        raise ValidationError({"reason": _("Choose why the membership ends.")})
    if external_party and reason != EndReason.TRANSFERRED_OUT:
        reason = EndReason.TRANSFERRED_OUT
    if reason == EndReason.TRANSFERRED_OUT and not external_party.strip():
        raise ValidationError(
            {"external_party": _("Name the union outside the street the member goes to.")}
        )
    current = _open_membership_locked(member, _("This person has no open membership."))
    if on < current.joined_on or (current.held_on and on < current.held_on):
        raise ValidationError(_("A membership cannot end before it starts."))
    if on > timezone.localdate():
        raise ValidationError(_("A membership cannot end in the future."))
    _close(current, on=on, reason=reason, note=note)
    if reason == EndReason.TRANSFERRED_OUT:
        Transfer.objects.create(
            member=member,
            from_membership=current,
            transferred_on=on,
            external_party=external_party.strip(),
            reason=note,
            recorded_by=by,
        )
    _event(
        current,
        Kind.TRANSFERRED_OUT if reason == EndReason.TRANSFERRED_OUT else Kind.ENDED,
        on=on,
        reason=reason,
        note=note or external_party,
        by=by,
    )
    return current


def membership_leave(
    *,
    member: Member,
    on: datetime.date,
    external_party: str = "",
    reason: str = "",
    by=None,
) -> Membership:
    """The older name: a transfer out with `external_party`, otherwise the
    member left the street. `reason` is kept as the note."""
    return membership_end(
        member=member,
        on=on,
        reason=EndReason.TRANSFERRED_OUT if external_party else EndReason.LEFT_STREET,
        note=reason,
        external_party=external_party,
        by=by,
    )


@transaction.atomic
def membership_hold(
    *,
    member: Member,
    on: datetime.date,
    reason: str,
    level: str = HoldLevel.COMMUNITY,
    note: str = "",
    by=None,
) -> Membership:
    """Hold the open membership (会籍保留) at the community joint union (or
    the street): the member stays in the union, no longer at work in the
    enterprise (retired, unemployed, the enterprise closed). The membership
    keeps its enterprise and community."""
    if reason not in HoldReason.values:
        raise ValidationError({"reason": _("Choose why the membership is held.")})
    if level not in HoldLevel.values:
        raise ValidationError({"level": _("Choose where the membership is held.")})
    current = _open_membership_locked(member, _("This person has no open membership."))
    if current.held_on is not None:
        raise ValidationError(_("This membership is already held."))
    if on < current.joined_on:
        raise ValidationError(_("A membership cannot be held before it starts."))
    if on > timezone.localdate():
        raise ValidationError(_("A membership cannot be held from a future date."))
    current.held_on = on
    current.hold_reason = reason
    current.hold_level = level
    current.save(update_fields=["held_on", "hold_reason", "hold_level"])
    _event(current, Kind.HELD, on=on, reason=reason, note=note, by=by)
    return current


@transaction.atomic
def membership_resume(*, member: Member, on: datetime.date, note: str = "", by=None) -> Membership:
    """A held membership is in good standing again at the same enterprise
    (back at work there). Back at another enterprise is a transfer."""
    current = _open_membership_locked(member, _("This person has no open membership."))
    if current.held_on is None:
        raise ValidationError(_("This membership is not held."))
    if on < current.held_on:
        raise ValidationError(_("A membership cannot resume before it was held."))
    if on > timezone.localdate():
        raise ValidationError(_("A membership cannot resume on a future date."))
    current.held_on = None
    current.hold_reason = ""
    current.hold_level = HoldLevel.COMMUNITY
    current.save(update_fields=["held_on", "hold_reason", "hold_level"])
    _event(current, Kind.RESUMED, on=on, note=note, by=by)
    return current


#: What staff may do with the open members of an enterprise that closes.
CLOSE_ACTIONS = ("hold", "end")


@transaction.atomic
def enterprise_members_close(
    *, enterprise: Enterprise, on: datetime.date, action: str, by=None
) -> int:
    """The enterprise moved out or was deregistered: its members in good
    standing are held at the community (`hold`, reason enterprise closed) or
    their memberships end (`end`, reason other, the note says why). Members
    already held stay held. Returns how many memberships changed."""
    if action not in CLOSE_ACTIONS:
        raise ValidationError({"action": _("Choose whether to hold or end the members.")})
    note = _("Enterprise closed: %(name)s") % {"name": enterprise.name}
    changed = 0
    standing = (
        Membership.objects.standing()
        .filter(enterprise=enterprise)
        .select_related("member")
        .order_by("pk")
    )
    for membership in standing:
        # One who joined after the enterprise's exit date (a late roster)
        # leaves the day they joined.
        day = max(on, membership.joined_on)
        if action == "hold":
            membership_hold(
                member=membership.member,
                on=day,
                reason=HoldReason.ENTERPRISE_CLOSED,
                note=note,
                by=by,
            )
        else:
            membership_end(
                member=membership.member, on=day, reason=EndReason.OTHER, note=note, by=by
            )
        changed += 1
    return changed


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
    notify(kind=f"transfer_{state}", key=f"transfer-request:{request.pk}", context={"member": request.member.name, "enterprise": request.to_enterprise.name, "reason": request.reason}, user=request.requested_by, link=f"/portal/transfers/{request.pk}/")  # fmt: skip
    return request


# --- Details a chair corrects (the chair portal) ---------------------------------

#: What a chair may correct on a member of their community: nothing that
#: identifies the person (name and ID number go through members.corrections).
DETAIL_FIELDS = (
    "phone",
    "education",
    "political_status",
    "is_migrant_worker",
    "is_model_worker",
    "is_in_hardship",
)


@transaction.atomic
def member_update_details(*, member: Member, by, **values) -> Member:
    """Correct the non-identifying details of a member the user may see;
    only the fields given and changed are written."""
    from chunshu_union import access

    unknown = set(values) - set(DETAIL_FIELDS)
    if unknown:
        raise ValidationError(_("These details cannot be changed here: %(f)s") % {"f": unknown})
    if access.is_leader(by) or not Member.objects.for_user(by).filter(pk=member.pk).exists():
        raise ValidationError(_("You may only change members of your own community."))
    member = Member.objects.select_for_update().get(pk=member.pk)
    changed = [f for f, v in values.items() if getattr(member, f) != v]
    for field in changed:
        setattr(member, field, values[field])
    if changed:
        member.save(update_fields=[*changed, "updated_at"])
    return member

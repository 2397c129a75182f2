"""Event attendance (members, and people who are not members), the
event's capacity, its notes and its attachments."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from chunshu_union import access
from members.models import Member
from services.models import Attendance, Event
from services.models.events import EventAttachment, EventNote

from .aid import attachment_store
from .common import _check_community, _check_not_future, _member_community, _refuse


def _check_event(by, event: Event) -> None:
    if not Event.objects.for_user(by).filter(pk=event.pk).exists():
        _refuse(_("You may not change this event."), "no_permission")


def _locked_event(event: Event) -> Event:
    """The event row locked, so that two registrations for its last place
    are taken one after the other."""
    return Event.objects.select_for_update().get(pk=event.pk)


def _check_capacity(event: Event) -> None:
    if event.capacity is None:
        return
    if event.attendances.count() >= event.capacity:
        _refuse(
            _("“%(title)s” is full: all %(capacity)s places are taken.")
            % {"title": event.title, "capacity": event.capacity},
            "full",
        )


@transaction.atomic
def attendance_record(
    *,
    event: Event,
    member: Member,
    by,
    attended: bool = True,
    registered_on: datetime.date | None = None,
) -> tuple[Attendance, bool]:
    """Register a member for an event and/or mark them present. Returns the
    row and whether it changed; recording the same thing twice changes
    nothing. A new registration past the event's capacity is refused."""
    _check_event(by, event)
    _check_community(by=by, community=_member_community(member))
    if attended:
        _check_not_future(event.starts_on, _("event"))
    event = _locked_event(event)
    row = Attendance.objects.filter(event=event, member=member).first()
    if row is None:
        _check_capacity(event)
        row = Attendance.objects.create(
            event=event, member=member, attended=attended, registered_on=registered_on
        )
        return row, True
    if attended and not row.attended:
        row.attended = True
        row.save(update_fields=["attended"])
        return row, True
    return row, False


@transaction.atomic
def attendance_record_guest(
    *,
    event: Event,
    by,
    name: str,
    phone: str = "",
    employer: str = "",
    attended: bool = True,
    registered_on: datetime.date | None = None,
) -> Attendance:
    """Register (or sign in) a person who is not a member of the street: a
    cadre, a chair, a worker not yet in the union. Counted apart from the
    members; the same capacity holds."""
    _check_event(by, event)
    if not access.can_see_personal_data(by):
        _refuse(_("You may not change this event."), "no_permission")
    name = (name or "").strip()
    if not name:
        _refuse(_("Give the name of the person who is not a member."), "no_name")
    if attended:
        _check_not_future(event.starts_on, _("event"))
    event = _locked_event(event)
    _check_capacity(event)
    return Attendance.objects.create(
        event=event,
        guest_name=name[:50],
        guest_phone=(phone or "").strip()[:20],
        guest_employer=(employer or "").strip()[:200],
        attended=attended,
        registered_on=registered_on,
    )


def _check_staff_of_event(by, event: Event) -> None:
    if not access.is_street_staff(by):
        _refuse(_("Only street staff write an event's notes and attachments."), "no_permission")
    _check_event(by, event)


@transaction.atomic
def event_note_add(*, event: Event, by, text: str) -> EventNote:
    _check_staff_of_event(by, event)
    text = (text or "").strip()
    if not text:
        _refuse(_("The note is empty."), "empty")
    return EventNote.objects.create(event=event, text=text, written_by=by)


@transaction.atomic
def event_attach(*, event: Event, by, upload, description: str = "") -> EventAttachment:
    """Store a photo or the signed sheet under a random name (PDF, JPEG or
    PNG by its content, within the size limit of aid scans)."""
    _check_staff_of_event(by, event)
    return attachment_store(
        EventAttachment,
        upload=upload,
        by=by,
        description=description,
        default_name="file",
        event=event,
    )

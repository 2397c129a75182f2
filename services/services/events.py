"""Event attendance."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from members.models import Member
from services.models import Attendance, Event

from .common import _check_community, _check_not_future, _member_community, _refuse


def _check_event(by, event: Event) -> None:
    if not Event.objects.for_user(by).filter(pk=event.pk).exists():
        _refuse(_("You may not change this event."), "no_permission")


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
    nothing."""
    _check_event(by, event)
    _check_community(by=by, community=_member_community(member))
    if attended:
        _check_not_future(event.starts_on, _("event"))
    row, created = Attendance.objects.get_or_create(
        event=event,
        member=member,
        defaults={"attended": attended, "registered_on": registered_on},
    )
    if not created and attended and not row.attended:
        row.attended = True
        row.save(update_fields=["attended"])
        return row, True
    return row, created

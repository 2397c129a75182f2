"""Events: a person who is not a member can be signed in (counted apart),
registration stops at the event's capacity, staff add notes and
attachments which only a download view that checks access hands out."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from services.models import Attendance
from services.services import attendance_record
from services.services.events import attendance_record_guest, event_attach, event_note_add
from tests.factories import MembershipFactory

from .factories import promotion_week

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def test_a_person_who_is_not_a_member_is_signed_in_and_counted_apart(client, db, sam):
    week = promotion_week()
    attendance_record_guest(
        event=week, by=sam, name="赵六", phone="13700001111", employer="海格国际大厦物业"
    )
    assert Attendance.objects.get(event=week).person_name == "赵六"
    client.force_login(sam)
    page = client.get(f"/surveys/events/{week.pk}/report/").content.decode()
    assert "赵六" in page and "海格国际大厦物业" in page


def test_registration_stops_at_capacity_with_a_clear_message(db, sam, alices_enterprise):
    week = promotion_week()
    week.capacity = 2
    week.save()
    members = [MembershipFactory(enterprise=alices_enterprise).member for _ in range(2)]
    for member in members:
        attendance_record(event=week, member=member, by=sam, attended=False)
    with pytest.raises(ValidationError) as full:
        attendance_record_guest(event=week, by=sam, name="孙七")
    assert "已报满" in full.value.messages[0] and "2 个名额" in full.value.messages[0]
    # Someone already registered may still be marked present.
    _row, changed = attendance_record(event=week, member=members[0], by=sam, attended=True)
    assert changed


def test_a_guest_needs_a_name(db, sam):
    with pytest.raises(ValidationError):
        attendance_record_guest(event=promotion_week(), by=sam, name="  ")


def test_notes_and_attachments_and_who_may_download_them(
    client, db, sam, alice, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    week = promotion_week()
    event_note_add(event=week, by=sam, text="职工最关心子女托管")
    photo = event_attach(
        event=week, by=sam, upload=SimpleUploadedFile("现场.png", PNG), description="现场照片"
    )
    with pytest.raises(ValidationError):
        event_attach(event=week, by=sam, upload=SimpleUploadedFile("x.exe", b"MZ" + b"\0" * 30))
    with pytest.raises(ValidationError):
        event_note_add(event=week, by=alice, text="chairs do not write them")
    client.force_login(sam)
    url = f"/admin/services/event/attachment/{photo.pk}/"
    assert client.get(url).status_code == 200
    assert "职工最关心子女托管" in client.get(f"/surveys/events/{week.pk}/report/").content.decode()
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page

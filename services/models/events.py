"""Events, who registered for and attended them (members, and people who
are not members yet: cadres, chairs, workers), their notes and attachments."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from chunshu_union import access


class EventKind(models.TextChoices):
    TRAINING = "training", _("Training")
    WOMENS_DAY = "womens_day", _("Women's Day")
    SPRING_WALK = "spring_walk", _("Spring walk")
    PROMOTION = "promotion", _("Building promotion week")
    OTHER = "other", _("Other")


class EventQuerySet(models.QuerySet):
    def for_user(self, user):
        """Street-wide events (no community) are open to everyone of that
        street, never another's; a community's own event only within it."""
        return access.scope(
            self, user, community="community", street="federation", street_wide_to_chairs=True
        )


class Event(models.Model):
    federation = models.ForeignKey(
        "enterprises.Federation",
        verbose_name=_("street federation"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    community = models.ForeignKey(
        "enterprises.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        help_text=_("Leave empty for a street-wide event."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"), db_index=True)
    ends_on = models.DateField(_("ends on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    buildings = models.ManyToManyField(
        "enterprises.Building", verbose_name=_("buildings"), blank=True, related_name="events"
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="event_ends_after_start",
                violation_error_message=_("An event cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.starts_on})"

    def places_left(self) -> int | None:
        """None when the event has no capacity."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.attendances.count(), 0)


class AttendanceQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.through(self, user, "event", needs=access.can_see_personal_data)


class Attendance(models.Model):
    """A person registered for an event, and whether they came: a member of
    the street, or someone who is not (yet) a member, named by name, phone
    and employer, and counted apart."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="attendances"
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="attendances",
        null=True,
        blank=True,
    )
    guest_name = models.CharField(_("name (not a member)"), max_length=50, blank=True)
    guest_phone = models.CharField(_("phone (not a member)"), max_length=20, blank=True)
    guest_employer = models.CharField(_("employer (not a member)"), max_length=200, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), default=False)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["event", "member__name", "guest_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member"],
                name="one_attendance_per_member_per_event",
                violation_error_message=_("This member is already registered for the event."),
            ),
            models.CheckConstraint(
                condition=(Q(member__isnull=False) & Q(guest_name=""))
                | (Q(member__isnull=True) & ~Q(guest_name="")),
                name="attendance_member_or_guest",
                violation_error_message=_(
                    "Name either a member or a person who is not a member, not both."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.person_name} @ {self.event}"

    @property
    def is_guest(self) -> bool:
        return self.member_id is None

    @property
    def person_name(self) -> str:
        return self.guest_name if self.is_guest else self.member.name


class EventNoteQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.through(self, user, "event")


class EventNote(models.Model):
    """What staff noted at or after an event (what workers asked, what went
    wrong): the needs report gathers them."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="notes"
    )
    text = models.TextField(_("note"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    written_at = models.DateTimeField(_("written at"), auto_now_add=True)

    objects = EventNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("event note")
        verbose_name_plural = _("event notes")
        ordering = ["written_at", "pk"]

    def __str__(self):
        return self.text[:40]


def _event_attachment_path(instance, filename: str) -> str:
    # A random name under a folder no web server serves (MEDIA_ROOT is not
    # mapped to a URL): only the download view hands a file out.
    return f"events/{instance.event_id}/{secrets.token_hex(16)}"


class EventAttachmentQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.through(self, user, "event", needs=access.can_see_personal_data)


class EventAttachment(models.Model):
    """A photo of the event or a scan of the signed sheet (PDF, JPEG or PNG,
    checked by its content)."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=_event_attachment_path, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = EventAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("event attachment")
        verbose_name_plural = _("event attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

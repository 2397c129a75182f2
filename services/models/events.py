"""Events and who registered for and attended them."""

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


class AttendanceQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.through(self, user, "event", needs=access.can_see_personal_data)


class Attendance(models.Model):
    """A member registered for an event, and whether they came."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="attendances"
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="attendances",
    )
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), default=False)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["event", "member__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member"],
                name="one_attendance_per_member_per_event",
                violation_error_message=_("This member is already registered for the event."),
            ),
        ]

    def __str__(self):
        return f"{self.member.name} @ {self.event}"

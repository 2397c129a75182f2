"""A member's history in the union (会籍变动记录): one row per change of a
membership's state, written by every members service and, in bulk, by the
roster import. The quarter's flows (joined, transferred, held, ended) are
counted from it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from chunshu_union import access, model_fields

from .people import Member, Membership


class MembershipEventQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.through(self, user, "member")


class MembershipEvent(models.Model):
    class Kind(models.TextChoices):
        JOINED = "joined", _("Joined")
        TRANSFERRED_IN = "transferred_in", _("Transferred in from outside the street")
        TRANSFERRED = "transferred", _("Transferred within the street")
        TRANSFERRED_OUT = "transferred_out", _("Transferred out of the street")
        HELD = "held", _("Membership held")
        RESUMED = "resumed", _("Membership resumed")
        ENDED = "ended", _("Membership ended")
        CORRECTED = "corrected", _("Details corrected")
        MERGED = "merged", _("Merged")

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="events"
    )
    membership = models.ForeignKey(
        Membership,
        verbose_name=_("membership"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        db_index=False,  # the (membership) index below serves it
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=40, blank=True, default="", db_default="")
    note = models.CharField(_("note"), max_length=200, blank=True, default="", db_default="")
    recorded_by = model_fields.recorded_by()
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = MembershipEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership event")
        verbose_name_plural = _("membership history")
        ordering = ["-on", "-pk"]
        indexes = [
            models.Index(fields=["kind", "on"], name="membership_event_kind_on"),
            models.Index(fields=["membership"], name="membership_event_membership"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.on}"

"""Assignments (人员联系基层制度), visits and what they found."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from chunshu_union import access, model_fields


class AssignmentQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, community="community")


class Assignment(models.Model):
    """人员联系基层制度: a staff member is assigned an enterprise, or a whole
    community, to keep in touch with."""

    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cadre"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    community = models.ForeignKey(
        "enterprises.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        help_text=_("Leave empty to assign the whole community."),
    )
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact assignment")
        verbose_name_plural = _("contact assignments")
        ordering = ["cadre", "community__position", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "community", "enterprise"],
                condition=Q(until__isnull=True),
                name="one_open_assignment_per_unit",
                violation_error_message=_("This cadre is already assigned this unit."),
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")),
                name="assignment_ends_after_start",
                violation_error_message=_("An assignment cannot end before it starts."),
            ),
        ]

    def __str__(self):
        unit = self.enterprise or self.community
        return f"{self.cadre.get_full_name() or self.cadre} → {unit}"


class VisitKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise visit")
    COMMUNITY = "community", _("Community visit")


class VisitQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, community="community")


class Visit(models.Model):
    """走访: a cadre went into an enterprise or a community on a day."""

    kind = models.CharField(_("kind"), max_length=16, choices=VisitKind.choices)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visitor"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    visited_on = models.DateField(_("visited on"), db_index=True)
    community = models.ForeignKey(
        "enterprises.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
    )
    summary = models.TextField(_("summary"), blank=True)
    recorded_by = model_fields.recorded_by()
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-pk"]
        indexes = [
            models.Index(fields=["visitor", "kind", "visited_on"]),
            models.Index(fields=["enterprise", "visited_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=VisitKind.ENTERPRISE) & Q(enterprise__isnull=False))
                | (Q(kind=VisitKind.COMMUNITY) & Q(enterprise__isnull=True)),
                name="visit_kind_matches_target",
                violation_error_message=_(
                    "An enterprise visit names an enterprise; a community visit does not."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.visited_on} {self.enterprise or self.community}"


class FindingKind(models.TextChoices):
    LABOUR = "labour", _("Labour-relations problem")
    HOT_ISSUE = "hot_issue", _("Workers' hot issue")
    UNION_WORK = "union_work", _("Union-work difficulty")


class FindingQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, community="visit__community")

    def open(self):
        return self.filter(closed_on__isnull=True)


class Finding(models.Model):
    """What a visit found, in one of the three kinds, and its follow-up
    until it is closed."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="findings"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=FindingKind.choices)
    description = models.TextField(_("description"))
    follow_up = models.TextField(_("follow-up"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["closed_on", "-visit__visited_on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.description[:30]}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

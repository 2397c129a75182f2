"""Quarterly figures for leadership (see the dashboard issue).

The dashboard never counts raw rows while a leader waits: a Celery job
(`dashboard.services.quarter_figures_compute`) assembles each app's
`<noun>_figures_for_quarter` once per quarter and scope, and stores the
result here. The declaration rates themselves come from the union-funds snapshots
(`dues.selectors`), which follow the same rule.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chunshu_union import access
from chunshu_union.revisions import Revisioned, RevisionQuerySet


class QuarterFiguresQuerySet(RevisionQuerySet):
    def for_user(self, user):
        """Staff and leaders: their street's figures; nobody else."""
        return access.scope(self, user, street="federation", needs=access.can_see_figures)

    def for_quarter(self, federation_id: int, quarter) -> "QuarterFiguresQuerySet":
        return self.current().filter(federation_id=federation_id, quarter=str(quarter))


class QuarterFigures(Revisioned):
    """One scope's figures for one quarter: the street (no community) or one
    community. Revisions are kept (`chunshu_union.revisions`): a
    recomputation that changes a figure adds revision n+1 and retires n, so
    that what a leader saw stays traceable."""

    federation = models.ForeignKey(
        "enterprises.Federation",
        verbose_name=_("street federation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    community = models.ForeignKey(
        "enterprises.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for the whole street."),
    )
    quarter = models.CharField(_("quarter"), max_length=6, db_index=True)
    figures = models.JSONField(_("figures"), default=dict)

    objects = QuarterFiguresQuerySet.as_manager()

    class Meta:
        verbose_name = _("quarter figures")
        verbose_name_plural = _("quarter figures")
        ordering = ["quarter", "community__position", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "quarter"],
                condition=Q(is_current=True, community__isnull=True),
                name="one_current_street_figures_per_quarter",
            ),
            models.UniqueConstraint(
                fields=["community", "quarter"],
                condition=Q(is_current=True, community__isnull=False),
                name="one_current_community_figures_per_quarter",
            ),
            models.UniqueConstraint(
                fields=["federation", "community", "quarter", "revision"],
                name="quarter_figures_revision_unique",
            ),
        ]
        indexes = [models.Index(fields=["federation", "quarter", "is_current"])]

    def __str__(self):
        scope = self.community or _("the street")
        return f"{self.quarter} · {scope} · r{self.revision}"

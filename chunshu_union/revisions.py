"""Stored figures that keep their history: the snapshot pattern.

A snapshot (the union funds' `RateSnapshot`, the dashboard's
`QuarterFigures`) holds one scope's figures for one quarter. Recomputing
never rewrites what a leader has seen: changed figures add revision n+1 and
retire n, which stays for the record; unchanged figures add nothing. Each
model names its scope in its own fields and constraints (one current
revision per scope and quarter); the revision fields and the one way of
adding a revision are here."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RevisionQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True)


class Revisioned(models.Model):
    """The revision fields of a snapshot (abstract)."""

    revision = models.PositiveIntegerField(_("revision"), default=1)
    is_current = models.BooleanField(_("current revision"), default=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        abstract = True


def revision_add(model: type[Revisioned], *, current: Revisioned | None, **fields) -> Revisioned:
    """Add the next revision of a scope's snapshot: `current` (None for the
    first) is retired and kept; the new one is current, numbered after it
    and computed now unless `computed_at` says otherwise. Run it under the
    job's lock (`chunshu_union.locks.job_lock`), so that two runs cannot
    both add a revision."""
    revision = 1
    if current is not None:
        revision = current.revision + 1
        current.is_current = False
        current.save(update_fields=["is_current"])
    fields.setdefault("computed_at", timezone.now())
    return model.objects.create(revision=revision, is_current=True, **fields)

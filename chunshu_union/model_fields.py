"""Model fields that several apps declare alike."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def recorded_by():
    """The user who recorded a fact: kept when they leave (PROTECT), empty
    for what was loaded without one (demo data, imports by command)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

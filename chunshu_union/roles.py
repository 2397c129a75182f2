"""The roles an account holds. They live on the ground floor so that
`chunshu_union.access` can decide by them without importing an app;
`accounts.models` re-exports `Role` for everything else."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STAFF = "staff", _("Street union staff")
    CHAIR = "chair", _("Community union chair")
    LEADER = "leader", _("Leadership")

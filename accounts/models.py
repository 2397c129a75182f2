from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chunshu_union.roles import Role

__all__ = ["AccessLog", "ApiToken", "Role", "User"]


class User(AbstractUser):
    """A person who signs in. The role decides the door: staff use the admin,
    chairs the portal, leaders the dashboard (see chunshu_union/access.py)."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STAFF)
    federation = models.ForeignKey(
        "enterprises.Federation",
        verbose_name=_("street federation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Staff and leaders see this street only; empty means every street."),
    )
    community = models.ForeignKey(
        "enterprises.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("The community a chair is responsible for."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="chair") | Q(community__isnull=False),
                name="chair_has_community",
                violation_error_message=_("A community chair must be given a community."),
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self):
        """Chinese order: family name first, no space (郝冬梅)."""
        return f"{self.last_name}{self.first_name}".strip()

    def save(self, *args, **kwargs):
        # Only staff may enter /admin/; the flag follows the role.
        self.is_staff = self.role == Role.STAFF or self.is_superuser
        super().save(*args, **kwargs)


class AccessLog(models.Model):
    """Append-only record of every view of personal data in clear, every
    export of personal data and every view of an aid case (PIPL), and of
    every API token made or revoked (a token reads personal data). Kept at
    least 180 days; it never holds a full ID number or a token's key."""

    class Action(models.TextChoices):
        UNMASK = "unmask", _("Personal data shown in clear")
        EXPORT = "export", _("Personal data exported")
        VIEW_AID = "view_aid", _("Aid case viewed")
        TOKEN_CREATE = "token_create", _("API token made")
        TOKEN_REVOKE = "token_revoke", _("API token revoked")
        ID_LOOKUP = "id_lookup", _("Member looked up by full ID number")

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="access_logs"
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=50)
    object_id = models.CharField(_("object id"), max_length=50, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The access log is append-only.")


class ApiToken(models.Model):
    """A token another system uses for the REST API. Only its SHA-256 digest
    is stored; the key is shown once, when it is made. It expires, and it
    dies with its user (an inactive user's token is refused)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

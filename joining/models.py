"""Join links (one per community, building or event, with the code in the
link and the QR code) and the applications that come through them. An
application keeps the ID number and phone as members do: encrypted, with a
keyed digest to find and count them, and masks to show."""

import secrets

from django.conf import settings
from django.contrib import admin
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chunshu_union import access, crypto
from chunshu_union.masks import mask_phone
from members import id_numbers

#: Reference codes and link codes: no 0/O, 1/I/L to misread on a phone.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


class JoinLinkQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, community="community")


class JoinLink(models.Model):
    """Where a form is reached: a community's own link, or one for a
    building or an event of a publicity week (宣传周)."""

    community = models.ForeignKey(
        "enterprises.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="join_links",
    )
    building = models.ForeignKey(
        "enterprises.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    code = models.SlugField(_("code"), max_length=20, unique=True)
    label = models.CharField(
        _("label"), max_length=100, blank=True, help_text=_("A building or an event, if any.")
    )
    is_active = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = JoinLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("join link")
        verbose_name_plural = _("join links")
        ordering = ["community", "label"]

    def __str__(self):
        return f"{self.community} {self.label}".strip()

    def save(self, *args, **kwargs):
        if not self.code:
            self.code = new_code(8).lower()
        super().save(*args, **kwargs)


class ApplicationState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("application", "Waiting for a decision")
    APPROVED = "approved", pgettext_lazy("application", "Approved")
    REFUSED = "refused", pgettext_lazy("application", "Not approved")
    LEAD = "lead", pgettext_lazy("application", "Employer has no union yet")


class JoinApplicationQuerySet(models.QuerySet):
    def for_user(self, user):
        """Staff see their street's; a chair sees their community's
        applications for an employer listed there (an unlisted employer is
        for staff)."""
        return access.scope(
            self,
            user,
            community="community",
            chairs_see_current=Q(enterprise__isnull=False),
            needs=access.can_see_personal_data,
        )

    def pending(self):
        return self.filter(state=ApplicationState.PENDING)


class JoinApplication(models.Model):
    reference = models.CharField(_("reference"), max_length=12, unique=True)
    link = models.ForeignKey(
        JoinLink, verbose_name=_("link"), on_delete=models.PROTECT, related_name="applications"
    )
    community = models.ForeignKey(
        "enterprises.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="join_applications",
    )
    name = models.CharField(_("full name"), max_length=50)
    id_encrypted = models.TextField(editable=False)
    id_digest = models.CharField(max_length=64, editable=False, db_index=True)
    id_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    phone_encrypted = models.TextField(editable=False)
    phone_digest = models.CharField(max_length=64, editable=False, db_index=True)
    phone_masked = models.CharField(_("phone"), max_length=20, editable=False)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    employer_typed = models.CharField(_("employer (as typed)"), max_length=100, blank=True)
    consent_version = models.CharField(_("consent"), max_length=20)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=ApplicationState.choices,
        default=ApplicationState.PENDING,
        db_index=True,
    )
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    membership = models.ForeignKey(
        "members.Membership",
        verbose_name=_("membership"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = JoinApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("join application")
        verbose_name_plural = _("join applications")
        ordering = ["-created_at"]
        constraints = [
            # One application waiting per person: a second is refused.
            models.UniqueConstraint(
                fields=["id_digest"],
                condition=Q(state="pending"),
                name="join_one_pending_per_person",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.name}"

    def set_id_number(self, number: str) -> None:
        self.id_encrypted = crypto.encrypt(number)
        self.id_digest = crypto.digest(number)
        self.id_masked = id_numbers.mask(number)

    @property
    def id_number(self) -> str:
        return crypto.decrypt(self.id_encrypted)

    def set_phone(self, phone: str) -> None:
        self.phone_encrypted = crypto.encrypt(phone)
        self.phone_digest = crypto.digest(f"phone:{phone}")
        self.phone_masked = mask_phone(phone)

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_encrypted)

    @property
    @admin.display(description=_("employer"))
    def employer(self) -> str:
        return self.enterprise.name if self.enterprise_id else self.employer_typed

    @property
    def for_staff(self) -> bool:
        """An unlisted employer: staff add the enterprise or record a lead."""
        return self.enterprise_id is None

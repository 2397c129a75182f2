"""Emergency aid (临时应急救助): cases and their scanned attachments."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from chunshu_union import access


class AidStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid")


class AidCaseQuerySet(models.QuerySet):
    def for_user(self, user):
        """Only staff holding the aid permission see any aid case."""
        return access.scope(self, user, community="community", needs=access.can_see_aid)


class AidCase(models.Model):
    """临时应急救助: submitted → reviewed → approved or rejected → paid, each
    step by a different person (see `services.services`)."""

    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="aid_cases",
    )
    community = models.ForeignKey(
        "enterprises.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="aid_cases",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AidStatus.choices, default=AidStatus.SUBMITTED
    )
    applied_on = models.DateField(_("applied on"), db_index=True)
    reason = models.TextField(_("hardship"))
    amount_requested = models.DecimalField(_("amount requested"), max_digits=10, decimal_places=2)
    amount_approved = models.DecimalField(
        _("amount approved"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved or rejected by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paid by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    objects = AidCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency aid case")
        verbose_name_plural = _("emergency aid cases")
        ordering = ["-applied_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_requested__gt=0),
                name="aid_requested_positive",
                violation_error_message=_("The amount requested must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(amount_approved__isnull=True) | Q(amount_approved__gt=0),
                name="aid_approved_positive",
                violation_error_message=_("The amount approved must be more than zero."),
            ),
            # Each step by a different person, in the database too.
            models.CheckConstraint(
                condition=~Q(reviewed_by=F("submitted_by")),
                name="aid_reviewer_not_submitter",
                violation_error_message=_("The person who submitted a case cannot review it."),
            ),
            models.CheckConstraint(
                condition=~Q(decided_by=F("reviewed_by")),
                name="aid_approver_not_reviewer",
                violation_error_message=_("The person who reviewed a case cannot approve it."),
            ),
            models.CheckConstraint(
                condition=~Q(decided_by=F("submitted_by")),
                name="aid_approver_not_submitter",
                violation_error_message=_("The person who submitted a case cannot approve it."),
            ),
            models.CheckConstraint(
                condition=~Q(paid_by=F("decided_by")),
                name="aid_payer_not_approver",
                violation_error_message=_("The person who approved a case cannot pay it."),
            ),
            models.CheckConstraint(
                condition=~Q(paid_by=F("reviewed_by")),
                name="aid_payer_not_reviewer",
                violation_error_message=_("The person who reviewed a case cannot pay it."),
            ),
            models.CheckConstraint(
                condition=Q(status=AidStatus.SUBMITTED) | Q(reviewed_by__isnull=False),
                name="aid_reviewed_before_decided",
                violation_error_message=_("A case must be reviewed first."),
            ),
            models.CheckConstraint(
                condition=~Q(status=AidStatus.PAID)
                | (Q(paid_by__isnull=False) & Q(amount_approved__isnull=False)),
                name="aid_paid_has_payer",
                violation_error_message=_("A paid case names who paid it and how much."),
            ),
        ]

    def __str__(self):
        return f"{self.member.name} · {self.applied_on} · {self.get_status_display()}"


def _attachment_path(instance, filename):
    # A random name: nothing about the member or the document leaks through
    # the file system, and no name a user chose is ever used.
    return f"aid/{instance.case_id}/{secrets.token_hex(16)}"


class AidAttachmentQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.through(self, user, "case")


class AidAttachment(models.Model):
    """A scan of a supporting document (PDF, JPEG or PNG, checked by its
    content). Stored under MEDIA_ROOT with a random name and served only by
    a view that checks the aid permission."""

    case = models.ForeignKey(
        AidCase, verbose_name=_("aid case"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)
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

    objects = AidAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

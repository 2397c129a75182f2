"""What a member is covered by and checked for: the 京卡 card's steps,
mutual-aid insurance, and verification campaigns."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chunshu_union import access, model_fields

from .people import JingCard, Member, ThroughMemberQuerySet


class JingCardChange(models.Model):
    """One step of a member's 京卡 (Beijing union member card): not applied →
    applied → issued → activated. `Member.jingcard_status` is the latest."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="jingcard_changes"
    )
    from_status = models.CharField(_("from"), max_length=16, choices=JingCard.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=JingCard.choices)
    changed_on = models.DateField(_("changed on"))
    recorded_by = model_fields.recorded_by()
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ThroughMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("Jing card change")
        verbose_name_plural = _("Jing card changes")
        ordering = ["-changed_on", "-pk"]

    def __str__(self):
        return (
            f"{self.member.name}: {self.get_from_status_display()} → {self.get_to_status_display()}"
        )


class InsuranceEnrolment(models.Model):
    """Workers' mutual insurance (职工互助保险), per member per year."""

    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="insurance_enrolments",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    enrolled_on = models.DateField(_("enrolled on"))
    plan = models.CharField(_("plan"), max_length=100, blank=True)
    premium = models.DecimalField(_("premium"), max_digits=10, decimal_places=2, default=0)
    recorded_by = model_fields.recorded_by()

    objects = ThroughMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("insurance enrolment")
        verbose_name_plural = _("insurance enrolments")
        ordering = ["-year", "member"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year"],
                name="one_insurance_enrolment_per_year",
                violation_error_message=_("This member is already enrolled for that year."),
            ),
            models.CheckConstraint(
                condition=Q(premium__gte=0),
                name="insurance_premium_not_negative",
                violation_error_message=_("The premium cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.member.name} · {self.year}"


class VerificationCampaignQuerySet(models.QuerySet):
    def for_user(self, user):
        """A street's campaign: its staff, and its chairs (who verify their
        members in it)."""
        return access.scope(self, user, street="federation", street_wide_to_chairs=True)


class VerificationCampaign(models.Model):
    """A campaign of member-data verification (会员信息核准/采集补录)."""

    federation = models.ForeignKey(
        "enterprises.Federation",
        verbose_name=_("street federation"),
        on_delete=models.PROTECT,
        related_name="verification_campaigns",
    )
    name = models.CharField(_("name"), max_length=100)
    started_on = models.DateField(_("started on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    objects = VerificationCampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("verification campaign")
        verbose_name_plural = _("verification campaigns")
        ordering = ["-started_on"]

    def __str__(self):
        return self.name


class Verification(models.Model):
    """Who verified whose data, when, within a campaign."""

    campaign = models.ForeignKey(
        VerificationCampaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="verifications",
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="verifications"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ThroughMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        ordering = ["-verified_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "member"], name="one_verification_per_campaign"
            ),
        ]

    def __str__(self):
        return f"{self.member.name} · {self.campaign}"

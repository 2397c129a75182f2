"""Welfare items, the street's batches of them, and handouts."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chunshu_union import access, model_fields


class WelfareItem(models.Model):
    """What is handed out: 福包, 庙会票, 清凉包 …"""

    name = models.CharField(_("name"), max_length=50, unique=True)
    unit = models.CharField(_("unit"), max_length=10, default="份")

    class Meta:
        verbose_name = _("welfare item")
        verbose_name_plural = _("welfare items")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Campaign(models.TextChoices):
    WARMTH = "warmth", _("Winter warmth (送温暖)")
    COOLNESS = "coolness", _("Summer coolness (送清凉)")
    HOLIDAY = "holiday", _("Holiday")
    OTHER = "other", _("Other")


class WelfareBatchQuerySet(models.QuerySet):
    def for_user(self, user):
        """A street's batch: its staff, and its chairs, who hand it out."""
        return access.scope(self, user, street="federation", street_wide_to_chairs=True)


class WelfareBatch(models.Model):
    """One campaign's stock of one item. `stock` is what is left; it never
    goes below zero (a database constraint and an atomic F() update)."""

    federation = models.ForeignKey(
        "enterprises.Federation",
        verbose_name=_("street federation"),
        on_delete=models.PROTECT,
        related_name="welfare_batches",
    )
    item = models.ForeignKey(
        WelfareItem,
        verbose_name=pgettext_lazy("welfare", "item"),
        on_delete=models.PROTECT,
        related_name="batches",
    )
    name = models.CharField(_("name"), max_length=100)
    campaign = models.CharField(
        pgettext_lazy("welfare", "campaign"), max_length=16, choices=Campaign.choices
    )
    received_on = models.DateField(_("received on"))
    quantity = models.PositiveIntegerField(_("quantity received"))
    stock = models.PositiveIntegerField(_("in stock"))

    objects = WelfareBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("welfare batch")
        verbose_name_plural = _("welfare batches")
        ordering = ["-received_on", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "name"], name="welfare_batch_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(stock__gte=0) & Q(stock__lte=F("quantity")),
                name="welfare_stock_within_quantity",
                violation_error_message=_("The stock cannot go below zero."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def handed_out(self) -> int:
        return self.quantity - self.stock


class HandoutQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, community="community", needs=access.can_see_personal_data)


class Handout(models.Model):
    """Items of a batch handed to one member, or to an enterprise for its
    workers. A member gets at most one of a batch, whichever community
    hands it out (a database constraint)."""

    batch = models.ForeignKey(
        WelfareBatch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="handouts"
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handouts",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handouts",
    )
    community = models.ForeignKey(
        "enterprises.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="handouts",
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    handed_on = models.DateField(_("handed out on"), db_index=True)
    recorded_by = model_fields.recorded_by()

    objects = HandoutQuerySet.as_manager()

    class Meta:
        verbose_name = _("handout")
        verbose_name_plural = _("handouts")
        ordering = ["-handed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "member"],
                condition=Q(member__isnull=False),
                name="one_handout_per_member_per_batch",
                violation_error_message=_("This member has already received this batch."),
            ),
            models.CheckConstraint(
                condition=(Q(member__isnull=False) & Q(quantity=1))
                | (Q(member__isnull=True) & Q(enterprise__isnull=False) & Q(quantity__gte=1)),
                name="handout_to_member_or_enterprise",
                violation_error_message=_(
                    "A handout goes to one member (one item) or to an enterprise."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.batch} → {self.member.name if self.member_id else self.enterprise}"

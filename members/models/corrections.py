"""Putting a person's record right: corrections of an ID number or a name
(asked by a chair, applied by staff), merges of two records that are one
person, the retirement decisions that take a member off the retirement
list, and the pairs staff found to be two people after all. Every one is a
record of who, when and why; none holds a former ID number in clear."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chunshu_union import access, model_fields

from .people import Member, Membership


class ThroughMemberRecords(models.QuerySet):
    def for_user(self, user):
        return access.through(self, user, "member")


class Correction(models.Model):
    """A change of a member's ID number or name. A chair's request waits
    (`requested`) for staff to apply or refuse it; staff's own correction is
    applied at once. The former number is kept as its digest and its mask;
    a requested new number is held encrypted only until it is decided."""

    class Field(models.TextChoices):
        ID_NUMBER = "id_number", _("ID number")
        NAME = "name", _("full name")

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPLIED = "applied", _("Applied")
        REFUSED = "refused", _("Refused")

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="corrections"
    )
    field = models.CharField(_("what is corrected"), max_length=10, choices=Field.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    old_name = models.CharField(_("former name"), max_length=50, blank=True)
    new_name = models.CharField(_("new name"), max_length=50, blank=True)
    old_id_digest = models.CharField(_("former ID number digest"), max_length=64, blank=True)
    old_id_masked = models.CharField(_("former ID number"), max_length=18, blank=True)
    new_id_encrypted = models.TextField(_("new ID number (encrypted)"), blank=True)
    new_id_digest = models.CharField(_("new ID number digest"), max_length=64, blank=True)
    new_id_masked = models.CharField(_("new ID number"), max_length=18, blank=True)
    reason = models.CharField(_("reason"), max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refusal = models.CharField(_("reason for refusing"), max_length=200, blank=True)

    objects = ThroughMemberRecords.as_manager()

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "field"],
                condition=Q(state="requested"),
                name="one_pending_correction_per_field",
                violation_error_message=_(
                    "A correction of this is already waiting for a decision."
                ),
            )
        ]

    def __str__(self):
        return f"{self.member.name} · {self.get_field_display()} · {self.get_state_display()}"


class MemberMerge(models.Model):
    """Two records found to be one person: everything of the merged record
    (memberships, transfers, history, coverage, services' records) was moved
    onto `member`, the record kept, and the merged record removed. What
    identified it is kept here: its name, and its ID number as digest and
    mask, never in clear."""

    member = models.ForeignKey(
        Member, verbose_name=_("kept member"), on_delete=models.PROTECT, related_name="merges"
    )
    merged_member_id = models.PositiveIntegerField(_("merged record's number"))
    merged_name = models.CharField(_("merged name"), max_length=50)
    merged_id_digest = models.CharField(_("merged ID number digest"), max_length=64)
    merged_id_masked = models.CharField(_("merged ID number"), max_length=18)
    moved = models.JSONField(_("records moved"), default=dict)
    reason = models.CharField(_("reason"), max_length=200)
    recorded_by = model_fields.recorded_by()
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ThroughMemberRecords.as_manager()

    class Meta:
        verbose_name = _("member merge")
        verbose_name_plural = _("member merges")
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["merged_id_digest"], name="member_merge_digest")]

    def __str__(self):
        return f"{self.merged_name} ({self.merged_id_masked}) → {self.member}"


class RetirementDecision(models.Model):
    """A chair's or staff's answer for a member on the retirement list
    (members.retirement): confirmed retired — the membership is held with
    the reason "retired" — or kept at work, which takes the member off the
    list for as long as this membership lasts."""

    class Outcome(models.TextChoices):
        RETIRED = "retired", _("Retired: membership held")
        KEEP_WORKING = "keep_working", _("Still at work")

    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="retirement_decisions",
    )
    membership = models.ForeignKey(
        Membership,
        verbose_name=_("membership"),
        on_delete=models.PROTECT,
        related_name="retirement_decisions",
    )
    outcome = models.CharField(_("decision"), max_length=12, choices=Outcome.choices)
    decided_on = models.DateField(_("decided on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = model_fields.recorded_by()
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ThroughMemberRecords.as_manager()

    class Meta:
        verbose_name = _("retirement decision")
        verbose_name_plural = _("retirement decisions")
        ordering = ["-decided_on", "-pk"]

    def __str__(self):
        return f"{self.member.name} · {self.get_outcome_display()}"


class NotDuplicate(models.Model):
    """Two records the near-duplicate report paired that staff found to be
    two people (the same common name and birthday): the pair leaves the
    report. `first` is the lower id."""

    first = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    second = models.ForeignKey(
        Member, verbose_name=_("other member"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = model_fields.recorded_by()
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("not a duplicate")
        verbose_name_plural = _("not duplicates")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="not_duplicate_pair"),
            models.CheckConstraint(
                condition=Q(first__lt=models.F("second")), name="not_duplicate_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.first_id} ≠ {self.second_id}"

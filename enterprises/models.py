"""The organisation: the street federation, its communities, the enterprises
with unions, and each enterprise's dated status history."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from chunshu_union import access, model_fields

from .credit_codes import validate_credit_code


class FederationQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, street="pk", street_wide_to_chairs=True)


class Federation(models.Model):
    """A street-level federation (街道总工会). One per installation today; a
    district would hold several."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)

    objects = FederationQuerySet.as_manager()

    class Meta:
        verbose_name = _("street federation")
        verbose_name_plural = _("street federations")

    def __str__(self):
        return self.name


class CommunityQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, community="pk", street="federation")


class Community(models.Model):
    """A community (社区) and its community joint union (社区联合工会)."""

    federation = models.ForeignKey(
        Federation,
        verbose_name=_("street federation"),
        on_delete=models.PROTECT,
        related_name="communities",
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["federation", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["federation", "name"], name="community_name_unique"),
            models.UniqueConstraint(fields=["federation", "code"], name="community_code_unique"),
        ]

    def __str__(self):
        return self.name


class BuildingQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, street="federation", street_wide_to_chairs=True)


class Building(models.Model):
    """An office building (楼宇), a unit of outreach work."""

    federation = models.ForeignKey(
        Federation,
        verbose_name=_("street federation"),
        on_delete=models.PROTECT,
        related_name="buildings",
    )
    name = models.CharField(_("name"), max_length=100)

    objects = BuildingQuerySet.as_manager()

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["federation", "name"], name="building_name_unique"),
        ]

    def __str__(self):
        return self.name


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPECTED_DORMANT = "suspected_dormant", _("Suspected dormant")
    VERIFIED_ACTIVE = "verified_active", _("Verified active")
    MOVED_OUT = "moved_out", _("Moved out")
    DEREGISTERED = "deregistered", _("Deregistered")
    UNREACHABLE = "unreachable", _("Unreachable")


#: Statuses that take an enterprise out of the union-funds collection scope
#: from their effective date (the denominator's "减").
OUT_OF_SCOPE = (Status.MOVED_OUT, Status.DEREGISTERED)


class Ownership(models.TextChoices):
    NON_PUBLIC = "non_public", _("Non-public")
    STATE = "state", _("State-owned")
    COLLECTIVE = "collective", _("Collective")
    FOREIGN = "foreign", _("Foreign-invested")
    PUBLIC_INSTITUTION = "institution", _("Public institution")
    OTHER = "other", _("Other")


class EnterpriseQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, community="community")

    def status_on(self, day: datetime.date):
        """Annotate each enterprise with the status in force on `day`
        (`status_on_day`), read from the history; None before the first."""
        latest = (
            EnterpriseStatus.objects.filter(enterprise=OuterRef("pk"), effective_on__lte=day)
            .order_by("-effective_on", "-pk")
            .values("status")[:1]
        )
        return self.annotate(status_on_day=Subquery(latest))

    def in_scope_on(self, day: datetime.date):
        """Enterprises with a union on `day` and not moved out or deregistered
        by then: the collection scope that the declaration rate divides by."""
        # Set-based rather than a per-row "latest status" subquery: the few
        # exits whose entry is still the latest on `day` are found once and
        # excluded with a hashed NOT IN, which keeps 100,000 enterprises well
        # under a second on PostgreSQL. An enterprise without any history
        # entry is in scope.
        return self.filter(union_founded_on__lte=day).exclude(pk__in=_left_scope_by(day))


def _left_scope_by(day: datetime.date):
    """Ids of enterprises whose status in force on `day` (the latest entry
    by effective date, then by id, as `status_on`) is moved out or
    deregistered."""
    later = EnterpriseStatus.objects.filter(
        enterprise=OuterRef("enterprise"), effective_on__lte=day
    ).filter(
        Q(effective_on__gt=OuterRef("effective_on"))
        | Q(effective_on=OuterRef("effective_on"), pk__gt=OuterRef("pk"))
    )
    return (
        EnterpriseStatus.objects.filter(status__in=OUT_OF_SCOPE, effective_on__lte=day)
        .exclude(Exists(later))
        .values("enterprise_id")
    )


class Enterprise(models.Model):
    """An enterprise with a union (建会企业)."""

    name = models.CharField(_("name"), max_length=200, db_index=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
    )
    headcount = models.PositiveIntegerField(_("headcount"), default=0)
    ownership = models.CharField(
        _("ownership"), max_length=16, choices=Ownership.choices, default=Ownership.NON_PUBLIC
    )
    union_founded_on = models.DateField(_("union founded on"), null=True, blank=True)
    union_chair = models.CharField(_("union chair"), max_length=50, blank=True)
    union_chair_phone = models.CharField(_("union chair phone"), max_length=20, blank=True)
    # The status in force today, kept in step with the history by
    # enterprises.services.enterprise_set_status; the history is the truth.
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["community__position", "name"]

    def __str__(self):
        return self.name


class EnterpriseStatusQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, community="enterprise__community")


class EnterpriseStatus(models.Model):
    """One dated entry of an enterprise's status history. Append-only: a
    mistake is corrected by a newer entry, never by editing an old one."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="status_history",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    effective_on = models.DateField(_("effective on"))
    reason = models.TextField(_("reason"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    recorded_by = model_fields.recorded_by()
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = EnterpriseStatusQuerySet.as_manager()

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status history")
        ordering = ["-effective_on", "-pk"]
        indexes = [models.Index(fields=["enterprise", "effective_on"])]

    def __str__(self):
        return f"{self.enterprise} · {self.get_status_display()} · {self.effective_on}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Status history is append-only; record a new change."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Status history is append-only; record a new change."))


# --- Registers: collective bargaining and democratic management ------------
# (services issue; operations in enterprises/registers.py)


class RegisterScope(models.TextChoices):
    ENTERPRISE = "enterprise", _("Single enterprise")
    REGIONAL = "regional", _("Regional")
    INDUSTRY = "industry", _("Industry-wide")


class CollectiveAgreementQuerySet(models.QuerySet):
    def for_user(self, user):
        """A chair sees an agreement that covers one of their community's
        enterprises, or their community's regional one; staff their street's."""
        return access.scope(
            self, user, community=("community", "enterprises__community"), street="federation"
        )

    def in_force_on(self, day: datetime.date):
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class CollectiveAgreement(models.Model):
    """工资集体协商: an agreement of one enterprise, or a regional / industry
    one covering several (the enterprises it covers are listed)."""

    federation = models.ForeignKey(
        Federation,
        verbose_name=_("street federation"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    scope = models.CharField(_("scope"), max_length=16, choices=RegisterScope.choices)
    title = models.CharField(_("title"), max_length=200)
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
        help_text=_("For a regional agreement run by a community joint union."),
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    enterprises = models.ManyToManyField(
        Enterprise, verbose_name=_("enterprises covered"), related_name="agreements"
    )
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("in force from"))
    ends_on = models.DateField(_("in force until"))
    wage_rise_percent = models.DecimalField(
        _("agreed wage rise (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    covered_workers = models.PositiveIntegerField(_("covered workers"), default=0)
    is_demonstration = models.BooleanField(
        _("demonstration unit"),
        default=False,
        help_text=_(
            "典型示范单位: a single enterprise of 100 or more employees meeting the standard."
        ),
    )

    objects = CollectiveAgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("collective agreement")
        verbose_name_plural = _("collective agreements")
        ordering = ["-signed_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="agreement_ends_after_start",
                violation_error_message=_("An agreement cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(starts_on__gte=models.F("signed_on")),
                name="agreement_starts_after_signing",
                violation_error_message=_("An agreement cannot be in force before it is signed."),
            ),
            models.CheckConstraint(
                condition=models.Q(is_demonstration=False)
                | models.Q(scope=RegisterScope.ENTERPRISE),
                name="demonstration_is_single_enterprise",
                violation_error_message=_(
                    "Only a single enterprise's agreement can be a demonstration unit."
                ),
            ),
        ]

    def __str__(self):
        return self.title


class WorkerCongressQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, community="community")


class WorkerCongress(models.Model):
    """职工代表大会 of one enterprise, or a regional one run by a community
    joint union; its sessions are below it."""

    scope = models.CharField(_("scope"), max_length=16, choices=RegisterScope.choices)
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="worker_congresses",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="worker_congresses",
    )
    name = models.CharField(_("name"), max_length=200)
    established_on = models.DateField(_("established on"))

    objects = WorkerCongressQuerySet.as_manager()

    class Meta:
        verbose_name = _("workers' congress")
        verbose_name_plural = _("workers' congresses")
        ordering = ["community__position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(scope=RegisterScope.ENTERPRISE) & models.Q(enterprise__isnull=False)
                )
                | (~models.Q(scope=RegisterScope.ENTERPRISE) & models.Q(enterprise__isnull=True)),
                name="congress_scope_matches_enterprise",
                violation_error_message=_(
                    "An enterprise's congress names the enterprise; a regional one does not."
                ),
            ),
        ]

    def __str__(self):
        return self.name


class CongressSessionQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, community="congress__community")


class CongressSession(models.Model):
    congress = models.ForeignKey(
        WorkerCongress,
        verbose_name=_("workers' congress"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    held_on = models.DateField(_("held on"))
    delegates = models.PositiveIntegerField(_("delegates present"), default=0)
    resolutions = models.TextField(_("resolutions"), blank=True)

    objects = CongressSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("congress session")
        verbose_name_plural = _("congress sessions")
        ordering = ["-held_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "held_on"],
                name="one_session_per_congress_per_day",
                violation_error_message=_("This congress already has a session on that day."),
            ),
        ]

    def __str__(self):
        return f"{self.congress} · {self.held_on}"


class DisclosureMethod(models.TextChoices):
    NOTICE_BOARD = "board", _("Notice board")
    MEETING = "meeting", _("Meeting")
    ONLINE = "online", _("Online")
    OTHER = "other", _("Other")


class AffairsDisclosureQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, community="enterprise__community")


class AffairsDisclosure(models.Model):
    """厂务公开: what an enterprise disclosed to its workers, when and how."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="disclosures",
    )
    disclosed_on = models.DateField(_("disclosed on"))
    topic = models.CharField(_("topic"), max_length=200)
    method = models.CharField(
        _("method"),
        max_length=16,
        choices=DisclosureMethod.choices,
        default=DisclosureMethod.NOTICE_BOARD,
    )
    content = models.TextField(_("content"), blank=True)

    objects = AffairsDisclosureQuerySet.as_manager()

    class Meta:
        verbose_name = _("affairs disclosure")
        verbose_name_plural = _("affairs disclosures")
        ordering = ["-disclosed_on"]

    def __str__(self):
        return f"{self.enterprise} · {self.topic}"

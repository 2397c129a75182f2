"""Union funds: the tax bureau's declarations, the quarter snapshots of the
declaration rate, and the suspected-zombie flags staff resolve by visiting."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chunshu_union import access
from chunshu_union.imports.models import ImportJob, ImportJobQuerySet
from chunshu_union.quarters import Quarter
from chunshu_union.revisions import Revisioned, RevisionQuerySet


class DeclarationQuerySet(models.QuerySet):
    def for_user(self, user):
        """Staff see every declaration, the unmatched ones too (they belong to
        no community yet); chairs and leaders only matched ones in scope."""
        return access.scope(
            self, user, community="enterprise__community", unassigned=Q(enterprise__isnull=True)
        )

    def unmatched(self):
        return self.filter(enterprise__isnull=True)

    def counting(self):
        """The declarations that can make an enterprise declared: a refund
        (退税, a negative amount) is kept for its period but never counts
        on its own."""
        return self.filter(is_refund=False)

    def ending_in(self, quarter: Quarter):
        """Declarations whose tax period ends within `quarter`."""
        return self.filter(period_end__gte=quarter.first_day, period_end__lte=quarter.last_day)


class Declaration(models.Model):
    """One union-funds row of the tax bureau's declaration details (申报明细);
    rows of other taxes are never stored. A corrected declaration (更正申报)
    is another row for the same period with a later declaration date; the
    rate counts the enterprise once either way. A refund (negative amount)
    is kept for its period but does not make the enterprise declared."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declarations",
        help_text=_("Empty while the taxpayer matches no enterprise (unmatched)."),
    )
    credit_code = models.CharField(
        _("taxpayer ID"),
        max_length=20,
        db_index=True,
        help_text=_(
            "The credit code; an old 15- or 20-character tax registration number is kept"
            " as the tax bureau wrote it (and matches no enterprise)."
        ),
    )
    taxpayer_name = models.CharField(_("taxpayer name"), max_length=200)
    item = models.CharField(_("item"), max_length=50, default="工会经费")
    # The database defaults let raw SQL (the benchmarks, a DBA's fix) insert
    # rows without naming the columns added for the tax bureau's export.
    sub_item = models.CharField(
        _("sub-item"),
        max_length=100,
        blank=True,
        default="",
        db_default="",
        help_text=_("The tax sub-item, as the export names it."),
    )
    period_start = models.DateField(_("tax period start"))
    period_end = models.DateField(_("tax period end"))
    base = models.DecimalField(_("base"), max_digits=16, decimal_places=2, default=0)
    rate = models.DecimalField(_("rate"), max_digits=7, decimal_places=4, default=0)
    amount_due = models.DecimalField(_("amount due"), max_digits=14, decimal_places=2, default=0)
    amount_paid = models.DecimalField(_("amount paid"), max_digits=14, decimal_places=2, default=0)
    declared_on = models.DateField(
        _("declaration date"),
        help_text=_("When the export gives only the date the treasury received it, that date."),
    )
    paid_on = models.DateField(_("date received by the treasury"), null=True, blank=True)
    is_zero = models.BooleanField(_("zero declaration"), default=False)
    is_refund = models.BooleanField(
        _("refund"),
        default=False,
        db_default=False,
        help_text=_("A negative amount: kept, but it does not count as declaring."),
    )
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DeclarationQuerySet.as_manager()

    class Meta:
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")
        ordering = ["-period_end", "credit_code", "-declared_on"]
        constraints = [
            # The natural key of a row of the tax export: re-importing the
            # same file finds every row again. A refund filed the same day is
            # another row, not a correction of the declaration.
            models.UniqueConstraint(
                fields=[
                    "credit_code",
                    "item",
                    "period_start",
                    "period_end",
                    "declared_on",
                    "is_refund",
                ],
                name="declaration_natural_key",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="declaration_period_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["enterprise", "period_end"], name="decl_enterprise_period"),
            # Covering: the rate's "declared in Q" sets are read from the
            # index alone (an index-only scan), never from the table.
            models.Index(
                fields=["period_end", "enterprise", "is_zero", "is_refund"],
                name="decl_period_covering",
            ),
        ]

    def __str__(self):
        return f"{self.taxpayer_name} {self.period_start}–{self.period_end}"

    @property
    def quarter(self) -> Quarter:
        return Quarter.containing(self.period_end)


class UnmatchedDeclaration(Declaration):
    """The admin's list of declarations whose taxpayer matches no enterprise
    (often a union not yet founded)."""

    class Meta:
        proxy = True
        verbose_name = _("unmatched declaration")
        verbose_name_plural = _("unmatched declarations")


class RateSnapshotQuerySet(RevisionQuerySet):
    def for_user(self, user):
        """Staff and leaders: their street's rows (street and communities);
        a chair: their own community's rows."""
        return access.scope(self, user, community="community", street="federation")


class RateSnapshot(Revisioned):
    """A quarter's declaration figures for one scope (the street, or one
    community), with the enterprises behind them. Once the quarter has ended
    the snapshot is frozen: a recomputation that finds different figures adds
    a new revision (who, when, what changed; `chunshu_union.revisions`) and
    never rewrites this one."""

    federation = models.ForeignKey(
        "enterprises.Federation",
        verbose_name=_("street federation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    community = models.ForeignKey(
        "enterprises.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for the whole street."),
    )
    scope_key = models.CharField(max_length=20, editable=False)
    quarter = models.CharField(_("quarter"), max_length=6, db_index=True)
    frozen = models.BooleanField(
        _("frozen"), default=False, help_text=_("The quarter had ended when this was computed.")
    )
    declared = models.PositiveIntegerField(_("declared"))
    obligated = models.PositiveIntegerField(_("obligated"))
    zero_declared = models.PositiveIntegerField(_("zero declarations"))
    rate = models.DecimalField(
        _("declaration rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty when the scope has no obligated enterprise."),
    )
    declared_ids = models.JSONField(_("declared enterprises"), default=list)
    obligated_ids = models.JSONField(_("obligated enterprises"), default=list)
    zero_ids = models.JSONField(_("zero-declaring enterprises"), default=list)
    changes = models.JSONField(_("changes from the previous revision"), default=dict, blank=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("computed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = RateSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("rate snapshot")
        verbose_name_plural = _("rate snapshots")
        ordering = ["-quarter", "federation", "scope_key", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "quarter", "scope_key", "revision"],
                name="snapshot_revision_unique",
            ),
            models.UniqueConstraint(
                fields=["federation", "quarter", "scope_key"],
                condition=Q(is_current=True),
                name="snapshot_one_current",
            ),
        ]

    def __str__(self):
        return f"{self.quarter} {self.scope_name} r{self.revision}"

    @property
    def scope_name(self) -> str:
        return self.community.name if self.community_id else str(_("Whole street"))

    @property
    def quarter_value(self) -> Quarter:
        return Quarter.parse(self.quarter)


class Resolution(models.TextChoices):
    STILL_ACTIVE = "still_active", _("Still active")
    MOVED_OUT = "moved_out", _("Moved out")
    DEREGISTERED = "deregistered", _("Deregistered")
    UNREACHABLE = "unreachable", _("Unreachable")


class ZombieFlagQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, community="enterprise__community")

    def open(self):
        return self.filter(resolution="")


class ZombieFlag(models.Model):
    """A suspected dormant enterprise (僵尸户): obligated, yet no declaration
    in each of the last N complete quarters up to `quarter`. The reasons
    explain the score, which orders the staff's visit list."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="zombie_flags",
    )
    quarter = models.CharField(_("assessed up to quarter"), max_length=6, db_index=True)
    flagged_on = models.DateField(_("flagged on"))
    missing_quarters = models.JSONField(_("quarters without declaration"), default=list)
    reasons = models.JSONField(_("reasons"), default=list)
    score = models.PositiveIntegerField(_("score"), default=0, db_index=True)
    resolution = models.CharField(
        _("resolution"), max_length=20, choices=Resolution.choices, blank=True
    )
    resolved_on = models.DateField(_("effective on"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    status_entry = models.ForeignKey(
        "enterprises.EnterpriseStatus",
        verbose_name=_("status change"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ZombieFlagQuerySet.as_manager()

    #: What a resolution records (dues.services.zombie_resolve writes them,
    #: the admin shows them after the flag's own fields).
    RESOLUTION_FIELDS = (
        "resolution",
        "resolved_on",
        "evidence",
        "resolved_by",
        "resolved_at",
        "status_entry",
    )

    class Meta:
        verbose_name = _("suspected zombie")
        verbose_name_plural = _("suspected zombies")
        ordering = ["resolution", "-score", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(resolution=""),
                name="zombie_one_open_flag",
            ),
        ]

    def __str__(self):
        return f"{self.enterprise} ({self.quarter})"

    @property
    def is_open(self) -> bool:
        return not self.resolution


# --- Imports of the tax bureau's export (chunshu_union.imports) -------------------


class DeclarationImportQuerySet(ImportJobQuerySet):
    def for_user(self, user):
        """Street staff see their street's imports; no one else any."""
        return access.scope(self, user, street="federation", needs=access.is_street_staff)


class DeclarationImport(ImportJob):
    """One upload of the tax bureau's declaration details, through the same
    states, preview, confirm and undo as every import. It keeps what it
    wrote, so that undo can put it back."""

    federation = models.ForeignKey(
        "enterprises.Federation",
        verbose_name=_("street federation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The street of the staff who uploaded it (empty: the command line)."),
    )
    #: What the commit wrote: {"created": [[first, last], …] (declaration id
    #: ranges), "updated": [{"id": …, "before": {field: value}}, …]}.
    written = models.JSONField(
        _("written records"), default=dict, blank=True, editable=False, encoder=DjangoJSONEncoder
    )
    #: The result's notes (skipped items, refunds, repeats, corrections,
    #: old taxpayer numbers, unmatched taxpayers), for the staff's page.
    notes = models.JSONField(_("notes"), default=dict, blank=True)

    objects = DeclarationImportQuerySet.as_manager()

    importer_path = "dues.importer.DeclarationImporter"
    upload_folder = "declarations"
    BULKY_FIELDS = ("errors", "preview", "written", "notes")

    class Meta(ImportJob.Meta):
        verbose_name = _("declaration import")
        verbose_name_plural = _("declaration imports")

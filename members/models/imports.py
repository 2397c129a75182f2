"""Roster imports (members.roster, on the one import flow of
chunshu_union.imports): the batch, what it changed, and the transfer
requests it made."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chunshu_union import access
from chunshu_union.imports.models import ImportJob, ImportJobQuerySet

from .people import Member, Membership, Transfer

# --- Roster imports (members.roster) ----------------------------------------


class ImportBatchQuerySet(ImportJobQuerySet):
    def for_user(self, user):
        return access.scope(self, user, community="community", needs=access.can_see_personal_data)


class ImportBatch(ImportJob):
    """One roster import (chunshu_union.imports: the same states, file,
    progress, preview, confirm and undo as every import), with what only a
    roster has: its community, transfers, the members it no longer lists,
    the faults counted per column and the faulty rows sealed for the error
    report. Also the unit that can be undone."""

    community = models.ForeignKey(
        "enterprises.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_batches",
        help_text=_("Empty: any community of the street (staff, command line)."),
    )
    transferred = models.PositiveIntegerField(_("transferred"), default=0)
    leaving = models.PositiveIntegerField(_("leaving candidates"), default=0)
    elsewhere = models.PositiveIntegerField(
        _("members elsewhere (transfer requests)"),
        default=0,
        help_text=_(
            "Rows naming an open member of another community: they make a transfer request"
            " for street staff, and change nothing else."
        ),
    )
    #: `errors` keeps the faults of the first ROSTER_FAULTY_ROWS_KEPT faulty
    #: rows; `fault_counts` and `faults_total` count them all.
    fault_counts = models.JSONField(_("faults per column"), default=dict, blank=True)
    faults_total = models.PositiveIntegerField(_("faults"), default=0)
    #: The first faulty rows as written in the file, for the error report:
    #: AES-GCM ciphertext (they hold full ID numbers), emptied when the batch
    #: is cancelled, fails or is undone, and IMPORT_FILES_DAYS after the
    #: upload at the latest (chunshu_union.imports.upkeep.jobs_purge).
    faulty_rows = models.TextField(
        _("faulty rows as written (encrypted)"), blank=True, editable=False
    )
    #: The members and memberships this batch created, as [first, last] id
    #: ranges (usually one each): one record per new member would double
    #: the write of a large roster, and undo needs only which rows they are.
    created_ranges = models.JSONField(
        _("created records"), default=dict, blank=True, editable=False
    )

    objects = ImportBatchQuerySet.as_manager()

    importer_path = "members.roster.services.RosterImporter"
    upload_folder = "rosters"
    HOLDING_FIELDS = ("file", "faulty_rows")
    BULKY_FIELDS = ("errors", "fault_counts", "preview", "faulty_rows", "created_ranges")

    class Meta(ImportJob.Meta):
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")


class ImportChange(models.Model):
    """What one batch did to one existing member, with the state before, so
    that the batch can be undone exactly (the members a batch created are
    kept as id ranges on the batch instead). References are plain (no database
    constraint) because undoing a creation removes the rows it points to."""

    class Kind(models.TextChoices):
        CREATED = "created", _("new member")
        REJOINED = "rejoined", _("joined again")
        UPDATED = "updated", _("changed")
        TRANSFERRED = "transferred", _("transferred")

    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("import"), on_delete=models.CASCADE, related_name="changes"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    row = models.PositiveIntegerField(_("row"))
    member = models.ForeignKey(
        Member, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    closed_membership = models.ForeignKey(
        Membership,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    opened_membership = models.ForeignKey(
        Membership,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    transfer = models.ForeignKey(
        Transfer, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("import change")
        verbose_name_plural = _("import changes")
        indexes = [models.Index(fields=["member", "batch"])]

    def __str__(self):
        return f"{self.batch_id}:{self.row} {self.kind}"


class TransferRequestQuerySet(models.QuerySet):
    def for_user(self, user):
        """Scoped by the community the member would move *to*: a chair sees
        the requests their own rosters made, never another community's (nor
        those naming their own members: the decision is the street's)."""
        return access.scope(
            self, user, community="to_enterprise__community", needs=access.can_see_personal_data
        )

    def pending(self):
        return self.filter(state=TransferRequest.State.PENDING)


class TransferRequest(models.Model):
    """A transfer request (转会申请): a chair's roster listed someone who is
    an open member of another community. Nothing about that member changes,
    and the chair is shown nothing of them, until street staff approve (the
    Transfer is then written by members.services.transfer_request_approve)
    or refuse (with the reason)."""

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("transfer request state", "Waiting for the street")
        APPROVED = "approved", pgettext_lazy("transfer request state", "Approved")
        REFUSED = "refused", pgettext_lazy("transfer request state", "Refused")

    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="transfer_requests",
    )
    from_membership = models.ForeignKey(
        Membership,
        verbose_name=_("from membership"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("from enterprise"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("to enterprise"),
        on_delete=models.PROTECT,
        related_name="transfer_requests",
    )
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("roster import"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfer_requests",
    )
    row = models.PositiveIntegerField(_("row"), null=True, blank=True)
    #: The name as the chair's file spells it (the chair's own data; a
    #: different name from the member's is worth a look before approving).
    name_in_roster = models.CharField(_("name in the roster"), max_length=50, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason for refusing"), max_length=200, blank=True)
    transfer = models.ForeignKey(
        Transfer,
        verbose_name=_("transfer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = TransferRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfer request")
        verbose_name_plural = _("transfer requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "to_enterprise"],
                condition=Q(state="pending"),
                name="one_pending_transfer_request",
                violation_error_message=_(
                    "A transfer request for this person to this enterprise is already waiting."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(state="approved") | Q(transfer__isnull=False),
                name="approved_transfer_request_has_transfer",
                violation_error_message=_("An approved request records its transfer."),
            ),
            models.CheckConstraint(
                condition=~Q(state="refused") | ~Q(reason=""),
                name="refused_transfer_request_has_reason",
                violation_error_message=_("A refusal gives its reason."),
            ),
        ]

    def __str__(self):
        return f"{self.member.id_masked} → {self.to_enterprise}"

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING

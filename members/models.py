"""Members (the people), their memberships of enterprise unions, and
transfers between them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chunshu_union import access, crypto, model_fields
from chunshu_union.codelists.education import EDUCATION
from chunshu_union.codelists.ethnicity import ETHNICITY
from chunshu_union.codelists.political import POLITICAL_STATUS
from chunshu_union.imports.models import ImportJob, ImportJobQuerySet

from . import id_numbers


class Sex(models.TextChoices):
    MALE = id_numbers.MALE, _("Male")
    FEMALE = id_numbers.FEMALE, _("Female")


#: 学历, 政治面貌 and 民族 are stored as the national standards' codes
#: (GB/T 4658, GB/T 4762, GB 3304) and shown by the standards' names: the
#: roster, the template's drop-downs, the admin and the exports all read
#: the same lists (chunshu_union.codelists).
EDUCATION_CHOICES = EDUCATION.choices()
POLITICAL_STATUS_CHOICES = POLITICAL_STATUS.choices()
ETHNICITY_CHOICES = ETHNICITY.choices()


class JingCard(models.TextChoices):
    NOT_APPLIED = "not_applied", _("Not applied")
    APPLIED = "applied", _("Applied")
    ISSUED = "issued", _("Issued")
    ACTIVATED = "activated", _("Activated")


class MemberQuerySet(models.QuerySet):
    def for_user(self, user):
        """Staff: every member who has been in their street; a chair: the
        members whose open membership is in the chair's community; leaders
        none (figures only)."""
        return access.scope(
            self,
            user,
            community="memberships__enterprise__community",
            chairs_see_current=Q(memberships__left_on__isnull=True),
            needs=access.can_see_personal_data,
        )

    def with_id_number(self, number: str):
        """Exact lookup through the keyed digest (the number itself is never
        stored in clear)."""
        return self.filter(id_digest=crypto.digest(number))


class Member(models.Model):
    """A person, identified by the resident ID number."""

    id_encrypted = models.TextField(_("ID number (encrypted)"), editable=False)
    # Unique through Meta.constraints: a unique=True CharField would also get
    # a varchar_pattern_ops index on PostgreSQL, for LIKE searches no one
    # makes on a digest, costing every insert (the same for name below).
    id_digest = models.CharField(_("ID number digest"), max_length=64, editable=False)
    id_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    name = models.CharField(_("full name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("birth date"), editable=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    ethnicity = models.CharField(
        _("ethnicity"), max_length=20, choices=ETHNICITY_CHOICES, blank=True
    )
    education = models.CharField(
        _("education"), max_length=16, choices=EDUCATION_CHOICES, blank=True
    )
    political_status = models.CharField(
        _("political status"), max_length=16, choices=POLITICAL_STATUS_CHOICES, blank=True
    )
    is_migrant_worker = models.BooleanField(_("migrant worker"), default=False)
    is_model_worker = models.BooleanField(_("model worker"), default=False)
    is_in_hardship = models.BooleanField(_("in hardship"), default=False)
    jingcard_status = models.CharField(
        _("Jing card"), max_length=16, choices=JingCard.choices, default=JingCard.NOT_APPLIED
    )
    app_registered_on = models.DateField(_("12351 app registered on"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        # Most members are never verified: the partial index below holds only
        # those who are (a full one would hold a NULL for every imported row).
        db_index=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_digest"],
                name="member_id_digest_unique",
                violation_error_message=_("A member with this ID number already exists."),
            )
        ]
        indexes = [
            models.Index(fields=["name"], name="member_name_idx"),
            models.Index(
                fields=["verified_by"],
                name="member_verified_by_idx",
                condition=Q(verified_by__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.id_masked})"

    @property
    def id_number(self) -> str:
        """The number in clear. Callers that show it must log the unmasking
        (accounts.services.access_log_record)."""
        return crypto.decrypt(self.id_encrypted) if self.id_encrypted else ""

    @id_number.setter
    def id_number(self, value: str) -> None:
        """Set from a *valid* number: encrypts it and derives the digest,
        the mask, sex and birth date."""
        facts = id_numbers.facts(value)
        self.id_encrypted = crypto.encrypt(value)
        self.id_digest = crypto.digest(value)
        self.id_masked = id_numbers.mask(value)
        self.sex = facts.sex
        self.birth_date = facts.birth_date

    @property
    def phone_masked(self) -> str:
        return id_numbers.mask_phone(self.phone)

    def open_membership(self):
        return self.memberships.filter(left_on__isnull=True).select_related("enterprise").first()


class MembershipQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(
            self, user, community="enterprise__community", needs=access.can_see_personal_data
        )

    def open(self):
        return self.filter(left_on__isnull=True)


class Membership(models.Model):
    """A member's membership of one enterprise's union, from a join date to
    an end date. At most one is open per person (a database constraint)."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="memberships"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="memberships",
        db_index=False,  # the (enterprise, left_on) index below serves it
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-joined_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(left_on__isnull=True),
                name="one_open_membership_per_member",
                violation_error_message=_("This person already has an open membership."),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_left_after_joined",
                violation_error_message=_("A membership cannot end before it starts."),
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "left_on"])]

    def __str__(self):
        return f"{self.member.name} @ {self.enterprise}"

    @property
    def is_open(self) -> bool:
        return self.left_on is None


class TransferQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.through(self, user, "member")


class ThroughMemberQuerySet(models.QuerySet):
    """京卡 changes, insurance and verifications: seen with their member."""

    def for_user(self, user):
        return access.through(self, user, "member")


class Transfer(models.Model):
    """A recorded move (调入/调出): the membership closed and the one opened.
    Either side may be outside the street, named in `external_party`."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="transfers"
    )
    from_membership = models.ForeignKey(
        Membership,
        verbose_name=_("from membership"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_out",
    )
    to_membership = models.ForeignKey(
        Membership,
        verbose_name=_("to membership"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_in",
    )
    transferred_on = models.DateField(_("transferred on"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    external_party = models.CharField(
        _("outside unit"),
        max_length=200,
        blank=True,
        help_text=_("The union outside the street the member came from or went to."),
    )
    recorded_by = model_fields.recorded_by()
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-transferred_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_membership__isnull=False) | Q(to_membership__isnull=False),
                name="transfer_has_a_side",
                violation_error_message=_("A transfer needs a membership on at least one side."),
            ),
        ]

    def __str__(self):
        return f"{self.member.name} · {self.transferred_on}"

    @property
    def direction(self) -> str:
        if self.from_membership_id and self.to_membership_id:
            return _("within the street")
        return _("transfer in") if self.to_membership_id else _("transfer out")


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
    #: upload at the latest (chunshu_union.imports.engine.jobs_purge).
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

"""Visits, aid, welfare, events and the service menu.

Rules that concern one row are database constraints here; rules that span
rows (who may do which step, caps, stock) are in `services.services`, which
every door (admin, portal, importers, demo) goes through.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from chunshu_union import access, model_fields

# --- Assignments and visits ------------------------------------------------


class AssignmentQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, community="community")


class Assignment(models.Model):
    """人员联系基层制度: a staff member is assigned an enterprise, or a whole
    community, to keep in touch with."""

    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cadre"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    community = models.ForeignKey(
        "enterprises.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        help_text=_("Leave empty to assign the whole community."),
    )
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact assignment")
        verbose_name_plural = _("contact assignments")
        ordering = ["cadre", "community__position", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "community", "enterprise"],
                condition=Q(until__isnull=True),
                name="one_open_assignment_per_unit",
                violation_error_message=_("This cadre is already assigned this unit."),
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")),
                name="assignment_ends_after_start",
                violation_error_message=_("An assignment cannot end before it starts."),
            ),
        ]

    def __str__(self):
        unit = self.enterprise or self.community
        return f"{self.cadre.get_full_name() or self.cadre} → {unit}"


class VisitKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise visit")
    COMMUNITY = "community", _("Community visit")


class VisitQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, community="community")


class Visit(models.Model):
    """走访: a cadre went into an enterprise or a community on a day."""

    kind = models.CharField(_("kind"), max_length=16, choices=VisitKind.choices)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visitor"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    visited_on = models.DateField(_("visited on"), db_index=True)
    community = models.ForeignKey(
        "enterprises.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
    )
    summary = models.TextField(_("summary"), blank=True)
    recorded_by = model_fields.recorded_by()
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-pk"]
        indexes = [
            models.Index(fields=["visitor", "kind", "visited_on"]),
            models.Index(fields=["enterprise", "visited_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=VisitKind.ENTERPRISE) & Q(enterprise__isnull=False))
                | (Q(kind=VisitKind.COMMUNITY) & Q(enterprise__isnull=True)),
                name="visit_kind_matches_target",
                violation_error_message=_(
                    "An enterprise visit names an enterprise; a community visit does not."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.visited_on} {self.enterprise or self.community}"


class FindingKind(models.TextChoices):
    LABOUR = "labour", _("Labour-relations problem")
    HOT_ISSUE = "hot_issue", _("Workers' hot issue")
    UNION_WORK = "union_work", _("Union-work difficulty")


class FindingQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, community="visit__community")

    def open(self):
        return self.filter(closed_on__isnull=True)


class Finding(models.Model):
    """What a visit found, in one of the three kinds, and its follow-up
    until it is closed."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="findings"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=FindingKind.choices)
    description = models.TextField(_("description"))
    follow_up = models.TextField(_("follow-up"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["closed_on", "-visit__visited_on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.description[:30]}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


# --- Emergency aid ---------------------------------------------------------


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


# --- Welfare -------------------------------------------------------------


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
        WelfareItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="batches"
    )
    name = models.CharField(_("name"), max_length=100)
    campaign = models.CharField(_("campaign"), max_length=16, choices=Campaign.choices)
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


# --- Events --------------------------------------------------------------


class EventKind(models.TextChoices):
    TRAINING = "training", _("Training")
    WOMENS_DAY = "womens_day", _("Women's Day")
    SPRING_WALK = "spring_walk", _("Spring walk")
    PROMOTION = "promotion", _("Building promotion week")
    OTHER = "other", _("Other")


class EventQuerySet(models.QuerySet):
    def for_user(self, user):
        """Street-wide events (no community) are open to everyone of that
        street, never another's; a community's own event only within it."""
        return access.scope(
            self, user, community="community", street="federation", street_wide_to_chairs=True
        )


class Event(models.Model):
    federation = models.ForeignKey(
        "enterprises.Federation",
        verbose_name=_("street federation"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    community = models.ForeignKey(
        "enterprises.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        help_text=_("Leave empty for a street-wide event."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"), db_index=True)
    ends_on = models.DateField(_("ends on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    buildings = models.ManyToManyField(
        "enterprises.Building", verbose_name=_("buildings"), blank=True, related_name="events"
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="event_ends_after_start",
                violation_error_message=_("An event cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.starts_on})"


class AttendanceQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.through(self, user, "event", needs=access.can_see_personal_data)


class Attendance(models.Model):
    """A member registered for an event, and whether they came."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="attendances"
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="attendances",
    )
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), default=False)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["event", "member__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member"],
                name="one_attendance_per_member_per_event",
                violation_error_message=_("This member is already registered for the event."),
            ),
        ]

    def __str__(self):
        return f"{self.member.name} @ {self.event}"


# --- The service menu ----------------------------------------------------


class ServiceOffer(models.Model):
    """菜单式服务: one entry of the catalogue (特需建家, 午间共享圈 …)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("service offer")
        verbose_name_plural = _("service menu")
        ordering = ["name"]

    def __str__(self):
        return self.name


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    FULFILLED = "fulfilled", _("Fulfilled")
    DECLINED = "declined", _("Declined")


class ServiceRequestQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, community="community")


class ServiceRequest(models.Model):
    """An enterprise asks for a menu service through its community; the
    street accepts, fulfils, and the enterprise rates it 1–5."""

    offer = models.ForeignKey(
        ServiceOffer, verbose_name=_("service"), on_delete=models.PROTECT, related_name="requests"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    community = models.ForeignKey(
        "enterprises.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    requested_on = models.DateField(_("requested on"), db_index=True)
    need = models.TextField(_("what is needed"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    fulfilled_on = models.DateField(_("fulfilled on"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rating = models.PositiveSmallIntegerField(_("rating (1–5)"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-requested_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True)
                | (Q(rating__gte=1) & Q(rating__lte=5) & Q(status=RequestStatus.FULFILLED)),
                name="service_rating_1_to_5_when_fulfilled",
                violation_error_message=_("Only a fulfilled request is rated, from 1 to 5."),
            ),
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.FULFILLED) | Q(fulfilled_on__isnull=False),
                name="service_fulfilled_has_date",
                violation_error_message=_("A fulfilled request has its date."),
            ),
        ]

    def __str__(self):
        return f"{self.offer} · {self.enterprise}"


ZERO = Decimal("0.00")

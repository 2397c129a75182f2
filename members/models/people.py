"""The people, their memberships of enterprise unions, and transfers
between them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from chunshu_union import access, crypto, model_fields
from chunshu_union.codelists.education import EDUCATION
from chunshu_union.codelists.ethnicity import ETHNICITY
from chunshu_union.codelists.political import POLITICAL_STATUS

from .. import id_numbers


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
        # The rule applied to the memberships (by the community kept on
        # them), and a member seen through any membership seen: one subquery
        # on the memberships alone, read from their (community, member)
        # index, with no join back to the members (docs/PERFORMANCE.md,
        # "Scale").
        return self._holding(
            access.scope(
                Membership._base_manager.all(),
                user,
                community="community",
                chairs_see_current=Q(left_on__isnull=True),
                needs=access.can_see_personal_data,
            )
        )

    def _holding(self, memberships):
        """The members of `memberships`; all of them when those are not
        filtered (a superuser, staff bound to no street)."""
        if not memberships.query.where:
            return self.all()
        return self.filter(pk__in=memberships.values("member_id"))

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
            # The near-duplicate report (members.duplicates): same name and
            # birth date, same name and phone, read in name order from the
            # index alone (the id makes it covering), so that its GROUP BY
            # stops at the first groups (docs/PERFORMANCE.md, "Near-duplicates").
            models.Index(fields=["name", "birth_date", "id"], name="member_name_birth_idx"),
            models.Index(
                fields=["name", "phone", "id"],
                name="member_name_phone_idx",
                condition=~Q(phone=""),
            ),
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


class CommunityOfEnterprise(models.ForeignKey):
    """The community of the membership's enterprise, kept on the membership
    so that a chair's scope is one indexed column of one table: through the
    enterprise, PostgreSQL can only guess how many members a community has
    from how many enterprises it has, and for a community with many
    enterprises and few members it walked the whole name index (issue 16;
    docs/PERFORMANCE.md, "Scale").

    Never set by hand: every save and bulk_create takes it from the
    enterprise here; the roster's COPY (members.roster.write) sets it from
    the same enterprises; an enterprise moved to another community moves
    its memberships (`_follow_the_enterprise` below)."""

    def pre_save(self, model_instance, add):
        if model_instance.enterprise_id is not None:
            model_instance.community_id = model_instance.enterprise.community_id
        return super().pre_save(model_instance, add)


class HoldReason(models.TextChoices):
    """Why an open membership is held (会籍保留) by the union above the
    enterprise: the ACFTU rules keep retired and unemployed members, and the
    members of a closed employer, in the union."""

    RETIRED = "retired", _("Retired")
    UNEMPLOYED = "unemployed", _("Unemployed")
    ENTERPRISE_CLOSED = "enterprise_closed", _("Enterprise closed")
    OTHER = "other", _("Other")


class HoldLevel(models.TextChoices):
    COMMUNITY = "community", _("Community joint union")
    STREET = "street", _("Street federation")


class EndReason(models.TextChoices):
    """Why a membership ended. `transferred` closes a membership that a
    transfer within the street replaced; the others end the person's time in
    the street's unions."""

    TRANSFERRED = "transferred", _("Transferred within the street")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out of the street")
    LEFT_STREET = "left_street", _("Left the street")
    LEFT_UNION = "left_union", _("Left the union")
    DECEASED = "deceased", _("Deceased")
    EXPELLED = "expelled", _("Expelled")
    OTHER = "other", _("Other")


class MembershipQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(
            self, user, community="enterprise__community", needs=access.can_see_personal_data
        )

    def open(self):
        """Not ended: in good standing or held. These are the members
        counted in the street's figures (在会 + 会籍保留)."""
        return self.filter(left_on__isnull=True)

    def standing(self):
        """In good standing at their enterprise (open, not held)."""
        return self.filter(left_on__isnull=True, held_on__isnull=True)

    def held(self):
        """Open and held (会籍保留) at the community or the street."""
        return self.filter(left_on__isnull=True, held_on__isnull=False)

    def ended(self):
        return self.filter(left_on__isnull=False)


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
    community = CommunityOfEnterprise(
        "enterprises.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        # Null only for a row written by raw SQL that did not fill it (a
        # bench): such a row is in no chair's scope, never in a wrong one.
        null=True,
        db_index=False,  # the partial (community, member) index below serves it
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    # 会籍保留: set while the open membership is held by the union above the
    # enterprise (it keeps its last enterprise and its community).
    held_on = models.DateField(_("held since"), null=True, blank=True)
    # The database defaults let the roster's COPY and raw-SQL benches leave
    # these columns out.
    hold_reason = models.CharField(
        _("hold reason"),
        max_length=20,
        choices=HoldReason.choices,
        blank=True,
        default="",
        db_default="",
    )
    hold_level = models.CharField(
        _("held at"),
        max_length=10,
        choices=HoldLevel.choices,
        default=HoldLevel.COMMUNITY,
        db_default=HoldLevel.COMMUNITY,
    )
    end_reason = models.CharField(
        _("end reason"),
        max_length=20,
        choices=EndReason.choices,
        blank=True,
        default="",
        db_default="",
    )
    end_note = models.CharField(
        _("end note"), max_length=200, blank=True, default="", db_default=""
    )
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
            # Held only while open, with a reason; an end reason only once
            # ended. Every service and the roster set the reason when they
            # end a membership (and migration 0015 gave the old ones theirs);
            # the database does not demand it, so that a raw-SQL bench that
            # closes rows by `UPDATE … SET left_on` still runs.
            models.CheckConstraint(
                condition=(Q(held_on__isnull=True) & Q(hold_reason=""))
                | (Q(held_on__isnull=False) & Q(left_on__isnull=True) & ~Q(hold_reason="")),
                name="membership_held_only_while_open",
                violation_error_message=_("Only an open membership can be held, with a reason."),
            ),
            models.CheckConstraint(
                condition=Q(end_reason="") | Q(left_on__isnull=False),
                name="membership_end_reason_only_when_ended",
                violation_error_message=_("Only an ended membership has an end reason."),
            ),
        ]
        indexes = [
            models.Index(fields=["enterprise", "left_on"]),
            # A chair's members (and the count of their list): the open
            # memberships of one community, read from the index alone.
            models.Index(
                fields=["community", "member"],
                condition=Q(left_on__isnull=True),
                name="membership_open_by_community",
            ),
        ]

    def __str__(self):
        return f"{self.member.name} @ {self.enterprise}"

    @property
    def is_open(self) -> bool:
        return self.left_on is None

    @property
    def is_held(self) -> bool:
        return self.left_on is None and self.held_on is not None

    @property
    def state_label(self) -> str:
        """在会 / 会籍保留（原因） / 已结束（原因）, for lists and history."""
        if self.left_on is not None:
            return _("Ended (%(reason)s)") % {"reason": self.get_end_reason_display()}
        if self.held_on is not None:
            return _("Held (%(reason)s)") % {"reason": self.get_hold_reason_display()}
        return _("In good standing")


@receiver(post_save, sender="enterprises.Enterprise", dispatch_uid="membership_community")
def _follow_the_enterprise(sender, instance, **kwargs):
    """An enterprise moved to another community takes its memberships along
    (their community is the enterprise's, always)."""
    Membership.objects.filter(enterprise=instance).exclude(
        community_id=instance.community_id
    ).update(community_id=instance.community_id)


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

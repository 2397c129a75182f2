"""Join applications: submitted from the public form, decided by the chair
of the community (or street staff), who open the membership through
members.services.membership_join. Every decision is told to the applicant
by SMS (notices)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from chunshu_union import access, crypto
from chunshu_union.roles import Role
from chunshu_union.tabular.normalize import parse_phone
from enterprises.models import Enterprise
from members import id_numbers
from members.models import Membership
from members.services import member_get_or_build, membership_join
from notices.services import notify

from .models import ApplicationState, JoinApplication, JoinLink, new_code

#: The version of the consent text the applicant agreed to (templates/joining/_consent.html).
CONSENT_VERSION = "2026-12"

#: What anyone is told when an application cannot be taken online: the same
#: sentence for an open member, a second application and a refused number,
#: so the form reveals nothing about anyone.
NOT_ONLINE = gettext_lazy(
    "This application cannot be taken online. Please ask your community's union in person."
)


def read_id_number(value) -> str:
    number, error = id_numbers.read(value)
    if error:
        raise ValidationError({"id_number": error})
    return number


def read_mobile(value) -> str:
    try:
        phone = parse_phone(value)
    except ValueError as error:
        raise ValidationError({"phone": str(error)}) from error
    if len(phone) != 11 or not phone.startswith("1"):
        raise ValidationError({"phone": _("Enter your 11-digit mobile number.")})
    return phone


def is_open_member(number: str) -> bool:
    return Membership.objects.filter(
        member__id_digest=crypto.digest(number), left_on__isnull=True
    ).exists()


def employers_of(link: JoinLink):
    """The enterprises a worker may pick on this link's form: those of the
    community with a union (those of the building first on a building's link)."""
    qs = Enterprise.objects.filter(community=link.community, union_founded_on__isnull=False)
    if link.building_id:
        qs = qs.filter(building=link.building_id)
    return qs.order_by("name")


@transaction.atomic
def application_submit(
    *,
    link: JoinLink,
    name: str,
    id_number: str,
    phone: str,
    enterprise: Enterprise | None,
    employer_typed: str = "",
    consent: bool,
) -> JoinApplication:
    """Record an application, or refuse it with a sentence."""
    if not link.is_active:
        raise ValidationError(_("This join link is closed."))
    if not consent:
        raise ValidationError({"consent": _("Please read and agree to how your data is used.")})
    name = " ".join((name or "").split())
    if not name or len(name) > 50:
        raise ValidationError({"name": _("Enter your full name (at most 50 characters).")})
    number, mobile = read_id_number(id_number), read_mobile(phone)
    employer_typed = " ".join((employer_typed or "").split())[:100]
    if enterprise is not None and enterprise.community_id != link.community_id:
        raise ValidationError({"enterprise": _("Choose your employer from the list.")})
    if enterprise is None and not employer_typed:
        raise ValidationError(
            {"enterprise": _("Choose your employer, or type its name if it is not listed.")}
        )
    if is_open_member(number):
        raise ValidationError(NOT_ONLINE, code="not_online")
    application = JoinApplication(
        link=link,
        community_id=link.community_id,
        name=name,
        enterprise=enterprise,
        employer_typed="" if enterprise else employer_typed,
        consent_version=CONSENT_VERSION,
    )
    application.set_id_number(number)
    application.set_phone(mobile)
    for _attempt in range(5):
        application.reference = new_code(8)
        try:
            with transaction.atomic():
                application.save()
            break
        except IntegrityError as error:
            if JoinApplication.objects.pending().filter(id_digest=application.id_digest).exists():
                raise ValidationError(NOT_ONLINE, code="not_online") from error
    else:  # pragma: no cover - 31^8 codes
        raise ValidationError(NOT_ONLINE)
    _tell_deciders(application)
    return application


def _tell_deciders(application: JoinApplication) -> None:
    """The community's chairs (a listed employer) or the street's staff."""
    if application.enterprise_id:
        deciders = User.objects.filter(
            role=Role.CHAIR, community=application.community_id, is_active=True
        )
        where = application.community.name
    else:
        deciders = User.objects.filter(
            role=Role.STAFF, is_active=True, federation=application.community.federation_id
        )
        where = _("employer not listed: %(name)s") % {"name": application.employer_typed}
    for user in deciders:
        notify(
            kind="join_waiting",
            key=f"application:{application.pk}",
            context={"reference": application.reference, "where": where},
            user=user,
            federation_id=application.community.federation_id,
            link="/portal/joining/" if user.role == Role.CHAIR else "",
            channels=("system",),
        )


def _check_decider(by, application: JoinApplication) -> None:
    if not JoinApplication.objects.for_user(by).filter(pk=application.pk).exists():
        raise PermissionDenied
    if application.for_staff and not access.is_street_staff(by):
        raise PermissionDenied


def _locked(application: JoinApplication, by) -> JoinApplication:
    _check_decider(by, application)
    # of=("self",): the employer is an outer join, which PostgreSQL will not lock.
    locked = (
        JoinApplication.objects.select_for_update(of=("self",))
        .select_related("community", "enterprise")
        .get(pk=application.pk)
    )
    if locked.state != ApplicationState.PENDING:
        raise ValidationError(_("This application has already been decided."))
    return locked


def _decided(application: JoinApplication, state: str, *, by, reason: str = "") -> None:
    application.state = state
    application.decided_by = by
    application.decided_at = timezone.now()
    application.reason = reason[:200]
    application.save(update_fields=["state", "decided_by", "decided_at", "reason", "membership"])


@transaction.atomic
def application_approve(
    *, application: JoinApplication, by, joined_on: datetime.date | None = None
) -> Membership:
    """The chair (or staff) approves: the person is found or made from the
    ID number, and a membership opened at the chosen enterprise."""
    locked = _locked(application, by)
    if locked.enterprise_id is None:
        raise ValidationError(
            _("Choose the enterprise first (add it if it is new), or record a lead.")
        )
    member = member_get_or_build(id_number=locked.id_number)
    if member.pk is None:
        member.name = locked.name
        member.phone = locked.phone
        member.save()
    elif not member.phone:
        member.phone = locked.phone
        member.save(update_fields=["phone"])
    if Membership.objects.filter(member=member, left_on__isnull=True).exists():
        raise ValidationError(
            _("This person is already a member; refuse the application and say so.")
        )
    membership = membership_join(
        member=member,
        enterprise=locked.enterprise,
        joined_on=joined_on or timezone.localdate(),
        by=by,
    )
    locked.membership = membership
    _decided(locked, ApplicationState.APPROVED, by=by)
    notify(
        kind="join_approved",
        key=f"application:{locked.pk}",
        context={"reference": locked.reference, "community": locked.community.name},
        phone=locked.phone,
        federation_id=locked.community.federation_id,
    )
    return membership


@transaction.atomic
def application_refuse(*, application: JoinApplication, by, reason: str) -> JoinApplication:
    """Refuse, saying why: the applicant reads the reason in the SMS and on
    the status page."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why; the applicant reads it.")})
    locked = _locked(application, by)
    _decided(locked, ApplicationState.REFUSED, by=by, reason=reason)
    notify(
        kind="join_refused",
        key=f"application:{locked.pk}",
        context={"reference": locked.reference, "reason": locked.reason},
        phone=locked.phone,
        federation_id=locked.community.federation_id,
    )
    return locked


@transaction.atomic
def application_set_enterprise(
    *, application: JoinApplication, enterprise: Enterprise, by
) -> JoinApplication:
    """Staff, for an unlisted employer: the enterprise (found, or just
    added) of the application's community; then it is the chair's to decide."""
    if not access.is_street_staff(by):
        raise PermissionDenied
    locked = _locked(application, by)
    if enterprise.community_id != locked.community_id:
        raise ValidationError({"enterprise": _("The enterprise must be in the same community.")})
    locked.enterprise = enterprise
    locked.save(update_fields=["enterprise"])
    _tell_deciders(locked)
    return locked


@transaction.atomic
def application_record_lead(*, application: JoinApplication, by, note: str = "") -> JoinApplication:
    """Staff, for an employer without a union: the application becomes a lead
    for founding one (the applicant's status page says so)."""
    if not access.is_street_staff(by):
        raise PermissionDenied
    locked = _locked(application, by)
    _decided(locked, ApplicationState.LEAD, by=by, reason=note or locked.employer_typed)
    return locked


def application_find(*, reference: str, phone: str) -> JoinApplication | None:
    """The application with this reference and phone, or None (one answer
    for a wrong code and a wrong phone)."""
    reference = (reference or "").strip().upper()
    try:
        mobile = read_mobile(phone)
    except ValidationError:
        return None
    found = JoinApplication.objects.filter(reference=reference).select_related("community").first()
    if found is None or found.phone_digest != crypto.digest(f"phone:{mobile}"):
        return None
    return found


def applications_purge(*, now=None) -> int:
    """Decided applications older than JOIN_KEEP_DAYS are deleted (what the
    consent promises); a member's data lives on in the member's record."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.JOIN_KEEP_DAYS)
    old = JoinApplication.objects.exclude(state=ApplicationState.PENDING).filter(
        decided_at__lt=cutoff
    )
    deleted, _detail = old.delete()
    return deleted

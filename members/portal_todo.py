"""What waits for a chair in the members' part of the portal."""

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import id_numbers
from .models import ImportBatch, Membership, RetirementDecision, TransferRequest
from .portal import Todo, todo_provider
from .retirement import MAN, WOMAN_CADRE, latest_birth_due


def member_list_url(show: str) -> str:
    return f"{reverse('portal:member_list')}?{urlencode({'show': show})}"


def _retirement_count(user) -> int:
    """How many members members.retirement.retirement_due lists (its rule:
    in good standing, past the statutory age, not kept at work), counted on
    their memberships (one open per person) with the member joined: a
    COUNT over the member table is what the portal's counts avoid
    (tests/members/test_portal_counts.py)."""
    on = timezone.localdate()
    aged = Q(member__sex=id_numbers.MALE, member__birth_date__lte=latest_birth_due(on, MAN)) | Q(
        member__sex=id_numbers.FEMALE, member__birth_date__lte=latest_birth_due(on, WOMAN_CADRE)
    )
    kept_at_work = RetirementDecision.objects.filter(
        membership=OuterRef("pk"), outcome=RetirementDecision.Outcome.KEEP_WORKING
    )
    return (
        Membership.objects.for_user(user).standing().filter(aged).exclude(Exists(kept_at_work))
    ).count()


@todo_provider
def members_todo(user) -> list[Todo]:
    last = (
        ImportBatch.objects.for_user(user)
        .only("id", "invalid", "filename", "created_at")
        .order_by("-created_at", "-pk")
        .first()
    )
    items = [
        Todo(
            10,
            _("Faulty rows in the last roster import"),
            last.invalid if last else 0,
            reverse("portal:import_rows", args=[last.pk, "invalid"])
            if last
            else reverse("portal:import_list"),
            last.filename if last else "",
        ),
        Todo(
            20,
            _("Transfer requests waiting for the street"),
            TransferRequest.objects.for_user(user).pending().count(),
            reverse("portal:transfer_list"),
        ),
        Todo(
            30,
            _("Members not yet verified"),
            Membership.objects.for_user(user)
            .open()
            .filter(member__verified_at__isnull=True)
            .count(),
            member_list_url("unverified"),
        ),
        Todo(
            35,
            _("Members at retirement age to confirm"),
            _retirement_count(user),
            member_list_url("retirement"),
        ),
    ]
    return items

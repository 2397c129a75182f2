"""What waits for a chair in the members' part of the portal."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .models import ImportBatch, Membership, TransferRequest
from .portal import Todo, todo_provider
from .retirement import retirement_due_count


def member_list_url(show: str) -> str:
    return f"{reverse('portal:member_list')}?{urlencode({'show': show})}"


def _retirement_count(user) -> int:
    """How many members members.retirement.retirement_due lists, counted on
    their memberships (tests/members/test_portal_counts.py)."""
    return retirement_due_count(user=user)


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

"""What waits for a chair in their community's declarations: the
enterprises not declared in the latest quarter with figures, and the
suspected zombies still to visit."""

from django.db.models import F, Sum
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from members.portal import Todo, todo_provider

from .models import RateSnapshot, ZombieFlag


def latest_quarter(user) -> str | None:
    """The latest quarter of the user's communities' snapshots."""
    return (
        RateSnapshot.objects.for_user(user)
        .current()
        .filter(community__isnull=False)
        .order_by("-quarter")
        .values_list("quarter", flat=True)
        .first()
    )


@todo_provider
def dues_todo(user) -> list[Todo]:
    quarter = latest_quarter(user)
    undeclared = 0
    if quarter:
        undeclared = (
            RateSnapshot.objects.for_user(user)
            .current()
            .filter(community__isnull=False, quarter=quarter)
            .aggregate(n=Sum(F("obligated") - F("declared")))["n"]
            or 0
        )
    figures = reverse("figures_portal:enterprises", args=["undeclared"])
    return [
        Todo(
            40,
            _("Enterprises not declared in %(quarter)s") % {"quarter": quarter or "—"},
            undeclared,
            f"{figures}?{urlencode({'quarter': quarter})}" if quarter else figures,
        ),
        Todo(
            50,
            _("Suspected zombie enterprises to visit"),
            ZombieFlag.objects.for_user(user).open().count(),
            reverse("figures_portal:zombies"),
        ),
    ]

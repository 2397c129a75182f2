"""Who may see what: the one place that decides.

Every view, admin page, export and API endpoint asks these functions (or the
`for_user()` manager methods built on them), so that the admin, the portal,
the dashboard and the API cannot disagree. A user with no role that matches
sees nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

if TYPE_CHECKING:
    from accounts.models import User


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_street_staff(user) -> bool:
    return _active(user) and (user.is_superuser or user.role == "staff")


def is_chair(user) -> bool:
    return _active(user) and not user.is_superuser and user.role == "chair"


def is_leader(user) -> bool:
    return _active(user) and not user.is_superuser and user.role == "leader"


def can_see_figures(user) -> bool:
    """The dashboard: leaders and staff."""
    return is_street_staff(user) or is_leader(user)


def can_see_personal_data(user) -> bool:
    """Leaders see figures and masked identifiers only; staff and chairs (for
    their own community, through the scoped querysets) may unmask."""
    return is_street_staff(user) or is_chair(user)


def scope_by_community(qs: QuerySet, user: User, community_path: str) -> QuerySet:
    """Filter `qs` to what `user` may see, given the path from its model to a
    Community (`"community"`, `"enterprise__community"` …)."""
    if not _active(user):
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role in ("staff", "leader"):
        if user.federation_id:
            return qs.filter(**{f"{community_path}__federation_id": user.federation_id})
        return qs
    if user.role == "chair" and user.community_id:
        return qs.filter(**{f"{community_path}_id": user.community_id})
    return qs.none()


def communities_for(user):
    from enterprises.models import Community

    if not _active(user):
        return Community.objects.none()
    if user.is_superuser:
        return Community.objects.all()
    if user.role in ("staff", "leader"):
        qs = Community.objects.all()
        return qs.filter(federation_id=user.federation_id) if user.federation_id else qs
    if user.role == "chair" and user.community_id:
        return Community.objects.filter(pk=user.community_id)
    return Community.objects.none()


def enterprises_for(user):
    from enterprises.models import Enterprise

    return Enterprise.objects.for_user(user)


def members_for(user):
    from members.models import Member

    return Member.objects.for_user(user)


def memberships_for(user):
    from members.models import Membership

    return Membership.objects.for_user(user)


def can_see_aid(user) -> bool:
    """Emergency-aid cases are sensitive (hardship, PIPL Art. 28): only street
    staff who hold the aid permission see them, never chairs or leaders."""
    return is_street_staff(user) and user.has_perm("services.view_aidcase")

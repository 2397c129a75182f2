"""Who may see what: the one place that decides.

Every model that hangs off a street, a community or an enterprise has a
`for_user(user)` queryset method of one line, built on `scope()` or
`through()` below; every view, admin page, export and API endpoint lists and
fetches through it, so the admin, the portal, the dashboard and the API
cannot disagree. The rule, by role:

- a superuser sees everything;
- street staff and leaders see their street (`User.federation`), or every
  street when they are bound to none; leaders see no row that names a
  person (`needs=can_see_personal_data`): they get figures;
- a community chair sees their community's rows and, where a model says so,
  the street-wide rows of their own street (an event open to all, a welfare
  batch), never another street's;
- anyone else, or an inactive account, sees nothing.

This module imports no app: it knows models only by the paths it is given.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet

from .roles import Role


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_street_staff(user) -> bool:
    return _active(user) and (user.is_superuser or user.role == Role.STAFF)


def is_chair(user) -> bool:
    return _active(user) and not user.is_superuser and user.role == Role.CHAIR


def is_leader(user) -> bool:
    return _active(user) and not user.is_superuser and user.role == Role.LEADER


def can_see_figures(user) -> bool:
    """The dashboard: leaders and staff."""
    return is_street_staff(user) or is_leader(user)


def can_see_personal_data(user) -> bool:
    """Leaders see figures, never a row that names a person; staff and chairs
    (for their own community, through the scoped querysets) see members."""
    return is_street_staff(user) or is_chair(user)


def can_see_aid(user) -> bool:
    """Emergency-aid cases are sensitive (hardship, PIPL Art. 28): only street
    staff who hold the aid permission see them, never chairs or leaders."""
    return is_street_staff(user) and user.has_perm("services.view_aidcase")


def scope(
    qs: QuerySet,
    user,
    *,
    community: str | tuple[str, ...] = "",
    street: str | tuple[str, ...] = "",
    street_wide_to_chairs: bool = False,
    chairs_see_current: Q | None = None,
    unassigned: Q | None = None,
    needs: Callable[[object], bool] | None = None,
) -> QuerySet:
    """The rows of `qs` that `user` may see.

    `community`: the path from the model to its Community ("community",
    "enterprise__community", "pk" for Community itself), or several paths
    (a row belongs to each community any of them reaches). `street`: the
    path to its Federation, for rows that may belong to the whole street
    (empty `community`, or a community left empty), or several; by default
    the community's street. `street_wide_to_chairs`: chairs also see the rows
    of their own street that belong to no community. `chairs_see_current`:
    a chair sees a row only while this holds too (a member while their
    membership is open), staff see the history. `unassigned`: rows that
    belong to no street yet (an unmatched declaration), which every
    street's staff see, to match them. `needs`: who may see any row at all.
    """
    if not _active(user) or (needs is not None and not needs(user)):
        return qs.none()
    if user.is_superuser:
        return qs
    paths, streets = _paths(community), _paths(street)
    if user.role in (Role.STAFF, Role.LEADER):
        if not user.federation_id:
            return qs
        streets = streets or tuple(f"{p}__federation" for p in paths)
        allowed = _any(streets, user.federation_id)
        if unassigned is not None and user.role == Role.STAFF:
            allowed |= unassigned
        return _filter(qs, allowed, (*streets, *paths))
    if user.role == Role.CHAIR and user.community_id:
        allowed = _any(paths, user.community_id)
        if chairs_see_current is not None:
            allowed &= chairs_see_current
        if street_wide_to_chairs:
            whole_street = _any(streets, _street_of(user))
            for path in paths:
                whole_street &= Q(**{f"{path}__isnull": True})
            allowed |= whole_street
        return _filter(qs, allowed, (*streets, *paths))
    return qs.none()


def addressed(qs: QuerySet, user, *, recipient: str, only: Q | None = None, **staff) -> QuerySet:
    """Rows addressed to a person (a notice): street staff see them as
    `scope(**staff)` gives; anyone else only those whose `recipient` path is
    themselves (and that match `only`)."""
    if is_street_staff(user):
        return scope(qs, user, **staff)
    if not _active(user):
        return qs.none()
    return qs.filter(Q(**{recipient: user}) & (only or Q()))


def accounts(qs: QuerySet, user) -> QuerySet:
    """The accounts a user may see and pick (a cadre, who recorded a row):
    those of their street, a staff member's or a chair's, and those bound
    to no street (staff of every street)."""
    unbound = Q(federation__isnull=True, community__isnull=True)
    return scope(qs, user, street=("federation", "community__federation"), unassigned=unbound)


def bound_street(user) -> int | None:
    """The street a user's lists are bound to; None for every street."""
    if not _active(user) or user.is_superuser:
        return None
    return _street_of(user) if user.role == Role.CHAIR else user.federation_id


def through(qs: QuerySet, user, field: str, *, needs: Callable | None = None) -> QuerySet:
    """Rows that hang off another row (a 京卡 change off its member, an
    attendance off its event) are seen exactly when that row is: by the
    `for_user` of the model `field` points to."""
    if needs is not None and not needs(user):
        return qs.none()
    target = qs.model._meta.get_field(field).related_model
    seen = target._default_manager.for_user(user)
    if not seen.query.where:
        return qs  # whoever sees every one of them sees every row here
    return qs.filter(**{f"{field}__in": seen.values("pk")})


def _street_of(user) -> int:
    """A chair's street: the one their community belongs to."""
    return user.community.federation_id


def _paths(paths: str | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p for p in ((paths,) if isinstance(paths, str) else paths) if p)


def _any(paths: tuple[str, ...], value) -> Q:
    allowed = Q(pk__in=[])  # matches nothing: a model with no such path
    for path in paths:
        allowed |= Q(**{path: value})
    return allowed


def _filter(qs: QuerySet, allowed: Q, paths: tuple[str, ...]) -> QuerySet:
    """A path through a to-many relation (a member's memberships, an
    agreement's enterprises) would repeat a row once per match: such a
    filter goes into a subquery of ids instead."""
    if any(_crosses_many(qs.model, p) for p in paths if p):
        return qs.filter(pk__in=qs.model._base_manager.filter(allowed).values("pk"))
    return qs.filter(allowed)


def _crosses_many(model, path: str) -> bool:
    for name in path.split("__"):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False  # "pk", "isnull" …: the end of the relations
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False

"""Finding a member by full ID number: one rule for the portal and the admin.

A lookup answers "is this the number of a member I may see?", so it is an
oracle: with what a chair may see of a member (the mask, the birth year) about
33 guesses rebuild a number. Every lookup is therefore written to the access
log (never the number: the member found, or nothing), and a user may make at
most `ID_NUMBER_LOOKUPS_PER_HOUR` of them in an hour.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AccessLog
from accounts.services import access_log_record

from . import id_numbers


def member_find_by_id_number(*, user, members, number: str):
    """The member of `members` (already scoped to `user`) holding `number`,
    or None. Raises ValidationError for a malformed number or when the
    user has used up the hour's lookups; nothing is looked up then."""
    number, error = id_numbers.read(number)  # the one reader every door uses
    if error:
        raise ValidationError(error, code="id_number")
    _count_lookup(user)
    member = members.with_id_number(number).first()
    access_log_record(
        user=user,
        action=AccessLog.Action.ID_LOOKUP,
        obj=member,
        detail="" if member is not None else "no member found",
    )
    return member


def _count_lookup(user) -> None:
    limit = settings.ID_NUMBER_LOOKUPS_PER_HOUR
    key = f"id-lookups:{user.pk}:{timezone.now():%Y%m%d%H}"
    cache.add(key, 0, timeout=3600)
    if cache.incr(key) > limit:
        raise ValidationError(
            _(
                "You have looked up %(limit)d ID numbers in this hour, the most allowed;"
                " please try again next hour or search by name."
            )
            % {"limit": limit},
            code="too_many_lookups",
        )

"""Checks every sub-domain's operations share: refusals, community scope,
no future dates, a member's community."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Community
from members.models import Member


def _refuse(message: str, code: str):
    raise ValidationError(message, code=code)


def _check_community(*, by, community: Community) -> None:
    """A chair acts only for their own community; staff only within their
    street (the same scoping as every list)."""
    if not Community.objects.for_user(by).filter(pk=community.pk).exists():
        _refuse(
            _("You may only record this for your own community (%(name)s is not yours).")
            % {"name": community.name},
            "other_community",
        )


def _check_not_future(day: datetime.date, what: str) -> None:
    if day > timezone.localdate():
        _refuse(_("The %(what)s date is in the future.") % {"what": what}, "future_date")


def _member_community(member: Member) -> Community:
    membership = member.open_membership()
    if membership is None:
        _refuse(
            _("%(name)s has no open membership in the street.") % {"name": member.name},
            "no_membership",
        )
    return membership.enterprise.community

"""Welfare handouts: once per member per batch, never below zero stock."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from members.models import Member
from services.models import Handout, WelfareBatch

from .common import _check_community, _check_not_future, _member_community, _refuse


def _take_from_stock(batch: WelfareBatch, quantity: int) -> None:
    """Atomic decrement: the UPDATE only matches while enough is left, so
    two handouts at once can never take the stock below zero."""
    taken = WelfareBatch.objects.filter(pk=batch.pk, stock__gte=quantity).update(
        stock=F("stock") - quantity
    )
    if not taken:
        left = WelfareBatch.objects.values_list("stock", flat=True).get(pk=batch.pk)
        _refuse(
            _("Not enough left in “%(batch)s”: %(left)d in stock, %(wanted)d asked for.")
            % {"batch": batch.name, "left": left, "wanted": quantity},
            "out_of_stock",
        )


@transaction.atomic
def handout_give(
    *,
    batch: WelfareBatch,
    by,
    handed_on: datetime.date,
    member: Member | None = None,
    enterprise: Enterprise | None = None,
    quantity: int = 1,
) -> Handout:
    """One item of a batch to a member (once per batch, street-wide), or
    `quantity` items to an enterprise for its workers."""
    if (member is None) == (enterprise is None):
        _refuse(_("A handout goes either to a member or to an enterprise."), "no_target")
    if member is not None:
        quantity = 1
        community = _member_community(member)
        earlier = (
            Handout.objects.filter(batch=batch, member=member).select_related("community").first()
        )
        if earlier is not None:
            _refuse(
                _("%(name)s already received “%(batch)s” on %(day)s (%(community)s).")
                % {
                    "name": member.name,
                    "batch": batch.name,
                    "day": earlier.handed_on,
                    "community": earlier.community.name,
                },
                "already_received",
            )
    else:
        community = enterprise.community
        if quantity < 1:
            _refuse(_("The quantity must be at least 1."), "bad_quantity")
    if not WelfareBatch.objects.for_user(by).filter(pk=batch.pk).exists():
        _refuse(_("“%(batch)s” is another street's batch.") % {"batch": batch.name}, "other_street")
    _check_community(by=by, community=community)
    _check_not_future(handed_on, _("handout"))
    _take_from_stock(batch, quantity)
    try:
        with transaction.atomic():
            return Handout.objects.create(
                batch=batch,
                member=member,
                enterprise=enterprise,
                community=community,
                quantity=quantity,
                handed_on=handed_on,
                recorded_by=by,
            )
    except IntegrityError:
        # Someone handed the same member the same batch a moment ago.
        _refuse(_("This member has already received this batch."), "already_received")

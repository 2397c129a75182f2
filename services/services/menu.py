"""The service menu: requests, their steps and their rating."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from chunshu_union import access
from enterprises.models import Enterprise
from services.models import RequestStatus, ServiceOffer, ServiceRequest

from .common import _check_community, _check_not_future, _refuse


@transaction.atomic
def service_request_create(
    *,
    offer: ServiceOffer,
    enterprise: Enterprise,
    by,
    requested_on: datetime.date,
    need: str = "",
) -> ServiceRequest:
    if not offer.is_active:
        _refuse(_("“%(name)s” is no longer offered.") % {"name": offer.name}, "not_offered")
    _check_community(by=by, community=enterprise.community)
    _check_not_future(requested_on, _("request"))
    return ServiceRequest.objects.create(
        offer=offer,
        enterprise=enterprise,
        community=enterprise.community,
        requested_on=requested_on,
        need=need,
    )


def _locked_request(request: ServiceRequest, by, *, chairs: bool = False) -> ServiceRequest:
    """The request locked for a step by street staff, or (`chairs`) by the
    chair of its community too: chairs see the service delivered and give
    the dates it was accepted and fulfilled."""
    allowed = access.is_street_staff(by) or (chairs and access.is_chair(by))
    if not allowed:
        _refuse(_("Only street staff accept and fulfil service requests."), "no_permission")
    request = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    _check_community(by=by, community=request.community)
    return request


def _locked_step(
    request: ServiceRequest,
    by,
    *,
    expected: str,
    wrong_state: str,
    on: datetime.date,
    not_before: str,
    early: str,
) -> ServiceRequest:
    """The request locked for its next step: refused unless it stands at
    `expected` and `on` is not before the date in its field `not_before`."""
    request = _locked_request(request, by, chairs=True)
    if request.status != expected:
        _refuse(wrong_state, "wrong_state")
    if on < getattr(request, not_before):
        _refuse(early, "early")
    return request


@transaction.atomic
def service_request_accept(*, request: ServiceRequest, by, on: datetime.date) -> ServiceRequest:
    request = _locked_step(
        request,
        by,
        expected=RequestStatus.REQUESTED,
        wrong_state=_("Only a new request can be accepted."),
        on=on,
        not_before="requested_on",
        early=_("A request cannot be accepted before it was made."),
    )
    _check_not_future(on, _("acceptance"))
    request.status = RequestStatus.ACCEPTED
    request.accepted_on = on
    request.handled_by = by
    request.save(update_fields=["status", "accepted_on", "handled_by"])
    return request


@transaction.atomic
def service_request_fulfil(*, request: ServiceRequest, by, on: datetime.date) -> ServiceRequest:
    request = _locked_step(
        request,
        by,
        expected=RequestStatus.ACCEPTED,
        wrong_state=_("Only an accepted request can be fulfilled."),
        on=on,
        not_before="accepted_on",
        early=_("A request cannot be fulfilled before it was accepted."),
    )
    _check_not_future(on, _("fulfilment"))
    request.status = RequestStatus.FULFILLED
    request.fulfilled_on = on
    request.save(update_fields=["status", "fulfilled_on"])
    return request


@transaction.atomic
def service_request_decline(*, request: ServiceRequest, by, comment: str) -> ServiceRequest:
    request = _locked_request(request, by)
    if request.status not in (RequestStatus.REQUESTED, RequestStatus.ACCEPTED):
        _refuse(_("This request is already closed."), "wrong_state")
    request.status = RequestStatus.DECLINED
    request.comment = comment
    request.handled_by = by
    request.save(update_fields=["status", "comment", "handled_by"])
    return request


@transaction.atomic
def service_request_rate(
    *, request: ServiceRequest, by, rating: int, comment: str = ""
) -> ServiceRequest:
    """The enterprise's rating, recorded by its community's chair or staff."""
    request = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    _check_community(by=by, community=request.community)
    if request.status != RequestStatus.FULFILLED:
        _refuse(_("Only a fulfilled request can be rated."), "wrong_state")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        _refuse(_("The rating is a whole number from 1 to 5."), "bad_rating")
    request.rating = rating
    request.comment = comment
    request.save(update_fields=["rating", "comment"])
    return request

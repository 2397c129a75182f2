"""The service menu: requests, their steps and their rating."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


@dataclass(frozen=True)
class _Step:
    """A step of a request: from `expected` to `status` on a day kept in
    `day_field`, not before the day in `not_before` (`early` says so), and
    not in the future (`noun` names the date)."""

    expected: str
    status: str
    day_field: str
    not_before: str
    wrong_state: str
    early: str
    noun: str
    records_handler: bool


_ACCEPT = _Step(
    RequestStatus.REQUESTED,
    RequestStatus.ACCEPTED,
    "accepted_on",
    "requested_on",
    gettext_lazy("Only a new request can be accepted."),
    gettext_lazy("A request cannot be accepted before it was made."),
    gettext_lazy("acceptance"),
    records_handler=True,
)
_FULFIL = _Step(
    RequestStatus.ACCEPTED,
    RequestStatus.FULFILLED,
    "fulfilled_on",
    "accepted_on",
    gettext_lazy("Only an accepted request can be fulfilled."),
    gettext_lazy("A request cannot be fulfilled before it was accepted."),
    gettext_lazy("fulfilment"),
    records_handler=False,
)


def _take_step(request: ServiceRequest, by, on: datetime.date, step: _Step) -> ServiceRequest:
    """The request locked and moved one step on: refused unless it stands
    at the step's start and `on` is neither before the day it needs nor in
    the future; the acceptance also records who handled it."""
    request = _locked_request(request, by, chairs=True)
    if request.status != step.expected:
        _refuse(str(step.wrong_state), "wrong_state")
    if on < getattr(request, step.not_before):
        _refuse(str(step.early), "early")
    _check_not_future(on, str(step.noun))
    request.status = step.status
    setattr(request, step.day_field, on)
    fields = ["status", step.day_field]
    if step.records_handler:
        request.handled_by = by
        fields.append("handled_by")
    request.save(update_fields=fields)
    return request


@transaction.atomic
def service_request_accept(*, request: ServiceRequest, by, on: datetime.date) -> ServiceRequest:
    return _take_step(request, by, on, _ACCEPT)


@transaction.atomic
def service_request_fulfil(*, request: ServiceRequest, by, on: datetime.date) -> ServiceRequest:
    return _take_step(request, by, on, _FULFIL)


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

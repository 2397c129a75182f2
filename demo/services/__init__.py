"""The demo street's 2017 of service work, after the article: the 7 staff's
visits under the "two 2s", aid cases in every state, the welfare batches
(305 gift packs, 906 temple-fair tickets, 2,000 cooling packs handed out),
the April union-business training with 140 attendees, Women's Day, the
spring walk, the 8/28–9/1 building promotion week at 庄胜广场, 海格国际大厦
and 富卓大厦, the service menu (特需建家, 午间共享圈, 合作服务) rated by
enterprises, collective agreements, workers' congresses, factory-affairs
disclosures, and the member-side records (京卡 history, insurance,
verification campaign).

Deterministic (a fixed seed) and idempotent: a second run finds the year
already there and changes nothing. Everything is written with bulk_create in
one transaction; the rows obey the same database constraints as the
services' writes."""

from __future__ import annotations

import random

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import roles
from demo.enterprises import SEED
from enterprises.models import CollectiveAgreement, Community
from members.models import Membership
from services.models import AidCase, Event, Handout, ServiceRequest, Visit, WelfareBatch

from . import aid, events, member_records, menu, registers, visits, welfare
from .welfare import MARKER_BATCH

AID_GROUP = roles.AID_GROUP
#: Staff who handle aid (staff1, the chair, is a superuser anyway).
AID_STAFF = ("staff1", "staff2", "staff3", "staff4")


def ensure_aid_group() -> Group:
    """Emergency-aid rights live in their own group, given only to the staff
    who handle aid (accounts/roles.py)."""
    return roles.group(roles.AID_GROUP)


def load(*, federation, users, enterprises, stdout) -> None:
    group = ensure_aid_group()
    for name in AID_STAFF:
        users[name].groups.add(group)
    if WelfareBatch.objects.filter(federation=federation, name=MARKER_BATCH).exists():
        stdout.write(_("Services: the demo's 2017 is already loaded."))
        return
    _load_year(federation, users, sorted(enterprises, key=lambda e: e.pk), stdout)


@transaction.atomic
def _load_year(federation, users, enterprises, stdout) -> None:
    rng = random.Random(SEED + 7)
    staff = [users[f"staff{i}"] for i in range(1, 8)]
    communities = list(Community.objects.filter(federation=federation).order_by("position"))
    members = _open_members(enterprises)
    # One generator for the whole year: the parts' order is part of the data.
    visits.load(rng, staff, communities, enterprises)
    aid.load(rng, users, communities, members)
    welfare.load(rng, federation, staff, members, enterprises)
    events.load(rng, federation, members, enterprises)
    menu.load(rng, staff, enterprises)
    registers.load(rng, federation, communities, enterprises)
    member_records.load(rng, federation, staff, members)
    stdout.write(
        _(
            "Services: %(visits)d visits, %(aid)d aid cases, %(handouts)d handouts,"
            " %(events)d events, %(requests)d service requests, %(agreements)d collective"
            " agreements."
        )
        % {
            "visits": Visit.objects.count(),
            "aid": AidCase.objects.count(),
            "handouts": Handout.objects.count(),
            "events": Event.objects.count(),
            "requests": ServiceRequest.objects.count(),
            "agreements": CollectiveAgreement.objects.count(),
        }
    )


def _open_members(enterprises) -> list[tuple[int, int, int, str]]:
    """(member id, enterprise id, community id, sex) of every open
    membership in the demo's enterprises, in a stable order."""
    return list(
        Membership.objects.filter(left_on__isnull=True, enterprise__in=enterprises)
        .order_by("member_id")
        .values_list("member_id", "enterprise_id", "enterprise__community_id", "member__sex")
    )

"""Reads: the "two 2s", enterprises not visited, and the quarter's service
figures for the dashboard. Counting is done in SQL (grouped by person and
week or month); Python only lays the counts out on the calendar."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Avg, Count, Exists, Max, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from accounts.models import Role, User
from chunshu_union.figures import CENT, percent
from chunshu_union.quarters import Quarter
from enterprises.models import CollectiveAgreement, Enterprise
from members.models import Membership

from .models import (
    AidCase,
    AidStatus,
    Assignment,
    Attendance,
    Event,
    Handout,
    RequestStatus,
    ServiceRequest,
    Visit,
    VisitKind,
)


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


# --- The two 2s ----------------------------------------------------------


def cadres(federation_id: int | None = None):
    """The street's cadres: active staff accounts."""
    qs = User.objects.filter(role=Role.STAFF, is_active=True)
    if federation_id:
        qs = qs.filter(federation_id=federation_id)
    return qs.order_by("username")


def cadres_assigned(community_id: int, first_day: datetime.date, last_day: datetime.date):
    """The cadres assigned to a community (or to one of its enterprises) at
    some time in the period: the people its "two 2s" figure is about."""
    during = Assignment.objects.filter(
        cadre=OuterRef("pk"), community_id=community_id, since__lte=last_day
    ).filter(Q(until__isnull=True) | Q(until__gte=first_day))
    return cadres().filter(Exists(during))


def weeks_in(first_day: datetime.date, last_day: datetime.date, *, ended_by=None) -> list:
    """Mondays of the ISO weeks starting within the period; with `ended_by`,
    only the weeks whose Sunday is before that day (finished weeks)."""
    monday = first_day + datetime.timedelta(days=(7 - first_day.weekday()) % 7)
    weeks = []
    while monday <= last_day:
        if ended_by is None or monday + datetime.timedelta(days=6) < ended_by:
            weeks.append(monday)
        monday += datetime.timedelta(days=7)
    return weeks


def months_in(first_day: datetime.date, last_day: datetime.date, *, ended_by=None) -> list:
    """First days of the calendar months starting within the period."""
    months = []
    day = first_day.replace(day=1)
    if day < first_day:
        day = _next_month(day)
    while day <= last_day:
        if ended_by is None or _next_month(day) <= ended_by:
            months.append(day)
        day = _next_month(day)
    return months


def _next_month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _counts(kind: str, trunc, start, end, cadre_ids) -> dict:
    rows = (
        Visit.objects.filter(
            kind=kind, visited_on__gte=start, visited_on__lte=end, visitor_id__in=cadre_ids
        )
        .annotate(period=trunc("visited_on"))
        .values("visitor_id", "period")
        .annotate(n=Count("id"))
    )
    return {(r["visitor_id"], _as_date(r["period"])): r["n"] for r in rows}


@dataclass
class CadreTwoTwos:
    cadre: User
    weeks: dict = field(default_factory=dict)  # Monday -> enterprise visits
    months: dict = field(default_factory=dict)  # first of month -> community visits

    @property
    def weeks_met(self) -> int:
        need = settings.TWO_TWOS_ENTERPRISE_VISITS_PER_WEEK
        return sum(1 for n in self.weeks.values() if n >= need)

    @property
    def months_met(self) -> int:
        need = settings.TWO_TWOS_COMMUNITY_VISITS_PER_MONTH
        return sum(1 for n in self.months.values() if n >= need)

    @property
    def periods(self) -> int:
        return len(self.weeks) + len(self.months)

    @property
    def compliance(self) -> Decimal | None:
        return percent(self.weeks_met + self.months_met, self.periods)


def two_twos(
    first_day: datetime.date,
    last_day: datetime.date,
    *,
    federation_id: int | None = None,
    community_id: int | None = None,
    today: datetime.date | None = None,
) -> list[CadreTwoTwos]:
    """Per cadre: enterprise visits in each finished ISO week and community
    visits in each finished month of the period. With `community_id`, the
    cadres assigned to that community (all their visits count: the rule is
    per person)."""
    today = today or timezone.localdate()
    if community_id:
        people = list(cadres_assigned(community_id, first_day, last_day))
    else:
        people = list(cadres(federation_id))
    ids = [c.pk for c in people]
    weeks = weeks_in(first_day, last_day, ended_by=today)
    months = months_in(first_day, last_day, ended_by=today)
    by_week = (
        _counts(VisitKind.ENTERPRISE, TruncWeek, weeks[0], weeks[-1] + datetime.timedelta(6), ids)
        if weeks
        else {}
    )
    by_month = (
        _counts(VisitKind.COMMUNITY, TruncMonth, months[0], _next_month(months[-1]), ids)
        if months
        else {}
    )
    return [
        CadreTwoTwos(
            cadre=c,
            weeks={w: by_week.get((c.pk, w), 0) for w in weeks},
            months={m: by_month.get((c.pk, m), 0) for m in months},
        )
        for c in people
    ]


def two_twos_compliance(rows: list[CadreTwoTwos]) -> Decimal | None:
    """Share of cadre-weeks and cadre-months that met the rule (None: no
    finished week or month, or nobody to count)."""
    met = sum(r.weeks_met + r.months_met for r in rows)
    return percent(met, sum(r.periods for r in rows))


@dataclass
class Behind:
    cadre: User
    enterprise_visits_this_week: int
    community_visits_this_month: int


def two_twos_behind(
    *, day: datetime.date | None = None, federation_id: int | None = None
) -> list[Behind]:
    """Who is behind on the week and the month that contain `day`."""
    day = day or timezone.localdate()
    monday = day - datetime.timedelta(days=day.weekday())
    first = day.replace(day=1)
    people = list(cadres(federation_id))
    sunday = monday + datetime.timedelta(days=6)
    counts = (
        Visit.objects.filter(
            visitor__in=people,
            visited_on__gte=min(monday, first),
            visited_on__lte=max(sunday, _next_month(first) - datetime.timedelta(days=1)),
        )
        .values("visitor_id")
        .annotate(
            week=Count(
                "id",
                filter=Q(
                    kind=VisitKind.ENTERPRISE,
                    visited_on__gte=monday,
                    visited_on__lte=sunday,
                ),
            ),
            month=Count(
                "id",
                filter=Q(
                    kind=VisitKind.COMMUNITY,
                    visited_on__gte=first,
                    visited_on__lt=_next_month(first),
                ),
            ),
        )
    )
    seen = {r["visitor_id"]: (r["week"], r["month"]) for r in counts}
    behind = []
    for person in people:
        week, month = seen.get(person.pk, (0, 0))
        if (
            week < settings.TWO_TWOS_ENTERPRISE_VISITS_PER_WEEK
            or month < settings.TWO_TWOS_COMMUNITY_VISITS_PER_MONTH
        ):
            behind.append(Behind(person, week, month))
    return behind


def two_twos_latest_quarter(
    *, federation_id: int | None = None, today: datetime.date | None = None
) -> Quarter:
    """The quarter the two-2s page opens on: the latest with a visit, as the
    dashboard opens on the latest with figures (a street whose records end
    earlier would otherwise open on an empty quarter); the current one when
    there is no visit at all or the visits run into it."""
    current = Quarter.containing(today or timezone.localdate())
    visits = Visit.objects.all()
    if federation_id:
        visits = visits.filter(community__federation_id=federation_id)
    last = visits.aggregate(last=Max("visited_on"))["last"]
    if last is None:
        return current
    return min(current, Quarter.containing(last))


def enterprises_not_visited_since(day: datetime.date):
    """Enterprises with no visit on or after `day` (by default callers pass
    a year ago), with `last_visited_on` (None: never visited)."""
    visited = Visit.objects.filter(enterprise=OuterRef("pk"), visited_on__gte=day)
    return (
        Enterprise.objects.annotate(last_visited_on=Max("visits__visited_on"))
        .filter(~Exists(visited))
        .order_by("community__position", "name")
    )


# --- The quarter's figures for the dashboard ------------------------------


def _in(qs, path: str, first, last):
    return qs.filter(**{f"{path}__gte": first, f"{path}__lte": last})


def _visit_figures(first, last, community_id) -> dict:
    visits = _in(Visit.objects.all(), "visited_on", first, last)
    if community_id:
        visits = visits.filter(community_id=community_id)
    counts = visits.aggregate(
        e=Count("id", filter=Q(kind=VisitKind.ENTERPRISE)),
        c=Count("id", filter=Q(kind=VisitKind.COMMUNITY)),
    )
    return {
        "visits_enterprise": counts["e"],
        "visits_community": counts["c"],
        # The rule is per cadre: a community's figure is that of the cadres
        # assigned to it, the street's that of every cadre.
        "two_twos_compliance": two_twos_compliance(
            two_twos(first, last, community_id=community_id)
        ),
    }


def _aid_figures(first, last, community_id) -> dict:
    cases = AidCase.objects.all()
    if community_id:
        cases = cases.filter(community_id=community_id)
    paid = _in(cases.filter(status=AidStatus.PAID), "paid_on", first, last).aggregate(
        s=Sum("amount_approved")
    )["s"]
    return {
        "aid_cases": _in(cases, "applied_on", first, last).count(),
        "aid_paid_amount": (paid or Decimal("0")).quantize(CENT),
    }


def _welfare_figures(first, last, community_id) -> dict:
    handouts = _in(Handout.objects.all(), "handed_on", first, last)
    if community_id:
        handouts = handouts.filter(community_id=community_id)
    by_item = dict(
        handouts.values_list("batch__item__name")
        .annotate(n=Sum("quantity"))
        .order_by("batch__item__name")
    )
    return {"welfare_handouts": sum(by_item.values()), "welfare_by_item": by_item}


def _event_figures(first, last, community_id) -> dict:
    events = Event.objects.filter(starts_on__gte=first, starts_on__lte=last)
    attendance = Attendance.objects.filter(event__in=events, attended=True)
    if community_id:
        events = events.filter(Q(community__isnull=True) | Q(community_id=community_id))
        here = Membership.objects.filter(
            member=OuterRef("member"), left_on__isnull=True, enterprise__community_id=community_id
        )
        attendance = attendance.filter(Exists(here))
    return {"events": events.count(), "event_attendance": attendance.count()}


def _request_figures(first, last, community_id) -> dict:
    requests = ServiceRequest.objects.all()
    if community_id:
        requests = requests.filter(community_id=community_id)
    fulfilled = _in(requests.filter(status=RequestStatus.FULFILLED), "fulfilled_on", first, last)
    avg = fulfilled.filter(rating__isnull=False).aggregate(a=Avg("rating"))["a"]
    return {
        "service_requests": _in(requests, "requested_on", first, last).count(),
        "service_requests_fulfilled": fulfilled.count(),
        "satisfaction_avg": None if avg is None else Decimal(str(avg)).quantize(CENT),
    }


def _bargaining_figures(last, community_id) -> dict:
    in_force = CollectiveAgreement.objects.in_force_on(last)
    scope = Enterprise.objects.in_scope_on(last)
    if community_id:
        scope = scope.filter(community_id=community_id)
        in_force = in_force.filter(
            Q(community_id=community_id) | Q(enterprises__community_id=community_id)
        ).distinct()
    covered = scope.filter(
        Exists(
            CollectiveAgreement.enterprises.through.objects.filter(
                enterprise_id=OuterRef("pk"),
                collectiveagreement__starts_on__lte=last,
                collectiveagreement__ends_on__gte=last,
            )
        )
    ).aggregate(n=Count("pk"), workers=Sum("headcount"))
    return {
        "agreements_in_force": in_force.count(),
        # Each covered enterprise's workforce once, however many agreements
        # (its own, regional, industry-wide) cover it.
        "covered_workers": covered["workers"] or 0,
        "bargaining_coverage": percent(covered["n"], scope.count()),
    }


def services_figures_for_quarter(quarter, community_id: int | None = None) -> dict:
    """The services part of the dashboard for a quarter (any object with
    `.first_day` and `.last_day`), street-wide or for one community."""
    first, last = quarter.first_day, quarter.last_day
    return {
        **_visit_figures(first, last, community_id),
        **_aid_figures(first, last, community_id),
        **_welfare_figures(first, last, community_id),
        **_event_figures(first, last, community_id),
        **_request_figures(first, last, community_id),
        **_bargaining_figures(last, community_id),
    }

"""Who is a suspected zombie (僵尸户), and why: the explained score that
orders the staff's visit list.

Suspected dormant = obligated on the assessed quarter's last day (and
already when the window began) with no declaration in each of the last N
complete quarters, and not already looked at by staff within that window.
Each flag carries its reasons; the score is their sum, so that the list
reads "why this one first".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from chunshu_union.quarters import Quarter, quarter_range
from enterprises.models import Enterprise
from members.models import JingCard, Membership

from .models import Declaration, ZombieFlag

POINTS_PER_QUARTER = 10
MAX_QUARTERS_SCORED = 8
POINTS = {"roster_quiet": 20, "no_jingcard": 10, "no_chair_contact": 15, "no_visit": 15}
YEAR = datetime.timedelta(days=365)


@dataclass
class Assessment:
    enterprise_id: int
    missing_quarters: list[str]
    reasons: list[dict]

    @property
    def score(self) -> int:
        return sum(r["points"] for r in self.reasons)


def candidates(*, quarter: Quarter, n: int):
    window_start = quarter.shift(-(n - 1))
    in_window = Declaration.objects.counting().filter(
        enterprise=OuterRef("pk"),
        period_end__gte=window_start.first_day,
        period_end__lte=quarter.last_day,
    )
    looked_at = ZombieFlag.objects.filter(
        enterprise=OuterRef("pk"), resolved_on__gte=window_start.first_day
    ).exclude(resolution="")
    return (
        Enterprise.objects.in_scope_on(quarter.last_day)
        .filter(union_founded_on__lte=window_start.last_day)
        .exclude(Exists(in_window))
        .exclude(Exists(looked_at))
    )


def _signals(qs, day: datetime.date):
    """Annotate what is known about an enterprise's life: one query."""
    last_declared = (
        Declaration.objects.counting()
        .filter(enterprise=OuterRef("pk"), period_end__lte=day)
        .order_by("-period_end")
        .values("period_end")[:1]
    )
    roster_moved = Membership.objects.filter(enterprise=OuterRef("pk")).filter(
        Q(joined_on__gt=day - YEAR, joined_on__lte=day)
        | Q(left_on__gt=day - YEAR, left_on__lte=day)
    )
    card_holder = Membership.objects.filter(
        enterprise=OuterRef("pk"),
        joined_on__lte=day,
        member__jingcard_status__in=[JingCard.ISSUED, JingCard.ACTIVATED],
    ).filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
    qs = qs.annotate(
        last_declared=Subquery(last_declared),
        roster_moved=Exists(roster_moved),
        card_holder=Exists(card_holder),
    )
    visits = _visit_source()
    if visits:
        model, date_field = visits
        qs = qs.annotate(
            visited=Exists(
                model.objects.filter(
                    enterprise=OuterRef("pk"),
                    **{f"{date_field}__gt": day - YEAR, f"{date_field}__lte": day},
                )
            )
        )
    return qs, bool(visits)


def _visit_source():
    """The services app's visits, if it records them (it is built alongside
    this one): the model and its date field, or None."""
    try:
        model = apps.get_model("services", "Visit")
    except LookupError:
        return None
    names = {f.name: f for f in model._meta.get_fields()}
    if "enterprise" not in names:
        return None
    for candidate in ("visited_on", "date", "happened_on", "visit_date", "occurred_on"):
        if candidate in names:
            return model, candidate
    return None


def assess(*, quarter: Quarter, n: int) -> list[Assessment]:
    qs, knows_visits = _signals(candidates(quarter=quarter, n=n), quarter.last_day)
    fields = ["pk", "union_founded_on", "union_chair_phone", "last_declared"]
    fields += ["roster_moved", "card_holder"] + (["visited"] if knows_visits else [])
    first_data = (
        Declaration.objects.order_by("period_end").values_list("period_end", flat=True).first()
    )
    first_quarter = Quarter.containing(first_data) if first_data else quarter
    result = []
    for row in qs.order_by("pk").values(*fields).iterator(chunk_size=5000):
        missing = _missing(row, quarter, first_quarter)
        reasons = [
            {
                "code": "no_declaration",
                "points": POINTS_PER_QUARTER * min(len(missing), MAX_QUARTERS_SCORED),
                "quarters": len(missing),
                "last": row["last_declared"].isoformat() if row["last_declared"] else None,
            }
        ]
        if not row["roster_moved"]:
            reasons.append({"code": "roster_quiet", "points": POINTS["roster_quiet"]})
        if not row["card_holder"]:
            reasons.append({"code": "no_jingcard", "points": POINTS["no_jingcard"]})
        if not (row["union_chair_phone"] or "").strip():
            reasons.append({"code": "no_chair_contact", "points": POINTS["no_chair_contact"]})
        if knows_visits and not row["visited"]:
            reasons.append({"code": "no_visit", "points": POINTS["no_visit"]})
        result.append(Assessment(row["pk"], [str(q) for q in missing], reasons))
    return result


def _missing(row, quarter: Quarter, first_quarter: Quarter) -> list[Quarter]:
    """The quarters without a declaration, back to the last declaration (or
    to the union's founding, or the first quarter on record)."""
    if row["last_declared"]:
        start = Quarter.containing(row["last_declared"]).next()
    else:
        start = max(Quarter.containing(row["union_founded_on"]), first_quarter)
    return list(quarter_range(start, quarter))


def reason_text(reason: dict) -> str:
    """A reason as the staff read it."""
    code = reason.get("code")
    if code == "no_declaration":
        if reason.get("last"):
            return _("%(n)d quarters without a declaration (last tax period ended %(last)s)") % {
                "n": reason["quarters"],
                "last": reason["last"],
            }
        return _("no declaration on record (%(n)d quarters)") % {"n": reason["quarters"]}
    return {
        "roster_quiet": _("no roster change in 12 months"),
        "no_jingcard": _("no member holds a Jing card"),
        "no_chair_contact": _("no phone for the union chair"),
        "no_visit": _("not visited in 12 months"),
    }.get(code, code or "")


def reasons_text(reasons: list[dict]) -> str:
    return "；".join(f"{reason_text(r)} (+{r['points']})" for r in reasons)

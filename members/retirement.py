"""The statutory retirement age (法定退休年龄), by birth date and sex, under
the rules in force.

Two rules, chosen by the birth month, as the 2024 decision's own tables do:

- **Before 2025** — 《国务院关于工人退休、退职的暂行办法》and《国务院关于安置老弱病
  残干部的暂行办法》(国发〔1978〕104号): men at 60; women workers (女工人) at 50,
  women cadres (女干部) at 55.
- **From 2025-01-01** — 全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的
  决定 (2024-09-13) and its annex 《国务院关于渐进式延迟法定退休年龄的办法》,
  article 1: men and the women whose age was 55 are raised by one month
  every four months, to 63 and 58; the women whose age was 50 by one month
  every two months, to 55. The annex's tables start with those who would
  have retired in January 2025 under the old rule: men born in January
  1965 (60 years 1 month, retiring February 2025), women of the 55 track
  born in January 1970, women of the 50 track born in January 1975; the
  raise is complete (36, 36 and 60 months) for men born from September
  1976, women of the 55 track from September 1981, women of the 50 track
  from November 1984.

Whoever reached the old age before 2025-01-01 was born before those
cut-offs, so asking "who had reached the age on a day of 2024" gives the
old rule's answer: the rule in force on that day.

The age is counted in months and reached in a month (the annex's tables
give "改革后法定退休时间" as a month): a member is due from the first day of
the month of their birth month plus the age. The list shows no more than
that month, so it adds no birth *day* to a masked ID number
(members/masking.py).

What this does not model: the choice of early (up to 3 years) or later
retirement the decision allows on request (弹性退休), special trades
(特殊工种), and anything the state otherwise provides (国家另有规定的，从其
规定). Those are why the list is a proposal that a person confirms, never
an automatic change.

**Women's track.** A member has no worker/cadre flag, so the list uses the
women cadres' track (55, raised to 58) for every woman: it never proposes a
woman still at work under the 55 track, and the women workers' track
(`WOMAN_WORKER`) is here for a caller that knows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import id_numbers
from .models import HoldReason, Member, Membership, RetirementDecision
from .services import membership_hold

#: The tracks: (old age in years, first birth month under the new rule,
#: months of birth per month of raise, the most months of raise).
MAN, WOMAN_CADRE, WOMAN_WORKER = "man", "woman_cadre", "woman_worker"
_TRACKS = {
    MAN: (60, (1965, 1), 4, 36),
    WOMAN_CADRE: (55, (1970, 1), 4, 36),
    WOMAN_WORKER: (50, (1975, 1), 2, 60),
}

OLD_RULE = "国发〔1978〕104号"
NEW_RULE = "全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定（2024年9月13日）"

#: The day the new rule took effect.
NEW_RULE_FROM = datetime.date(2025, 1, 1)


@dataclass(frozen=True)
class RetirementAge:
    months: int  # the age, in months
    due_month: datetime.date  # the first day of the month it is reached
    rule: str  # which rule gives it (OLD_RULE or NEW_RULE)

    @property
    def years_and_months(self) -> tuple[int, int]:
        return divmod(self.months, 12)

    def label(self) -> str:
        years, months = self.years_and_months
        if months:
            return _("%(years)s years %(months)s months") % {"years": years, "months": months}
        return _("%(years)s years") % {"years": years}


def track_for(sex: str) -> str:
    """The track for a member: men's, or the women cadres' (see above)."""
    return MAN if sex == id_numbers.MALE else WOMAN_CADRE


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def retirement_age(birth_date: datetime.date, track: str) -> RetirementAge:
    """The statutory age of a person born on `birth_date` on `track`, and
    the month they reach it."""
    old_years, (first_year, first_month), per, most = _TRACKS[track]
    born = _month_index(birth_date.year, birth_date.month)
    since_cut_off = born - _month_index(first_year, first_month)
    if since_cut_off < 0:
        months, rule = old_years * 12, OLD_RULE
    else:
        months, rule = old_years * 12 + min(since_cut_off // per + 1, most), NEW_RULE
    due = born + months
    return RetirementAge(months, datetime.date(due // 12, due % 12 + 1, 1), rule)


def retirement_age_of(member) -> RetirementAge:
    return retirement_age(member.birth_date, track_for(member.sex))


def has_reached(member, on: datetime.date) -> bool:
    return retirement_age_of(member).due_month <= on


def latest_birth_due(on: datetime.date, track: str) -> datetime.date:
    """The last birth date of `track` whose age is reached by `on`: the
    birth months are walked back from the old rule's, so that a list can
    ask the database for `birth_date <= this` (one indexable range) rather
    than reckon every member's age."""
    old_years = _TRACKS[track][0]
    # The latest birth month that could be due: reached at the old age.
    month = _month_index(on.year, on.month) - old_years * 12
    while True:
        year, m = divmod(month, 12)
        first_day = datetime.date(year, m + 1, 1)
        if retirement_age(first_day, track).due_month <= on:
            following = month + 1
            return datetime.date(following // 12, following % 12 + 1, 1) - datetime.timedelta(
                days=1
            )
        month -= 1


# --- The list, and the decisions that take a member off it -------------------


def retirement_due(*, community=None, on: datetime.date | None = None, user=None):
    """Members in good standing (not held, not ended) who have reached the
    statutory age by `on` (today by default), in `community` (a Community
    or its id) or everywhere, and seen by `user` when one is given; less
    those kept at work on their present membership. Ordered by name; each
    member's age is `retirement_age_of(member)`. Never changes anything:
    each is confirmed (retirement_confirm) or kept at work
    (retirement_keep_working) by a person."""
    on = on or timezone.localdate()
    standing = Membership.objects.standing()
    if community is not None:
        standing = standing.filter(community=community)
    kept_at_work = RetirementDecision.objects.filter(
        membership=OuterRef("pk"), outcome=RetirementDecision.Outcome.KEEP_WORKING
    )
    standing = standing.exclude(Exists(kept_at_work))
    members = Member.objects.all() if user is None else Member.objects.for_user(user)
    return members.filter(_reached_age(on), pk__in=standing.values("member_id")).order_by(
        "name", "pk"
    )


def retirement_due_count(*, community=None, on: datetime.date | None = None, user=None) -> int:
    """How many `retirement_due` lists, counted on the standing memberships
    (one per person) joined to their members, not over the member table
    (a chair's home page: tests/members/test_portal_counts.py)."""
    on = on or timezone.localdate()
    standing = (
        Membership.objects.standing() if user is None else Membership.objects.for_user(user)
    ).filter(left_on__isnull=True, held_on__isnull=True)
    if community is not None:
        standing = standing.filter(community=community)
    kept_at_work = RetirementDecision.objects.filter(
        membership=OuterRef("pk"), outcome=RetirementDecision.Outcome.KEEP_WORKING
    )
    return standing.filter(_reached_age(on, "member__")).exclude(Exists(kept_at_work)).count()


def _reached_age(on: datetime.date, path: str = "") -> Q:
    """Members (at `path`, "member__" from a membership) past the statutory
    age on `on`, by sex and birth date (every woman on the 55 track: see
    `track_for`)."""
    return Q(
        **{f"{path}sex": id_numbers.MALE, f"{path}birth_date__lte": latest_birth_due(on, MAN)}
    ) | Q(
        **{
            f"{path}sex": id_numbers.FEMALE,
            f"{path}birth_date__lte": latest_birth_due(on, WOMAN_CADRE),
        }
    )


def _standing_membership(member):
    current = Membership.objects.standing().filter(member=member).first()
    if current is None:
        raise ValidationError(_("This member is not in good standing: there is nothing to decide."))
    return current


def _check_reached(member, on: datetime.date) -> None:
    if not has_reached(member, on):
        raise ValidationError(_("This member has not reached the statutory retirement age."))


@transaction.atomic
def retirement_confirm(*, member, on: datetime.date, by, note: str = ""):
    """Confirmed retired: the open membership is held at the community
    joint union with the reason "retired" (members.services.membership_hold),
    and the decision recorded."""
    _check_reached(member, on)
    current = _standing_membership(member)
    membership_hold(member=member, on=on, reason=HoldReason.RETIRED, note=note, by=by)
    return RetirementDecision.objects.create(
        member=member,
        membership=current,
        outcome=RetirementDecision.Outcome.RETIRED,
        decided_on=on,
        note=note[:200],
        recorded_by=by,
    )


@transaction.atomic
def retirement_keep_working(*, member, on: datetime.date, by, note: str = ""):
    """Still at work past the age (a later retirement, a trade with its own
    rules): recorded, and the member leaves the list while this membership
    lasts (a transfer to another employer puts them back on it)."""
    _check_reached(member, on)
    current = _standing_membership(member)
    if current.retirement_decisions.filter(
        outcome=RetirementDecision.Outcome.KEEP_WORKING
    ).exists():
        raise ValidationError(_("This member is already recorded as still at work."))
    return RetirementDecision.objects.create(
        member=member,
        membership=current,
        outcome=RetirementDecision.Outcome.KEEP_WORKING,
        decided_on=on,
        note=note[:200],
        recorded_by=by,
    )

"""The demo street's union funds, 2016Q1 to 2017Q3, shaped after the 2017
article: 58 enterprises that stopped declaring in the second half of 2016
(flagged as suspected zombies at the start of 2017), staff visits that
resolved 30 of them as moved out or deregistered in 2017Q2–Q3, and the
street's rate rising from 74% (2017Q1) to 83.16% (2017Q3).

Only the declarations and the visits' findings are made up here; every
figure is then computed by the same services the Celery jobs run (flagging,
resolving, recomputing the snapshots), never typed in. Deterministic (a
fixed seed) and idempotent: a second run finds every row already there.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from chunshu_union.quarters import Quarter, quarter_range
from dues.models import Declaration, RateSnapshot, Resolution, ZombieFlag
from dues.services import snapshots_recompute_all, zombie_resolve, zombies_flag
from enterprises.credit_codes import ALPHABET, make_credit_code
from enterprises.models import Enterprise

SEED = 2017_05
FIRST, LAST = Quarter(2016, 1), Quarter(2017, 3)
ZOMBIE_COUNT = 58
ASSESSED = Quarter(2016, 4)  # flagged "at the start of 2017"
ASSESSED_N = 2
#: Non-zombies that declare in each 2017 quarter (of 168).
NON_ZOMBIE_DECLARING = {Quarter(2017, 1): 163, Quarter(2017, 2): 158, Quarter(2017, 3): 154}
#: Share of the obligated non-zombies (and of the future zombies) that
#: declared in each 2016 quarter; every non-zombie declared in 2016Q4.
SHARE_2016 = {
    Quarter(2016, 1): (0.80, 0.60),
    Quarter(2016, 2): (0.84, 0.35),
    Quarter(2016, 3): (0.88, 0.0),
    Quarter(2016, 4): (1.0, 0.0),
}
UNMATCHED_TAXPAYERS = (
    "北京椿林新创科技有限公司",
    "北京宣南恒远文化有限公司",
    "北京琉璃瑞丰餐饮有限公司",
)
EVIDENCE = {
    Resolution.MOVED_OUT: "走访核实：原址已由他人承租，物业出具证明，企业已迁至%s。",
    Resolution.DEREGISTERED: "走访核实：工商信息显示已于当日注销，留存查询截图。",
    Resolution.UNREACHABLE: "两次走访原址无人，工会主席电话停机，物业无联系方式。",
    Resolution.STILL_ACTIVE: "走访核实：企业正常经营，财务人员更换后漏报，已辅导申报。",
}
DISTRICTS = ("丰台区", "朝阳区", "大兴区", "通州区", "河北省廊坊市")


@dataclass
class Plan:
    """Who declares when, and what the visits find."""

    zombies: list[Enterprise]
    # (resolution, effective date, quarters it declares in 2017)
    fates: dict[int, tuple[str, datetime.date, list[Quarter]]] = field(default_factory=dict)
    declaring: dict[Quarter, set[int]] = field(default_factory=dict)


def _day(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def _fates(rng: random.Random, zombies: list[Enterprise]) -> dict:
    """30 out (18 in 2017Q2, 12 in 2017Q3), 12 still active (4, 5, 3 found
    in Q1, Q2, Q3), 9 unreachable, 7 not yet visited."""
    q1, q2, q3 = Quarter(2017, 1), Quarter(2017, 2), Quarter(2017, 3)
    kinds = (
        [(Resolution.MOVED_OUT, q2)] * 10
        + [(Resolution.DEREGISTERED, q2)] * 8
        + [(Resolution.MOVED_OUT, q3)] * 7
        + [(Resolution.DEREGISTERED, q3)] * 5
        + [(Resolution.STILL_ACTIVE, q1)] * 4
        + [(Resolution.STILL_ACTIVE, q2)] * 5
        + [(Resolution.STILL_ACTIVE, q3)] * 3
        + [(Resolution.UNREACHABLE, q2)] * 5
        + [(Resolution.UNREACHABLE, q3)] * 4
        + [("", None)] * 7
    )
    # Which of the enterprises found active then declare, per quarter found:
    # Q1's 4 from Q1 on; 3 of Q2's 5 in Q2 and 4 in Q3; 1 of Q3's 3.
    declares = {q1: [[q1, q2, q3]] * 4, q2: [[q2, q3]] * 3 + [[q3]] + [[]], q3: [[q3]] + [[]] * 2}
    fates = {}
    for enterprise, (kind, quarter) in zip(zombies, kinds, strict=True):
        if not kind:
            continue
        # Visits began in February 2017.
        first = datetime.date(2017, 2, 1) if quarter == q1 else quarter.first_day
        day = _day(rng, first, quarter.last_day)
        plan = declares[quarter].pop(0) if kind == Resolution.STILL_ACTIVE else []
        fates[enterprise.pk] = (kind, day, plan)
    return fates


def make_plan(enterprises: list[Enterprise]) -> Plan:
    rng = random.Random(SEED)
    early = [e for e in enterprises if e.union_founded_on <= datetime.date(2016, 3, 31)]
    zombies = rng.sample(early, ZOMBIE_COUNT)
    plan = Plan(zombies=zombies, fates=_fates(rng, zombies))
    zombie_ids = {e.pk for e in zombies}
    others = [e for e in enterprises if e.pk not in zombie_ids]
    for quarter in quarter_range(FIRST, LAST):
        if quarter in NON_ZOMBIE_DECLARING:
            chosen = rng.sample(others, NON_ZOMBIE_DECLARING[quarter])
            woken = [pk for pk, (_k, _d, qs) in plan.fates.items() if quarter in qs]
            plan.declaring[quarter] = {e.pk for e in chosen} | set(woken)
            continue
        share_others, share_zombies = SHARE_2016[quarter]
        plan.declaring[quarter] = {
            e.pk
            for group, share in ((others, share_others), (zombies, share_zombies))
            for e in group
            if e.union_founded_on <= quarter.last_day and rng.random() < share
        }
    return plan


def _money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _rows_for(rng: random.Random, enterprise, quarter: Quarter) -> list[Declaration]:
    """One quarterly declaration, or three monthly ones; now and then a zero
    declaration, now and then a correction filed later for the same period."""
    monthly = enterprise.pk % 17 == 0
    zero = rng.random() < 0.08
    wage = Decimal(rng.randrange(4000, 12001, 100))
    periods = (
        [
            (quarter.first_day.replace(month=m), _month_end(quarter.year, m))
            for m in range(quarter.first_day.month, quarter.first_day.month + 3)
        ]
        if monthly
        else [(quarter.first_day, quarter.last_day)]
    )
    rows = []
    for start, end in periods:
        months = 1 if monthly else 3
        base = Decimal(0) if zero else _money(wage * max(enterprise.headcount, 1) * months)
        due = _money(base * Decimal("0.02"))
        filed = end + datetime.timedelta(days=rng.randint(5, 25))
        rows.append(
            _declaration(enterprise.credit_code, enterprise.name, start, end, base, due, filed)
        )
        if not zero and rng.random() < 0.04:  # a correction (更正申报)
            fixed = _money(base * Decimal("1.05"))
            rows.append(
                _declaration(
                    enterprise.credit_code,
                    enterprise.name,
                    start,
                    end,
                    fixed,
                    _money(fixed * Decimal("0.02")),
                    filed + datetime.timedelta(days=rng.randint(10, 30)),
                )
            )
    for row in rows:
        row.enterprise = enterprise
    return rows


def _month_end(year: int, month: int) -> datetime.date:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def _declaration(code, name, start, end, base, due, filed) -> Declaration:
    return Declaration(
        credit_code=code,
        taxpayer_name=name,
        item="工会经费",
        period_start=start,
        period_end=end,
        base=base,
        rate=Decimal("0.0200"),
        amount_due=due,
        amount_paid=due,
        declared_on=filed,
        is_zero=due == 0,
    )


def _unmatched(rng: random.Random, known: set[str]) -> list[Declaration]:
    """Taxpayers the tax bureau lists that have no union here yet."""
    rows = []
    for name in UNMATCHED_TAXPAYERS:
        code = ""
        while not code or code in known:
            org = "".join(rng.choice(ALPHABET[:10] + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
            code = make_credit_code("91110102" + org)
        for quarter in quarter_range(Quarter(2017, 1), LAST):
            base = _money(Decimal(rng.randrange(60000, 300000, 1000)))
            rows.append(
                _declaration(
                    code,
                    name,
                    quarter.first_day,
                    quarter.last_day,
                    base,
                    _money(base * Decimal("0.02")),
                    quarter.last_day + datetime.timedelta(days=rng.randint(5, 25)),
                )
            )
    return rows


def _key(d: Declaration) -> tuple:
    return (d.credit_code, d.item, d.period_start, d.period_end, d.declared_on)


@transaction.atomic
def load_declarations(enterprises: list[Enterprise], plan: Plan) -> int:
    rng = random.Random(SEED + 1)
    by_pk = {e.pk: e for e in enterprises}
    rows = []
    for quarter in quarter_range(FIRST, LAST):
        for pk in sorted(plan.declaring[quarter]):
            rows += _rows_for(rng, by_pk[pk], quarter)
    rows += _unmatched(rng, {e.credit_code for e in enterprises})
    existing = set(
        Declaration.objects.filter(credit_code__in={d.credit_code for d in rows}).values_list(
            "credit_code", "item", "period_start", "period_end", "declared_on"
        )
    )
    new = [d for d in rows if _key(d) not in existing]
    Declaration.objects.bulk_create(new, batch_size=1000)
    return len(new)


def resolve_visits(plan: Plan, staff: list) -> int:
    """What the 2017 visits found, recorded as staff do in the admin."""
    rng = random.Random(SEED + 2)
    flags = {f.enterprise_id: f for f in ZombieFlag.objects.filter(quarter=str(ASSESSED))}
    done = 0
    for index, (pk, (kind, day, _quarters)) in enumerate(sorted(plan.fates.items())):
        flag = flags.get(pk)
        if flag is None or flag.resolution:
            continue
        evidence = EVIDENCE[kind]
        if kind == Resolution.MOVED_OUT:
            evidence %= rng.choice(DISTRICTS)
        zombie_resolve(
            flag=flag,
            resolution=kind,
            effective_on=day,
            evidence=evidence,
            by=staff[index % len(staff)],
        )
        done += 1
    return done


def load(*, federation, users, enterprises, stdout) -> None:
    enterprises = sorted(enterprises, key=lambda e: e.credit_code)
    plan = make_plan(enterprises)
    created = load_declarations(enterprises, plan)
    zombies_flag(quarter=ASSESSED, n=ASSESSED_N, by=users["staff1"])
    flagged = ZombieFlag.objects.filter(
        quarter=str(ASSESSED), enterprise__community__federation=federation
    ).count()
    staff = [users[f"staff{i}"] for i in range(2, 8)]
    resolved = resolve_visits(plan, staff)
    snapshots_recompute_all(by=users["staff1"])
    rates = {
        s.quarter: s.rate
        for s in RateSnapshot.objects.current().filter(federation=federation, community=None)
    }
    stdout.write(
        _(
            "Union funds: %(created)d new declarations, %(flagged)d suspected zombies as of"
            " %(quarter)s, %(resolved)d visit findings recorded in this run; the street's"
            " rate %(rate_q1)s%% in 2017Q1, %(rate_q3)s%% in 2017Q3."
        )
        % {
            "created": created,
            "flagged": flagged,
            "quarter": ASSESSED,
            "resolved": resolved,
            "rate_q1": rates.get("2017Q1"),
            "rate_q3": rates.get("2017Q3"),
        }
    )

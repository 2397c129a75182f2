"""The 7 staff's visits under the "two 2s": each cadre assigned a
community and its enterprises, two enterprise visits most weeks and two
community visits most months, and what the visits found."""

from __future__ import annotations

import datetime

from enterprises.models import Enterprise
from services.models import Assignment, Finding, FindingKind, Visit, VisitKind

from .year import FIRST_DAY, LAST_DAY, YEAR, date

FINDINGS = {
    FindingKind.LABOUR: ("劳动合同未按时续签", "加班费计算方式有争议", "个别职工社保断缴"),
    FindingKind.HOT_ISSUE: ("午餐就餐难", "子女暑期托管需求", "希望开展健康体检"),
    FindingKind.UNION_WORK: ("工会经费未按时申报", "会员花名册未及时更新", "工会主席变更未备案"),
}


def load(rng, staff, communities, enterprises) -> None:
    by_community: dict[int, list[Enterprise]] = {}
    for e in enterprises:
        by_community.setdefault(e.community_id, []).append(e)
    # Some enterprises nobody reached this year: the "not visited" list.
    never = set(rng.sample([e.pk for e in enterprises], 24))
    Assignment.objects.bulk_create(
        [
            Assignment(cadre=c, community=k, since=FIRST_DAY)
            for c, k in zip(staff, communities, strict=True)
        ]
        + [
            Assignment(cadre=c, community=k, enterprise=e, since=FIRST_DAY)
            for c, k in zip(staff, communities, strict=True)
            for e in by_community.get(k.pk, [])
        ]
    )
    visits = []
    for cadre, community in zip(staff, communities, strict=True):
        targets = [e for e in by_community.get(community.pk, []) if e.pk not in never]
        others = [e for e in enterprises if e.pk not in never]
        visits += _weekly_visits(rng, cadre, targets, others)
        visits += _monthly_visits(rng, cadre, communities, community)
    Visit.objects.bulk_create(visits)
    _findings(rng)


def _weekly_visits(rng, cadre, targets, others) -> list[Visit]:
    visits = []
    monday = datetime.date(YEAR, 1, 2)
    while monday <= LAST_DAY:
        # Spring Festival week (late January) and National Day week are quiet;
        # otherwise most weeks meet the rule, a few fall short.
        quiet = monday in (date(1, 23), date(1, 30), date(10, 2))
        n = 0 if quiet else rng.choices((1, 2, 3), weights=(12, 70, 18))[0]
        for _ in range(n):
            target = rng.choice(targets if rng.random() < 0.85 else others)
            visits.append(
                Visit(
                    kind=VisitKind.ENTERPRISE,
                    visitor=cadre,
                    recorded_by=cadre,
                    visited_on=min(monday + datetime.timedelta(days=rng.randint(0, 4)), LAST_DAY),
                    community_id=target.community_id,
                    enterprise=target,
                    summary="深入企业了解劳动关系和职工需求",
                )
            )
        monday += datetime.timedelta(days=7)
    return visits


def _monthly_visits(rng, cadre, communities, own) -> list[Visit]:
    visits = []
    for month in range(1, 13):
        n = rng.choices((1, 2, 3), weights=(10, 75, 15))[0]
        for _ in range(n):
            community = own if rng.random() < 0.8 else rng.choice(communities)
            visits.append(
                Visit(
                    kind=VisitKind.COMMUNITY,
                    visitor=cadre,
                    recorded_by=cadre,
                    visited_on=date(month, rng.randint(3, 27)),
                    community=community,
                    summary="深入社区联合工会，听取社区工会主席汇报",
                )
            )
    return visits


def _findings(rng) -> None:
    findings = []
    for visit in Visit.objects.filter(visited_on__year=YEAR).order_by("pk"):
        if rng.random() > 0.22:
            continue
        kind = rng.choice(list(FindingKind.values))
        closed = visit.visited_on + datetime.timedelta(days=rng.randint(5, 60))
        findings.append(
            Finding(
                visit=visit,
                kind=kind,
                description=rng.choice(FINDINGS[kind]),
                follow_up="已协调解决" if closed <= LAST_DAY and rng.random() < 0.8 else "",
                closed_on=closed if closed <= LAST_DAY and rng.random() < 0.8 else None,
            )
        )
    Finding.objects.bulk_create(findings)

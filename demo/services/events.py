"""Women's Day, the April training (140 attendees), the spring walk, a
visit, and the 8/28–9/1 building promotion week."""

from __future__ import annotations

import datetime

from enterprises.models import Building
from members.models import Sex
from services.models import Attendance, Event, EventKind

from .year import date


def load(rng, federation, members, enterprises) -> None:
    buildings = list(
        Building.objects.filter(
            federation=federation, name__in=("庄胜广场", "海格国际大厦", "富卓大厦")
        )
    )
    for kind, title, start, end, place, people in _plan(rng, members, enterprises, buildings):
        event = Event.objects.create(
            federation=federation,
            kind=kind,
            title=title,
            starts_on=date(*start),
            ends_on=date(*end),
            place=place,
        )
        if kind == EventKind.PROMOTION:
            event.buildings.set(buildings)
        registered = date(*start) - datetime.timedelta(days=7)
        Attendance.objects.bulk_create(
            Attendance(
                event=event,
                member_id=member_id,
                registered_on=registered,
                # Everyone at the training signed in (140); elsewhere a few
                # who registered did not come.
                attended=kind == EventKind.TRAINING or rng.random() < 0.93,
            )
            for member_id, _e, _c, _s in people
        )


def _plan(rng, members, enterprises, buildings) -> tuple:
    """(kind, title, first day, last day, place, the members registered)."""
    in_buildings = {e.pk for e in enterprises if e.building_id in {b.pk for b in buildings}}
    women = [m for m in members if m[3] == Sex.FEMALE]
    return (
        (
            EventKind.WOMENS_DAY,
            "2017年“三八”妇女节女性劳模、企业家和优秀职工联谊活动",
            (3, 8),
            (3, 8),
            "椿树街道职工之家",
            rng.sample(women, 86),
        ),
        (
            EventKind.TRAINING,
            "2017年工会业务知识综合培训",
            (4, 19),
            (4, 19),
            "椿树街道办事处会议室",
            rng.sample(members, 140),
        ),
        (
            EventKind.SPRING_WALK,
            "2017年职工春季健步走",
            (4, 22),
            (4, 22),
            "陶然亭公园",
            rng.sample(members, 210),
        ),
        (
            EventKind.OTHER,
            "组织职工参观平北红色第一村纪念馆",
            (6, 16),
            (6, 16),
            "延庆区平北红色第一村纪念馆",
            rng.sample(members, 45),
        ),
        (
            EventKind.PROMOTION,
            "“践行文明，尊享椿树”楼宇宣传周",
            (8, 28),
            (9, 1),
            "庄胜广场、海格国际大厦、富卓大厦",
            rng.sample([m for m in members if m[1] in in_buildings], 260),
        ),
    )

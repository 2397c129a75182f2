"""Visits and the two 2s."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role
from services.models import Finding, FindingKind, Visit, VisitKind
from services.selectors import (
    enterprises_not_visited_since,
    two_twos,
    two_twos_behind,
    two_twos_compliance,
)
from services.services import finding_close, visit_record
from tests.factories import EnterpriseFactory, user

D = datetime.date


def test_staff_records_an_enterprise_visit_with_findings(sam, alices_enterprise):
    visit = visit_record(
        by=sam,
        visited_on=D(2017, 3, 6),
        enterprise=alices_enterprise,
        findings=(
            (FindingKind.LABOUR, "拖欠工资两个月"),
            (FindingKind.UNION_WORK, "会员花名册未更新"),
        ),
    )
    assert visit.kind == VisitKind.ENTERPRISE
    assert visit.community == alices_enterprise.community
    assert visit.visitor == sam
    assert sorted(visit.findings.values_list("kind", flat=True)) == ["labour", "union_work"]


def test_a_chair_records_a_visit_in_her_own_community(alice, community1):
    visit = visit_record(by=alice, visited_on=D(2017, 3, 6), community=community1)
    assert visit.kind == VisitKind.COMMUNITY


def test_a_chair_recording_a_visit_for_another_community_is_refused(
    alice, bobs_enterprise, community2
):
    with pytest.raises(ValidationError) as refused:
        visit_record(by=alice, visited_on=D(2017, 3, 6), enterprise=bobs_enterprise)
    assert refused.value.code == "other_community"
    assert "只能" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        visit_record(by=alice, visited_on=D(2017, 3, 6), community=community2)
    assert not Visit.objects.exists()


def test_a_visit_in_the_future_or_to_a_mismatched_community_is_refused(
    sam, alices_enterprise, community2
):
    with pytest.raises(ValidationError) as future:
        visit_record(by=sam, visited_on=D(2018, 1, 5), enterprise=alices_enterprise)
    assert future.value.code == "future_date"
    with pytest.raises(ValidationError) as mismatch:
        visit_record(
            by=sam, visited_on=D(2017, 3, 6), enterprise=alices_enterprise, community=community2
        )
    assert mismatch.value.code == "wrong_community"
    assert not Visit.objects.exists()


def test_closing_a_finding_and_not_before_the_visit(sam, alices_enterprise):
    visit = visit_record(
        by=sam,
        visited_on=D(2017, 3, 6),
        enterprise=alices_enterprise,
        findings=((FindingKind.HOT_ISSUE, "午餐无处可去"),),
    )
    finding = visit.findings.get()
    with pytest.raises(ValidationError):
        finding_close(finding=finding, by=sam, closed_on=D(2017, 3, 1))
    finding_close(finding=finding, by=sam, closed_on=D(2017, 4, 1), follow_up="开设午间共享圈")
    assert not Finding.objects.open().exists()


def _visits(cadre, enterprise, community, days_e, days_c):
    for day in days_e:
        visit_record(by=cadre, visited_on=day, enterprise=enterprise)
    for day in days_c:
        visit_record(by=cadre, visited_on=day, community=community)


def test_two_twos_counts_per_cadre_week_and_month(sam, alices_enterprise, community1):
    # January 2017: ISO weeks starting 2, 9, 16, 23, 30 Jan (30 Jan starts in January).
    eager = user("eager", Role.STAFF)
    monday = D(2017, 1, 2)
    every_week = [monday + datetime.timedelta(days=7 * w + d) for w in range(5) for d in (0, 2)]
    _visits(eager, alices_enterprise, community1, every_week, [D(2017, 1, 10), D(2017, 1, 20)])
    # sam: two visits in one week only, one community visit.
    _visits(sam, alices_enterprise, community1, [D(2017, 1, 9), D(2017, 1, 11)], [D(2017, 1, 12)])
    rows = {r.cadre.username: r for r in two_twos(D(2017, 1, 1), D(2017, 1, 31))}
    assert len(rows["eager"].weeks) == 5
    assert rows["eager"].weeks_met == 5 and rows["eager"].months_met == 1
    assert rows["eager"].compliance == 100
    assert rows["sam"].weeks[D(2017, 1, 9)] == 2
    assert rows["sam"].weeks_met == 1 and rows["sam"].months_met == 0
    # 6 of 6 periods for eager, 1 of 6 for sam: 7 of 12.
    assert two_twos_compliance(list(rows.values())) == Decimal("58.33")


def test_who_is_behind_this_week_and_month(sam, alices_enterprise, community1):
    eager = user("eager", Role.STAFF)
    _visits(
        eager,
        alices_enterprise,
        community1,
        [D(2017, 12, 18), D(2017, 12, 19)],
        [D(2017, 12, 1), D(2017, 12, 4)],
    )
    _visits(sam, alices_enterprise, community1, [D(2017, 12, 18)], [D(2017, 12, 4)])
    behind = two_twos_behind(day=D(2017, 12, 20))
    assert [(b.cadre.username, b.enterprise_visits_this_week) for b in behind] == [("sam", 1)]


def test_enterprises_not_visited_in_a_year(sam, alices_enterprise, community1):
    forgotten = EnterpriseFactory(community=community1)
    long_ago = EnterpriseFactory(community=community1)
    visit_record(by=sam, visited_on=D(2017, 6, 1), enterprise=alices_enterprise)
    visit_record(by=sam, visited_on=D(2016, 6, 1), enterprise=long_ago)
    stale = {e.pk: e.last_visited_on for e in enterprises_not_visited_since(D(2016, 12, 20))}
    assert stale == {forgotten.pk: None, long_ago.pk: D(2016, 6, 1)}

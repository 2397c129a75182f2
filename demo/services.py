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

import datetime
import itertools
import random
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts import roles
from demo.enterprises import SEED
from enterprises.models import (
    AffairsDisclosure,
    Building,
    CollectiveAgreement,
    Community,
    CongressSession,
    DisclosureMethod,
    Enterprise,
    RegisterScope,
    WorkerCongress,
)
from members.models import (
    InsuranceEnrolment,
    JingCard,
    JingCardChange,
    Member,
    Membership,
    Sex,
    Verification,
    VerificationCampaign,
)
from services.models import (
    AidCase,
    AidStatus,
    Assignment,
    Attendance,
    Campaign,
    Event,
    EventKind,
    Finding,
    FindingKind,
    Handout,
    RequestStatus,
    ServiceOffer,
    ServiceRequest,
    Visit,
    VisitKind,
    WelfareBatch,
    WelfareItem,
)

AID_GROUP = roles.AID_GROUP
#: Staff who handle aid (staff1, the chair, is a superuser anyway).
AID_STAFF = ("staff1", "staff2", "staff3", "staff4")
YEAR = 2017
FIRST_DAY, LAST_DAY = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)
MARKER_BATCH = "2017年春节送温暖福包"

#: (item, batch, campaign, received, quantity received, handed out, handout days)
WELFARE = (
    ("福包", MARKER_BATCH, Campaign.WARMTH, (1, 9), 320, 305, ((1, 16), (1, 25))),
    ("庙会票", "2017年春节庙会票", Campaign.HOLIDAY, (1, 12), 1000, 906, ((1, 18), (1, 26))),
    ("清凉包", "2017年夏季送清凉清凉包", Campaign.COOLNESS, (7, 3), 2100, 2000, ((7, 10), (8, 25))),
)
OFFERS = (
    ("特需建家", "为有特殊需求的企业工会量身建家：场地、设施、制度一企一策。"),
    ("午间共享圈", "午休时间在楼宇内开放职工书屋、健身与交流空间。"),
    ("合作服务", "与专业机构合作，为职工提供法律咨询、心理疏导、健康讲座等。"),
    ("职工互助保险办理", "统一为会员办理职工互助保险。"),
)
FINDINGS = {
    FindingKind.LABOUR: ("劳动合同未按时续签", "加班费计算方式有争议", "个别职工社保断缴"),
    FindingKind.HOT_ISSUE: ("午餐就餐难", "子女暑期托管需求", "希望开展健康体检"),
    FindingKind.UNION_WORK: ("工会经费未按时申报", "会员花名册未及时更新", "工会主席变更未备案"),
}


def ensure_aid_group() -> Group:
    """Emergency-aid rights live in their own group, given only to the staff
    who handle aid (accounts/roles.py)."""
    return roles.group(roles.AID_GROUP)


def _d(month: int, day: int) -> datetime.date:
    return datetime.date(YEAR, month, day)


def _between(rng, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def load(*, federation, users, stdout) -> None:
    group = ensure_aid_group()
    for name in AID_STAFF:
        users[name].groups.add(group)
    if WelfareBatch.objects.filter(federation=federation, name=MARKER_BATCH).exists():
        stdout.write("services: the 2017 demo year is already loaded")
        return
    _load_year(federation, users, stdout)


@transaction.atomic
def _load_year(federation, users, stdout) -> None:
    rng = random.Random(SEED + 7)
    staff = [users[f"staff{i}"] for i in range(1, 8)]
    communities = list(Community.objects.filter(federation=federation).order_by("position"))
    enterprises = list(Enterprise.objects.filter(community__federation=federation).order_by("pk"))
    members = _open_members(federation)
    _assignments_and_visits(rng, staff, communities, enterprises)
    _aid(rng, users, communities, members)
    _welfare(rng, federation, staff, members, enterprises)
    _events(rng, federation, members, enterprises)
    _service_menu(rng, staff, enterprises)
    _registers(rng, federation, communities, enterprises)
    _member_records(rng, federation, staff, members)
    stdout.write(
        f"services: {Visit.objects.count()} visits, {AidCase.objects.count()} aid cases, "
        f"{Handout.objects.count()} handouts, {Event.objects.count()} events, "
        f"{ServiceRequest.objects.count()} service requests, "
        f"{CollectiveAgreement.objects.count()} collective agreements"
    )


def _open_members(federation) -> list[tuple[int, int, int, str]]:
    """(member id, enterprise id, community id, sex) of every open
    membership, in a stable order."""
    return list(
        Membership.objects.filter(
            left_on__isnull=True, enterprise__community__federation=federation
        )
        .order_by("member_id")
        .values_list("member_id", "enterprise_id", "enterprise__community_id", "member__sex")
    )


# --- Visits ----------------------------------------------------------------


def _assignments_and_visits(rng, staff, communities, enterprises) -> None:
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
        quiet = monday in (_d(1, 23), _d(1, 30), _d(10, 2))
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
                    visited_on=_d(month, rng.randint(3, 27)),
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


# --- Emergency aid -----------------------------------------------------------


AID_STATES = (
    [AidStatus.PAID] * 14
    + [AidStatus.APPROVED] * 2
    + [AidStatus.REJECTED] * 3
    + [AidStatus.REVIEWED] * 2
    + [AidStatus.SUBMITTED] * 3
)
AID_REASONS = (
    "本人突发重病住院，医疗费用负担重",
    "家属患重病，家庭收入骤减",
    "家中遭遇意外火灾，生活困难",
    "单亲家庭，子女上学费用困难",
    "本人工伤停工，收入中断",
)


def _aid(rng, users, communities, members) -> None:
    chairs = {c.pk: users[f"chair{c.position}"] for c in communities}
    reviewer, approver, payer = users["staff2"], users["staff3"], users["staff4"]
    people = rng.sample(members, len(AID_STATES))
    now = timezone.now()
    cases = []
    for i, (state, (member_id, _e, community_id, _s)) in enumerate(
        zip(AID_STATES, people, strict=True)
    ):
        applied = _d(1 + i * 11 // len(AID_STATES), rng.randint(1, 25))
        requested = Decimal(rng.choice((1000, 1500, 2000, 3000, 4000, 5000)))
        case = AidCase(
            member_id=member_id,
            community_id=community_id,
            status=state,
            applied_on=applied,
            reason=rng.choice(AID_REASONS),
            amount_requested=requested,
            submitted_by=chairs[community_id],
        )
        if state != AidStatus.SUBMITTED:
            case.reviewed_by, case.reviewed_at, case.review_note = reviewer, now, "经核实情况属实"
        if state in (AidStatus.APPROVED, AidStatus.PAID, AidStatus.REJECTED):
            case.decided_by, case.decided_at = approver, now
            if state == AidStatus.REJECTED:
                case.decision_note = "不符合在职困难职工临时应急救助条件"
            else:
                case.amount_approved = min(requested, Decimal("3000"))
        if state == AidStatus.PAID:
            case.paid_by = payer
            case.paid_on = applied + datetime.timedelta(days=rng.randint(7, 20))
        cases.append(case)
    AidCase.objects.bulk_create(cases)
    Member.objects.filter(pk__in=[c.member_id for c in cases]).update(is_in_hardship=True)


# --- Welfare -------------------------------------------------------------


def _welfare(rng, federation, staff, members, enterprises) -> None:
    for item_name, batch_name, campaign, received, quantity, handed, days in WELFARE:
        item, _created = WelfareItem.objects.get_or_create(
            name=item_name, defaults={"unit": "张" if item_name == "庙会票" else "份"}
        )
        batch = WelfareBatch.objects.create(
            federation=federation,
            item=item,
            name=batch_name,
            campaign=campaign,
            received_on=_d(*received),
            quantity=quantity,
            stock=quantity - handed,
        )
        start, end = _d(*days[0]), _d(*days[1])
        if campaign == Campaign.COOLNESS:
            handouts = _to_enterprises(rng, batch, staff, enterprises, handed, start, end)
        else:
            handouts = [
                Handout(
                    batch=batch,
                    member_id=member_id,
                    community_id=community_id,
                    handed_on=_between(rng, start, end),
                    recorded_by=rng.choice(staff),
                )
                for member_id, _e, community_id, _s in rng.sample(members, handed)
            ]
        Handout.objects.bulk_create(handouts)


def _to_enterprises(rng, batch, staff, enterprises, total, start, end) -> list[Handout]:
    """Cooling packs go to enterprises by headcount (the article's photo:
    凯谛思's workers receive theirs)."""
    chosen = sorted(rng.sample(enterprises, 90), key=lambda e: ("凯谛思" not in e.name, e.pk))
    weights = [max(e.headcount, 5) for e in chosen]
    counts = [max(1, total * w // sum(weights)) for w in weights]
    counts[0] += total - sum(counts)
    return [
        Handout(
            batch=batch,
            enterprise=e,
            community_id=e.community_id,
            quantity=n,
            handed_on=_between(rng, start, end),
            recorded_by=rng.choice(staff),
        )
        for e, n in zip(chosen, counts, strict=True)
    ]


# --- Events --------------------------------------------------------------


def _events(rng, federation, members, enterprises) -> None:
    buildings = list(
        Building.objects.filter(
            federation=federation, name__in=("庄胜广场", "海格国际大厦", "富卓大厦")
        )
    )
    in_buildings = {e.pk for e in enterprises if e.building_id in {b.pk for b in buildings}}
    women = [m for m in members if m[3] == Sex.FEMALE]
    plan = (
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
    for kind, title, start, end, place, people in plan:
        event = Event.objects.create(
            federation=federation,
            kind=kind,
            title=title,
            starts_on=_d(*start),
            ends_on=_d(*end),
            place=place,
        )
        if kind == EventKind.PROMOTION:
            event.buildings.set(buildings)
        registered = _d(*start) - datetime.timedelta(days=7)
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


# --- Service menu --------------------------------------------------------


def _service_menu(rng, staff, enterprises) -> None:
    offers = [
        ServiceOffer.objects.get_or_create(name=name, defaults={"description": text})[0]
        for name, text in OFFERS
    ]
    requests = []
    for i in range(48):
        enterprise = rng.choice(enterprises)
        offer = offers[i % 3] if i < 42 else offers[3]
        asked = _d(2 + i * 9 // 48, rng.randint(1, 25))
        state = rng.choices(
            (
                RequestStatus.FULFILLED,
                RequestStatus.ACCEPTED,
                RequestStatus.REQUESTED,
                RequestStatus.DECLINED,
            ),
            weights=(72, 12, 10, 6),
        )[0]
        request = ServiceRequest(
            offer=offer,
            enterprise=enterprise,
            community_id=enterprise.community_id,
            requested_on=asked,
            status=state,
            need=f"{enterprise.name}申请{offer.name}服务",
        )
        if state in (RequestStatus.ACCEPTED, RequestStatus.FULFILLED):
            request.accepted_on = asked + datetime.timedelta(days=rng.randint(1, 5))
            request.handled_by = rng.choice(staff)
        if state == RequestStatus.FULFILLED:
            request.fulfilled_on = request.accepted_on + datetime.timedelta(days=rng.randint(7, 30))
            request.rating = rng.choices((5, 4, 3, 2), weights=(55, 33, 9, 3))[0]
            request.comment = "服务及时，职工满意" if request.rating >= 4 else "希望下次更早安排"
        if state == RequestStatus.DECLINED:
            request.comment = "场地条件暂不具备，已推荐其他服务"
            request.handled_by = rng.choice(staff)
        requests.append(request)
    ServiceRequest.objects.bulk_create(requests)


# --- Registers -------------------------------------------------------------


def _registers(rng, federation, communities, enterprises) -> None:
    by_community: dict[int, list[Enterprise]] = {}
    for e in enterprises:
        by_community.setdefault(e.community_id, []).append(e)
    links = []  # (agreement, [enterprise ids])
    for community in communities:
        # Regional agreements signed through the spring: coverage grows
        # quarter by quarter, and about three in four enterprises take part.
        signed = _d(rng.randint(3, 9), rng.randint(1, 25))
        members = [e for e in by_community[community.pk] if rng.random() < 0.76]
        agreement = CollectiveAgreement(
            federation=federation,
            scope=RegisterScope.REGIONAL,
            community=community,
            title=f"{community.name}区域性工资集体协议（2017—2019）",
            signed_on=signed,
            starts_on=signed,
            ends_on=datetime.date(2019, 12, 31),
            wage_rise_percent=Decimal(rng.choice(("5.00", "5.50", "6.00", "7.00"))),
            covered_workers=sum(e.headcount for e in members),
        )
        links.append((agreement, [e.pk for e in members]))
    catering = [e for e in enterprises if "餐饮" in e.name or "酒店" in e.name]
    links.append(
        (
            CollectiveAgreement(
                federation=federation,
                scope=RegisterScope.INDUSTRY,
                industry="餐饮住宿业",
                title="椿树街道餐饮住宿行业工资集体协议",
                signed_on=_d(5, 18),
                starts_on=_d(6, 1),
                ends_on=datetime.date(2018, 5, 31),
                wage_rise_percent=Decimal("6.50"),
                covered_workers=sum(e.headcount for e in catering),
            ),
            [e.pk for e in catering],
        )
    )
    large = [e for e in enterprises if e.headcount >= 100]
    for e in large:
        signed = _d(rng.randint(1, 6), rng.randint(1, 25))
        links.append(
            (
                CollectiveAgreement(
                    federation=federation,
                    scope=RegisterScope.ENTERPRISE,
                    title=f"{e.name}工资专项集体合同",
                    signed_on=signed,
                    starts_on=signed,
                    ends_on=datetime.date(YEAR + 2, signed.month, 1) - datetime.timedelta(days=1),
                    wage_rise_percent=Decimal(rng.choice(("6.00", "7.50", "8.00"))),
                    covered_workers=e.headcount,
                    is_demonstration=rng.random() < 0.7,
                ),
                [e.pk],
            )
        )
    CollectiveAgreement.objects.bulk_create([a for a, _ids in links])
    Through = CollectiveAgreement.enterprises.through
    Through.objects.bulk_create(
        Through(collectiveagreement_id=a.pk, enterprise_id=pk) for a, ids in links for pk in ids
    )
    _congresses(rng, communities, large)


def _congresses(rng, communities, large) -> None:
    congresses = [
        WorkerCongress(
            scope=RegisterScope.REGIONAL,
            community=c,
            name=f"{c.name}区域性职工代表大会",
            established_on=datetime.date(2015, 6, 1),
        )
        for c in communities
    ] + [
        WorkerCongress(
            scope=RegisterScope.ENTERPRISE,
            community_id=e.community_id,
            enterprise=e,
            name=f"{e.name}职工代表大会",
            established_on=e.union_founded_on or _d(1, 1),
        )
        for e in large
    ]
    WorkerCongress.objects.bulk_create(congresses)
    CongressSession.objects.bulk_create(
        CongressSession(
            congress=c,
            held_on=_d(rng.choice((3, 4, 11)), rng.randint(5, 25)),
            delegates=rng.randint(25, 60) if c.enterprise_id is None else rng.randint(12, 30),
            resolutions="审议通过工资集体协商方案和年度工会工作报告",
        )
        for c in congresses
    )
    AffairsDisclosure.objects.bulk_create(
        AffairsDisclosure(
            enterprise=e,
            disclosed_on=_d(month, rng.randint(5, 25)),
            topic=topic,
            method=rng.choice(list(DisclosureMethod.values)),
            content=f"{e.name}向职工公开{topic}",
        )
        for e in large
        for month, topic in ((3, "年度工资调整方案"), (9, "社会保险缴纳情况"))
    )


# --- Member-side records ---------------------------------------------------


def _member_records(rng, federation, staff, members) -> None:
    people = Member.objects.filter(pk__in=[m[0] for m in members]).order_by("pk")
    order = list(JingCard.values)
    changes, enrolments, verifications = [], [], []
    campaign = VerificationCampaign.objects.create(
        federation=federation,
        name="2017年会员信息核准与采集补录",
        started_on=_d(3, 1),
        ends_on=_d(12, 31),
    )
    for member in people.only("pk", "jingcard_status", "verified_at", "verified_by_id"):
        steps = order[: order.index(member.jingcard_status) + 1]
        day = _d(rng.randint(1, 6), rng.randint(1, 28))
        for before, after in itertools.pairwise(steps):
            changes.append(
                JingCardChange(
                    member_id=member.pk,
                    from_status=before,
                    to_status=after,
                    changed_on=day,
                    recorded_by=rng.choice(staff),
                )
            )
            day += datetime.timedelta(days=rng.randint(7, 40))
        if rng.random() < 0.38:
            enrolments.append(
                InsuranceEnrolment(
                    member_id=member.pk,
                    year=YEAR,
                    enrolled_on=_d(4, rng.randint(20, 30)),
                    plan="在职职工住院医疗互助保障",
                    premium=Decimal("50.00"),
                    recorded_by=rng.choice(staff),
                )
            )
        if member.verified_at and campaign.started_on <= timezone.localdate(member.verified_at):
            verifications.append(
                Verification(
                    campaign=campaign,
                    member_id=member.pk,
                    verified_by_id=member.verified_by_id or staff[0].pk,
                    verified_at=member.verified_at,
                )
            )
    JingCardChange.objects.bulk_create(changes, batch_size=2000)
    InsuranceEnrolment.objects.bulk_create(enrolments, batch_size=2000)
    Verification.objects.bulk_create(verifications, batch_size=2000)

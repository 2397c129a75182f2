"""The demo street's 5,100 members: valid ID numbers, plausible ages and
names, spread over the enterprises by headcount; a few former members and
transfers, so that the joined / transferred / left figures have something
to count, each with its history (MembershipEvent) as the services write it.

Their lives in 2017 (issue 17): 120 leavers ended with their reasons; after
the union-funds step, whose zombie visits hold the members of the 30
enterprises found moved out or deregistered at their community
(dues.services.zombie_resolve → members.services.enterprise_members_close),
`load_lifecycle` holds some of the members past the statutory age as
retired. Held members stay members: the street still counts 5,100."""

import datetime
import random

from django.db import models, transaction
from django.utils import timezone

from chunshu_union import crypto
from demo.enterprises import SEED, person_name
from members.id_numbers import make_id_number
from members.models import EndReason, HoldReason, JingCard, Member, Membership, MembershipEvent
from members.services import membership_hold, membership_transfer

MEMBER_COUNT = 5100
FORMER_MEMBERS = 120
TRANSFERS_WITHIN = 40
#: Why the former members left (weights), drawn apart from the other draws so
#: that the members, their numbers and enterprises stay what they were.
LEAVING = {
    EndReason.LEFT_STREET: 55,
    EndReason.LEFT_UNION: 10,
    EndReason.DECEASED: 5,
    EndReason.OTHER: 30,
}
#: Of the members in good standing who had reached the statutory retirement
#: age by the end of 2017Q3 (members.retirement: women 55, men 60 under the
#: rules in force in 2017), the share held as retired; the others are the
#: retirement list's to confirm.
RETIRED_SHARE = 0.5
AGE_BY = datetime.date(2017, 9, 30)
#: Beijing Xicheng first; then the provinces most migrant workers come from.
AREAS = ("110102",) * 6 + (
    "110101",
    "110105",
    "110106",
    "130102",
    "130602",
    "410105",
    "370102",
    "340104",
    "510104",
    "210102",
    "140105",
    "420102",
)
# The national standards' codes (chunshu_union.codelists): 汉族 01, 回族 03,
# 满族 11, 蒙古族 02, 朝鲜族 10; education GB/T 4658 levels from 小学 (80) to
# 研究生 (10); political status GB/T 4762: 党员, 预备党员, 团员, 民盟, 群众.
ETHNICITIES = ("01",) * 24 + ("03", "11", "02", "10")
EDUCATIONS = ("80", "70", "60", "30", "20", "10")
POLITICAL_STATUSES = ("01", "02", "03", "05", "13")


def _id_numbers(rng: random.Random, n: int) -> list[str]:
    numbers: set[str] = set()
    while len(numbers) < n:
        birth = datetime.date(1958, 1, 1) + datetime.timedelta(days=rng.randint(0, 40 * 365))
        number = make_id_number(f"{rng.choice(AREAS)}{birth:%Y%m%d}{rng.randint(0, 999):03d}")
        if not number.endswith("000"):  # what Excel's damage looks like: refused
            numbers.add(number)
    # sorted() first: a set of strings comes out in another order in every
    # process (hash randomisation), and the shuffle must not depend on it.
    return sorted(sorted(numbers), key=lambda _n: rng.random())


def _allocate(rng: random.Random, enterprises, total: int) -> list:
    """Members per enterprise: proportional to headcount, at least three,
    never more than the headcount, adding up to `total`."""
    weights = [max(e.headcount, 3) for e in enterprises]
    if not sum(min(e.headcount, 3) for e in enterprises) <= total <= sum(weights):
        # The loop below would never end.
        raise ValueError(f"{total} members cannot be spread over {len(enterprises)} enterprises")
    scale = total / sum(weights)
    counts = [
        min(e.headcount, max(3, round(w * scale)))
        for e, w in zip(enterprises, weights, strict=True)
    ]
    while sum(counts) != total:
        i = rng.randrange(len(enterprises))
        if sum(counts) < total and counts[i] < max(enterprises[i].headcount, 3):
            counts[i] += 1
        elif sum(counts) > total and counts[i] > 3:
            counts[i] -= 1
    slots = []
    for enterprise, count in zip(enterprises, counts, strict=True):
        slots.extend([enterprise] * count)
    return slots


def _member(rng: random.Random, number: str, staff) -> Member:
    last, first = person_name(rng)
    member = Member(
        name=last + first,
        phone="1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9)),
        ethnicity=rng.choice(ETHNICITIES),
        education=rng.choice(EDUCATIONS),
        political_status=rng.choices(POLITICAL_STATUSES, weights=(12, 1, 10, 1, 76))[0],
        is_migrant_worker=rng.random() < 0.3,
        is_model_worker=rng.random() < 0.01,
        is_in_hardship=rng.random() < 0.02,
        jingcard_status=rng.choices(list(JingCard.values), weights=(18, 7, 20, 55))[0],
    )
    member.id_number = number
    if rng.random() < 0.42:
        member.app_registered_on = datetime.date(2017, 1, 1) + datetime.timedelta(
            days=rng.randint(0, 270)
        )
    if rng.random() < 0.86:
        day = datetime.date(2017, 3, 1) + datetime.timedelta(days=rng.randint(0, 200))
        member.verified_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
        member.verified_by = rng.choice(staff)
    return member


def _joined_on(rng: random.Random, enterprise) -> datetime.date:
    start = max(enterprise.union_founded_on, datetime.date(2010, 8, 1))
    if rng.random() < 0.06:  # joined during 2017
        start = max(start, datetime.date(2017, 1, 1))
        return start + datetime.timedelta(
            days=rng.randint(0, max(0, (datetime.date(2017, 9, 30) - start).days))
        )
    end = datetime.date(2016, 12, 31)
    return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))


@transaction.atomic
def load_members(enterprises, staff) -> None:
    rng = random.Random(SEED + 1)
    numbers = _id_numbers(rng, MEMBER_COUNT + FORMER_MEMBERS)
    slots = _allocate(rng, enterprises, MEMBER_COUNT)
    digests = [crypto.digest(n) for n in numbers]
    known = set(Member.objects.filter(id_digest__in=digests).values_list("id_digest", flat=True))
    people = [_member(rng, number, staff) for number in numbers]
    Member.objects.bulk_create([m for m in people if m.id_digest not in known], batch_size=1000)
    if Membership.objects.filter(member__id_digest__in=digests).exists():
        return  # memberships were loaded with the members, once
    by_digest = dict(Member.objects.filter(id_digest__in=digests).values_list("id_digest", "pk"))
    memberships = []
    for digest, enterprise in zip(digests, slots, strict=False):
        memberships.append(
            Membership(
                member_id=by_digest[digest],
                enterprise=enterprise,
                joined_on=_joined_on(rng, enterprise),
            )
        )
    for digest in digests[MEMBER_COUNT:]:  # former members: joined, then left in 2017
        enterprise = rng.choice(enterprises)
        joined = _joined_on(rng, enterprise)
        left = max(joined, datetime.date(2017, 1, 1) + datetime.timedelta(days=rng.randint(0, 260)))
        memberships.append(
            Membership(
                member_id=by_digest[digest], enterprise=enterprise, joined_on=joined, left_on=left
            )
        )
    lives = random.Random(SEED + 11)
    for membership in memberships:
        if membership.left_on:
            membership.end_reason = lives.choices(list(LEAVING), weights=list(LEAVING.values()))[0]
    Membership.objects.bulk_create(memberships, batch_size=1000)
    _history(digests)
    _transfers(rng, enterprises, staff)


def _history(digests) -> None:
    """The events the services would have written: joined for every
    membership, ended (with its reason) for the former members'."""
    Kind = MembershipEvent.Kind
    events = []
    rows = Membership.objects.filter(member__id_digest__in=digests).values_list(
        "pk", "member_id", "joined_on", "left_on", "end_reason"
    )
    for pk, member_id, joined, left, reason in rows.order_by("pk"):
        events.append(
            MembershipEvent(member_id=member_id, membership_id=pk, kind=Kind.JOINED, on=joined)
        )
        if left:
            events.append(
                MembershipEvent(
                    member_id=member_id, membership_id=pk, kind=Kind.ENDED, on=left, reason=reason
                )
            )
    MembershipEvent.objects.bulk_create(events, batch_size=1000)


def _transfers(rng: random.Random, enterprises, staff) -> None:
    """Some members moved between the street's enterprises during 2017."""
    candidates = list(
        Membership.objects.filter(
            enterprise__in=enterprises,
            left_on__isnull=True,
            joined_on__lt=datetime.date(2017, 1, 1),
        ).order_by("pk")[:2000]
    )
    for membership in rng.sample(candidates, TRANSFERS_WITHIN):
        target = rng.choice([e for e in enterprises if e.pk != membership.enterprise_id])
        day = datetime.date(2017, 2, 1) + datetime.timedelta(days=rng.randint(0, 230))
        membership_transfer(
            member=membership.member,
            to_enterprise=target,
            on=day,
            reason="调动",
            by=rng.choice(staff),
        )


def _retirement_age_reached_on(member) -> datetime.date:
    years = 55 if member.sex == "F" else 60
    born = member.birth_date
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # born on 29 February
        return born.replace(year=born.year + years, day=28)


@transaction.atomic
def load_lifecycle(enterprises, staff) -> int:
    """Some members past the statutory age, still in good standing, are
    held as retired by the street's staff, through members.services (run
    after the union-funds step, whose zombie visits have held the members of
    closed enterprises). Idempotent: done once."""
    if MembershipEvent.objects.filter(
        kind=MembershipEvent.Kind.HELD, reason=HoldReason.RETIRED
    ).exists():
        return 0
    rng = random.Random(SEED + 12)
    women = datetime.date(AGE_BY.year - 55, AGE_BY.month, AGE_BY.day)
    men = datetime.date(AGE_BY.year - 60, AGE_BY.month, AGE_BY.day)
    standing = (
        Membership.objects.standing()
        .filter(enterprise__in=enterprises)
        .filter(
            models.Q(member__sex="F", member__birth_date__lte=women)
            | models.Q(member__sex="M", member__birth_date__lte=men)
        )
        .select_related("member")
        .order_by("pk")
    )
    held = 0
    for membership in standing:
        if rng.random() >= RETIRED_SHARE:
            continue
        reached = _retirement_age_reached_on(membership.member)
        day = max(reached, membership.joined_on, datetime.date(2017, 1, 3))
        day = min(day, AGE_BY)
        membership_hold(
            member=membership.member,
            on=day,
            reason=HoldReason.RETIRED,
            note="到龄退休",
            by=rng.choice(staff),
        )
        held += 1
    return held

"""The demo street's 5,100 members: valid ID numbers, plausible ages and
names, spread over the enterprises by headcount; a few former members and
transfers, so that the joined / transferred / left figures have something
to count."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from chunshu_union import crypto
from demo.enterprises import SEED, person_name
from members.id_numbers import make_id_number
from members.models import JingCard, Member, Membership, Transfer

MEMBER_COUNT = 5100
FORMER_MEMBERS = 120
TRANSFERS_WITHIN = 40
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
    Membership.objects.bulk_create(memberships, batch_size=1000)
    _transfers(rng, enterprises, staff)


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
        membership.left_on = day
        membership.save(update_fields=["left_on"])
        new = Membership.objects.create(
            member_id=membership.member_id, enterprise=target, joined_on=day
        )
        Transfer.objects.create(
            member_id=membership.member_id,
            from_membership=membership,
            to_membership=new,
            transferred_on=day,
            reason="调动",
            recorded_by=rng.choice(staff),
        )

"""A chair's community with something waiting in every line of the to-do
list: alice chairs the first community, bob the second."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Role
from tests.browser.conftest import browser  # noqa: F401 (the chromium fixture, for the browser test)
from tests.factories import (
    EnterpriseFactory,
    MembershipFactory,
    community,
    id_number,
    street,
    user,
    welfare_batch,
)


def chair_day() -> dict:
    """alice's community: two enterprises, an unverified member (张三), a
    member past the retirement age (王老汉), a roster import with one
    faulty row, the rate of two quarters, a suspected zombie, a welfare
    batch and an event of the street; bob's community has its own member
    and enterprise."""
    from dues.models import RateSnapshot, ZombieFlag
    from members.models import ImportBatch, VerificationCampaign
    from services.models import Event, EventKind

    alice = user("alice", Role.CHAIR, community(1), last_name="王", first_name="芳")
    bob = user("bob", Role.CHAIR, community(2))
    acme = EnterpriseFactory(name="北京椿树一号科技有限公司", community=community(1))
    other = EnterpriseFactory(name="北京椿树二号商贸有限公司", community=community(1))
    zhang = MembershipFactory(
        enterprise=acme, member__name="张三", member__phone="1380013800"
    ).member
    old = MembershipFactory(
        enterprise=acme,
        member__name="王老汉",
        member__id_number_value=id_number(birth="19600105"),
    ).member
    bobs = EnterpriseFactory(name="北京红线二号商贸有限公司", community=community(2))
    bobs_member = MembershipFactory(enterprise=bobs, member__name="李四").member
    VerificationCampaign.objects.create(
        federation=street(), name="2026年会员信息核准", started_on=datetime.date(2026, 1, 1)
    )
    ImportBatch.objects.create(
        community=community(1),
        created_by=alice,
        filename="十一月花名册.xlsx",
        state=ImportBatch.State.COMMITTED,
        invalid=1,
        errors=[{"row": 5, "column": "手机号码", "message": "张三的手机号码少一位"}],
    )
    now = timezone.now()
    for quarter, declared in (("2026Q2", [acme.pk]), ("2026Q3", [])):
        RateSnapshot.objects.create(
            federation=street(),
            community=community(1),
            scope_key=str(community(1).pk),
            quarter=quarter,
            declared=len(declared),
            obligated=2,
            zero_declared=0,
            rate=50 * len(declared),
            declared_ids=declared,
            obligated_ids=[acme.pk, other.pk],
            computed_at=now,
        )
    ZombieFlag.objects.create(
        enterprise=other, quarter="2026Q3", flagged_on=datetime.date(2026, 10, 20), score=3
    )
    batch = welfare_batch(name="2026送温暖福包", quantity=10)
    event = Event.objects.create(
        federation=street(),
        kind=EventKind.TRAINING,
        title="工会干部培训",
        starts_on=datetime.date(2026, 11, 20),
        ends_on=datetime.date(2026, 11, 20),
    )
    return {
        "alice": alice,
        "bob": bob,
        "acme": acme,
        "other": other,
        "zhang": zhang,
        "old": old,
        "bobs_member": bobs_member,
        "batch": batch,
        "event": event,
    }


@pytest.fixture
def day(db):
    return chair_day()

"""The member-side records: 京卡 history, mutual insurance, the
verification campaign."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from members.models import (
    InsuranceEnrolment,
    JingCard,
    JingCardChange,
    Member,
    Verification,
    VerificationCampaign,
)

from .year import YEAR, date


def load(rng, federation, staff, members) -> None:
    people = Member.objects.filter(pk__in=[m[0] for m in members]).order_by("pk")
    order = list(JingCard.values)
    changes, enrolments, verifications = [], [], []
    campaign = VerificationCampaign.objects.create(
        federation=federation,
        name="2017年会员信息核准与采集补录",
        started_on=date(3, 1),
        ends_on=date(12, 31),
    )
    for member in people.only("pk", "jingcard_status", "verified_at", "verified_by_id"):
        steps = order[: order.index(member.jingcard_status) + 1]
        day = date(rng.randint(1, 6), rng.randint(1, 28))
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
                    enrolled_on=date(4, rng.randint(20, 30)),
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

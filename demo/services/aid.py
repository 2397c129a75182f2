"""Emergency aid cases in every state, from submitted to paid."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from members.models import Member
from services.models import AidCase, AidStatus

from .year import date

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


def load(rng, users, communities, members) -> None:
    chairs = {c.pk: users[f"chair{c.position}"] for c in communities}
    reviewer, approver, payer = users["staff2"], users["staff3"], users["staff4"]
    people = rng.sample(members, len(AID_STATES))
    now = timezone.now()
    cases = []
    for i, (state, (member_id, _e, community_id, _s)) in enumerate(
        zip(AID_STATES, people, strict=True)
    ):
        applied = date(1 + i * 11 // len(AID_STATES), rng.randint(1, 25))
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

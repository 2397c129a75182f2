"""Member-side service records: 京卡 transitions, the 12351 app, insurance
per year, verification, and coverage per community."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from members.coverage import (
    coverage_by_community,
    insurance_enrol,
    member_register_app,
    member_set_jingcard,
    member_verify,
)
from members.models import InsuranceEnrolment, JingCard, JingCardChange, VerificationCampaign
from tests.factories import street

D = datetime.date


@pytest.fixture(autouse=True)
def in_2017():
    with time_machine.travel(datetime.datetime(2017, 12, 20, 10, 0), tick=False):
        yield


def test_the_jing_card_moves_one_step_at_a_time_and_each_step_is_recorded(sam, alices_member):
    member_set_jingcard(member=alices_member, to_status=JingCard.APPLIED, on=D(2017, 3, 1), by=sam)
    member_set_jingcard(member=alices_member, to_status=JingCard.ISSUED, on=D(2017, 4, 1), by=sam)
    alices_member.refresh_from_db()
    assert alices_member.jingcard_status == JingCard.ISSUED
    assert list(
        JingCardChange.objects.filter(member=alices_member)
        .order_by("changed_on")
        .values_list("from_status", "to_status")
    ) == [("not_applied", "applied"), ("applied", "issued")]


def test_a_jing_card_cannot_skip_a_step(sam, alices_member):
    with pytest.raises(ValidationError) as refused:
        member_set_jingcard(
            member=alices_member, to_status=JingCard.ACTIVATED, on=D(2017, 3, 1), by=sam
        )
    assert refused.value.code == "bad_transition"
    alices_member.refresh_from_db()
    assert alices_member.jingcard_status == JingCard.NOT_APPLIED
    assert not JingCardChange.objects.exists()


def test_a_chair_changes_only_her_own_members(alice, bobs_member):
    with pytest.raises(ValidationError) as refused:
        member_set_jingcard(
            member=bobs_member, to_status=JingCard.APPLIED, on=D(2017, 3, 1), by=alice
        )
    assert refused.value.code == "other_community"
    with pytest.raises(ValidationError):
        insurance_enrol(member=bobs_member, year=2017, enrolled_on=D(2017, 3, 1), by=alice)


def test_insurance_once_per_member_per_year(sam, alices_member):
    insurance_enrol(
        member=alices_member, year=2017, enrolled_on=D(2017, 3, 1), by=sam, premium=Decimal("30")
    )
    with pytest.raises(ValidationError) as refused:
        insurance_enrol(member=alices_member, year=2017, enrolled_on=D(2017, 4, 1), by=sam)
    assert refused.value.code == "duplicate"
    insurance_enrol(member=alices_member, year=2018, enrolled_on=D(2017, 12, 1), by=sam)
    assert InsuranceEnrolment.objects.filter(member=alices_member).count() == 2
    with pytest.raises(ValidationError):
        insurance_enrol(
            member=alices_member,
            year=2016,
            enrolled_on=D(2016, 3, 1),
            by=sam,
            premium=Decimal("-1"),
        )


def test_verification_stamps_the_member_and_is_once_per_campaign(sam, alices_member):
    campaign = VerificationCampaign.objects.create(
        federation=street(),
        name="2017年会员信息核准",
        started_on=D(2017, 6, 1),
        ends_on=D(2017, 9, 30),
    )
    at = timezone.make_aware(datetime.datetime(2017, 7, 3, 9, 0))
    member_verify(campaign=campaign, member=alices_member, by=sam, at=at)
    alices_member.refresh_from_db()
    assert alices_member.verified_at == at and alices_member.verified_by == sam
    with pytest.raises(ValidationError) as twice:
        member_verify(campaign=campaign, member=alices_member, by=sam, at=at)
    assert twice.value.code == "duplicate"
    with pytest.raises(ValidationError) as outside:
        member_verify(
            campaign=campaign,
            member=alices_member,
            by=sam,
            at=timezone.make_aware(datetime.datetime(2017, 11, 1, 9, 0)),
        )
    assert outside.value.code == "outside_campaign"


def test_coverage_per_community_counts_from_the_data(sam, alice, alices_member, bobs_member):
    member_set_jingcard(member=alices_member, to_status=JingCard.APPLIED, on=D(2017, 3, 1), by=sam)
    member_set_jingcard(member=alices_member, to_status=JingCard.ISSUED, on=D(2017, 3, 2), by=sam)
    member_set_jingcard(
        member=alices_member, to_status=JingCard.ACTIVATED, on=D(2017, 3, 3), by=sam
    )
    member_register_app(member=bobs_member, on=D(2017, 5, 1), by=sam)
    insurance_enrol(member=bobs_member, year=2017, enrolled_on=D(2017, 3, 1), by=sam)
    rows = {r["community"].position: r for r in coverage_by_community(user=sam, year=2017)}
    assert len(rows) == 7
    assert (rows[1]["members"], rows[1]["jingcard_activated"], rows[1]["insured"]) == (1, 1, 0)
    assert (rows[2]["members"], rows[2]["app_registered"], rows[2]["insured"]) == (1, 1, 1)
    assert rows[3]["members"] == 0
    # A chair sees only her own community's row.
    assert [r["community"].position for r in coverage_by_community(user=alice, year=2017)] == [1]


def test_staff_open_the_coverage_admin_pages(client, sam):
    client.force_login(sam)
    for model in ("jingcardchange", "insuranceenrolment", "verificationcampaign", "verification"):
        assert client.get(f"/admin/members/{model}/").status_code == 200
        assert client.get(f"/admin/members/{model}/add/").status_code == 200


def test_a_skipped_jing_card_step_in_the_admin_is_a_form_error(client, sam, alices_member):
    client.force_login(sam)
    response = client.post(
        "/admin/members/jingcardchange/add/",
        {"member": alices_member.pk, "to_status": "activated", "changed_on": "2017-03-01"},
    )
    assert response.status_code == 200
    assert not JingCardChange.objects.exists()
    ok = client.post(
        "/admin/members/jingcardchange/add/",
        {"member": alices_member.pk, "to_status": "applied", "changed_on": "2017-03-01"},
    )
    assert ok.status_code == 302
    alices_member.refresh_from_db()
    assert alices_member.jingcard_status == JingCard.APPLIED

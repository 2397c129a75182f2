"""The quarter's service figures for the dashboard, computed from the data."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from chunshu_union.quarters import Quarter
from enterprises.models import CollectiveAgreement, RegisterScope
from enterprises.registers import agreement_record, demonstration_units
from services.models import Campaign, Event, EventKind, ServiceOffer, WelfareBatch, WelfareItem
from services.selectors import services_figures_for_quarter
from services.services import (
    aid_approve,
    aid_pay,
    aid_review,
    aid_submit,
    attendance_record,
    handout_give,
    service_request_accept,
    service_request_create,
    service_request_fulfil,
    service_request_rate,
    visit_record,
)
from tests.factories import EnterpriseFactory, street

D = datetime.date


def _one_years_agreement(by, enterprises, title, *, scope=RegisterScope.ENTERPRISE, **extra):
    """An agreement recorded by `by`, signed and in force from 2017-03-01 for a year."""
    return agreement_record(
        by=by,
        federation=street(),
        scope=scope,
        title=title,
        enterprises=enterprises,
        signed_on=D(2017, 3, 1),
        starts_on=D(2017, 3, 1),
        ends_on=D(2018, 2, 28),
        **extra,
    )


Q2 = Quarter(2017, 2)


def test_an_empty_quarter_has_zeros_not_errors(db):
    figures = services_figures_for_quarter(Q2)
    assert figures["visits_enterprise"] == 0
    assert figures["satisfaction_avg"] is None
    assert figures["bargaining_coverage"] is None  # nothing in scope: no rate, shown "—"
    assert figures["welfare_by_item"] == {}


def test_the_quarter_figures_count_what_happened_in_the_quarter(
    sam,
    ann,
    ben,
    cat,
    dan,
    alice,
    alices_enterprise,
    bobs_enterprise,
    alices_member,
    bobs_member,
    community1,
):
    visit_record(by=sam, visited_on=D(2017, 4, 5), enterprise=alices_enterprise)
    visit_record(by=sam, visited_on=D(2017, 4, 6), enterprise=bobs_enterprise)
    visit_record(by=sam, visited_on=D(2017, 3, 31), enterprise=bobs_enterprise)  # Q1
    visit_record(by=sam, visited_on=D(2017, 5, 6), community=community1)
    case = aid_submit(
        by=ann,
        member=alices_member,
        applied_on=D(2017, 4, 1),
        reason="病",
        amount_requested=Decimal("2000"),
    )
    aid_review(case=case, by=ben)
    aid_approve(case=case, by=cat, amount=Decimal("1800.50"))
    aid_pay(case=case, by=dan, paid_on=D(2017, 4, 15))
    packs = WelfareBatch.objects.create(
        federation=street(),
        item=WelfareItem.objects.create(name="清凉包"),
        name="送清凉",
        campaign=Campaign.COOLNESS,
        received_on=D(2017, 6, 1),
        quantity=100,
        stock=100,
    )
    handout_give(batch=packs, by=sam, member=alices_member, handed_on=D(2017, 6, 20))
    handout_give(
        batch=packs, by=sam, enterprise=bobs_enterprise, quantity=10, handed_on=D(2017, 6, 21)
    )
    training = Event.objects.create(
        federation=street(),
        kind=EventKind.TRAINING,
        title="培训",
        starts_on=D(2017, 4, 20),
        ends_on=D(2017, 4, 20),
    )
    attendance_record(event=training, member=alices_member, by=sam)
    attendance_record(event=training, member=bobs_member, by=sam)
    offer = ServiceOffer.objects.create(name="特需建家")
    for rating in (5, 4):
        request = service_request_create(
            offer=offer, enterprise=alices_enterprise, by=alice, requested_on=D(2017, 4, 2)
        )
        service_request_accept(request=request, by=sam, on=D(2017, 4, 3))
        service_request_fulfil(request=request, by=sam, on=D(2017, 5, 3))
        service_request_rate(request=request, by=alice, rating=rating)
    agreement_record(
        by=sam,
        federation=street(),
        scope=RegisterScope.ENTERPRISE,
        title="2017工资专项集体合同",
        enterprises=[alices_enterprise],
        signed_on=D(2017, 1, 10),
        starts_on=D(2017, 1, 10),
        ends_on=D(2019, 12, 31),
        wage_rise_percent=Decimal("6.5"),
    )
    figures = services_figures_for_quarter(Q2)
    assert (figures["visits_enterprise"], figures["visits_community"]) == (2, 1)
    assert (figures["aid_cases"], figures["aid_paid_amount"]) == (1, Decimal("1800.50"))
    assert figures["welfare_handouts"] == 11
    assert figures["welfare_by_item"] == {"清凉包": 11}
    assert (figures["events"], figures["event_attendance"]) == (1, 2)
    assert (figures["service_requests"], figures["service_requests_fulfilled"]) == (2, 2)
    assert figures["satisfaction_avg"] == Decimal("4.50")
    assert (figures["agreements_in_force"], figures["covered_workers"]) == (1, 20)
    assert figures["bargaining_coverage"] == Decimal("50.00")  # 1 of the 2 enterprises
    # One community only.
    mine = services_figures_for_quarter(Q2, community_id=community1.pk)
    assert (mine["visits_enterprise"], mine["event_attendance"]) == (1, 1)
    assert mine["welfare_handouts"] == 1
    assert mine["bargaining_coverage"] == Decimal("100.00")

    # Any object with first_day and last_day will do.
    class Period:
        first_day, last_day = D(2017, 4, 1), D(2017, 6, 30)

    assert services_figures_for_quarter(Period())["visits_enterprise"] == 2


def test_a_regional_agreement_covers_only_its_own_community(
    sam, alices_enterprise, bobs_enterprise, community1
):
    with pytest.raises(ValidationError) as refused:
        _one_years_agreement(
            sam,
            [alices_enterprise, bobs_enterprise],
            "区域性工资集体协议",
            scope=RegisterScope.REGIONAL,
            community=community1,
        )
    assert bobs_enterprise.name in str(refused.value)
    assert not CollectiveAgreement.objects.exists()


def test_the_demonstration_list_needs_100_employees(sam, community1):
    small = EnterpriseFactory(community=community1, headcount=60)
    large = EnterpriseFactory(community=community1, headcount=150)
    with pytest.raises(ValidationError) as refused:
        _one_years_agreement(sam, [small], "小", is_demonstration=True)
    assert "100" in str(refused.value)
    _one_years_agreement(sam, [large], "大", is_demonstration=True)
    assert list(demonstration_units(D(2017, 6, 30))) == [large]
    assert list(demonstration_units(D(2018, 6, 30))) == []


def test_a_chair_cannot_record_an_agreement_for_another_community(alice, bobs_enterprise):
    with pytest.raises(ValidationError):
        _one_years_agreement(alice, [bobs_enterprise], "x")
    assert not CollectiveAgreement.objects.exists()


@pytest.mark.parametrize("model", ["collectiveagreement", "workercongress", "affairsdisclosure"])
def test_staff_open_the_register_pages(client, sam, model):
    client.force_login(sam)
    assert client.get(f"/admin/enterprises/{model}/").status_code == 200
    assert client.get(f"/admin/enterprises/{model}/add/").status_code == 200

"""Welfare: one handout per member per batch across all communities, and
stock that never goes below zero."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from members.services import membership_transfer
from services.models import Campaign, Handout, WelfareBatch, WelfareItem
from services.services import handout_give
from tests.factories import street

D = datetime.date


@pytest.fixture
def gift_packs(db):
    item = WelfareItem.objects.create(name="福包")
    return WelfareBatch.objects.create(
        federation=street(),
        item=item,
        name="2017年春节送温暖福包",
        campaign=Campaign.WARMTH,
        received_on=D(2017, 1, 5),
        quantity=2,
        stock=2,
    )


def test_a_handout_takes_one_from_stock(sam, gift_packs, alices_member):
    handout = handout_give(batch=gift_packs, by=sam, member=alices_member, handed_on=D(2017, 1, 20))
    gift_packs.refresh_from_db()
    assert gift_packs.stock == 1 and gift_packs.handed_out == 1
    assert handout.community == alices_member.open_membership().enterprise.community


def test_a_second_handout_of_the_same_batch_is_refused_even_in_another_community(
    sam, alice, bobs_enterprise, gift_packs, alices_member
):
    handout_give(batch=gift_packs, by=alice, member=alices_member, handed_on=D(2017, 1, 20))
    membership_transfer(member=alices_member, to_enterprise=bobs_enterprise, on=D(2017, 1, 21))
    with pytest.raises(ValidationError) as refused:
        handout_give(batch=gift_packs, by=sam, member=alices_member, handed_on=D(2017, 1, 22))
    assert refused.value.code == "already_received"
    assert "张三" in refused.value.messages[0]
    gift_packs.refresh_from_db()
    assert gift_packs.stock == 1  # nothing half-written
    assert Handout.objects.count() == 1


def test_the_database_holds_one_per_member_per_batch(sam, gift_packs, alices_member):
    handout_give(batch=gift_packs, by=sam, member=alices_member, handed_on=D(2017, 1, 20))
    with pytest.raises(IntegrityError), transaction.atomic():
        Handout.objects.create(
            batch=gift_packs, member=alices_member, community_id=1, handed_on=D(2017, 1, 21)
        )


def test_stock_never_goes_below_zero(sam, gift_packs, alices_enterprise, bobs_enterprise):
    handout_give(
        batch=gift_packs, by=sam, enterprise=alices_enterprise, quantity=2, handed_on=D(2017, 1, 20)
    )
    with pytest.raises(ValidationError) as refused:
        handout_give(
            batch=gift_packs,
            by=sam,
            enterprise=bobs_enterprise,
            quantity=1,
            handed_on=D(2017, 1, 21),
        )
    assert refused.value.code == "out_of_stock"
    gift_packs.refresh_from_db()
    assert gift_packs.stock == 0
    assert Handout.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        WelfareBatch.objects.filter(pk=gift_packs.pk).update(stock=-1)


def test_a_chair_hands_out_only_in_her_community(alice, gift_packs, bobs_member):
    with pytest.raises(ValidationError) as refused:
        handout_give(batch=gift_packs, by=alice, member=bobs_member, handed_on=D(2017, 1, 20))
    assert refused.value.code == "other_community"
    gift_packs.refresh_from_db()
    assert gift_packs.stock == 2

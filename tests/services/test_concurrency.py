"""Two people handing out the last items at the same moment: the stock
never goes below zero and a member never gets two of a batch. Needs real
concurrent transactions, so it runs on PostgreSQL (CI's second run, or
DATABASE_URL=postgres://…); SQLite serialises writers and skips it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from services.models import Handout
from services.services import handout_give
from tests.factories import EnterpriseFactory, welfare_batch
from tests.racing import at_once

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"
)


def _race(n, give):
    """`give(i)` n times at once: "ok" for each handout, the code of each refusal."""
    return [
        outcome.code if isinstance(outcome, ValidationError) else "ok"
        for outcome in at_once(n, give)
    ]


@pytest.mark.django_db(transaction=True)
def test_eight_handouts_racing_for_three_items_leave_the_stock_at_zero(sam, community1):
    batch = welfare_batch(
        "清凉包",
        name="送清凉",
        campaign="coolness",
        received_on=datetime.date(2017, 7, 1),
        quantity=3,
    )
    enterprises = [EnterpriseFactory(community=community1) for _ in range(8)]
    outcomes = _race(
        8,
        lambda i: handout_give(
            batch=batch, by=sam, enterprise=enterprises[i], handed_on=datetime.date(2017, 7, 10)
        ),
    )
    batch.refresh_from_db()
    assert sorted(outcomes) == ["ok"] * 3 + ["out_of_stock"] * 5
    assert batch.stock == 0 and Handout.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_one_member_handed_the_same_batch_twice_at_once_gets_one(sam, alices_member):
    batch = welfare_batch(name="送温暖", quantity=10)
    outcomes = _race(
        4,
        lambda i: handout_give(
            batch=batch, by=sam, member=alices_member, handed_on=datetime.date(2017, 1, 20)
        ),
    )
    batch.refresh_from_db()
    assert sorted(outcomes) == ["already_received"] * 3 + ["ok"]
    assert batch.stock == 9 and Handout.objects.count() == 1

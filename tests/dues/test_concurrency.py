"""Two recomputations or flaggings at once (beat and a manual run, or a
redelivered task) serialise on the job lock: nothing is doubled."""

import pytest
from django.db import connection

from chunshu_union.quarters import Quarter
from dues.models import RateSnapshot, ZombieFlag
from dues.services import snapshots_recompute, zombies_flag
from tests.factories import EnterpriseFactory
from tests.racing import at_once

from .helpers import declare


def _twice_at_once(fn):
    """The errors of two runs of `fn` at once (none, when the lock holds)."""
    return [outcome for outcome in at_once(2, lambda i: fn()) if isinstance(outcome, Exception)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (separate connections in threads); CI's second run",
)
def test_two_runs_at_once_store_one_snapshot_and_one_flag_each():
    silent, paying = EnterpriseFactory.create_batch(2)
    declare(paying, "2016Q4")
    declare(silent, "2016Q1")
    assert _twice_at_once(lambda: snapshots_recompute(quarter=Quarter(2016, 4))) == []
    assert RateSnapshot.objects.filter(quarter="2016Q4").count() == 8
    assert _twice_at_once(lambda: zombies_flag(quarter=Quarter(2016, 4))) == []
    assert ZombieFlag.objects.filter(enterprise=silent).count() == 1
    assert silent.status_history.filter(status="suspected_dormant").count() == 1

"""Quarter snapshots: stored per scope with the enterprises behind them;
frozen once the quarter has ended; late data makes an audited revision."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command

from chunshu_union.quarters import Quarter
from dues.models import RateSnapshot
from dues.services import snapshots_recompute
from tests.factories import EnterpriseFactory

from .helpers import declare

Q3 = Quarter(2017, 3)
AFTER = datetime.date(2017, 10, 20)


def street_snapshots():
    return RateSnapshot.objects.filter(quarter="2017Q3", community=None).order_by("revision")


def test_a_snapshot_keeps_the_enterprises_behind_each_figure(db, community1):
    a, b, c = EnterpriseFactory.create_batch(3, community=community1)
    declare(a, "2017Q3")
    declare(b, "2017Q3", zero=True)
    snapshots_recompute(quarter=Q3, today=AFTER)
    street = street_snapshots().get()
    assert (street.declared, street.obligated, street.zero_declared) == (2, 3, 1)
    assert sorted(street.declared_ids) == sorted([a.pk, b.pk])
    assert street.zero_ids == [b.pk]
    assert set(street.obligated_ids) == {a.pk, b.pk, c.pk}
    assert street.frozen and street.revision == 1
    community = RateSnapshot.objects.get(quarter="2017Q3", community=community1)
    assert str(community.rate) == "66.67"


def test_recomputing_with_the_same_data_creates_nothing(db, sam):
    declare(EnterpriseFactory(), "2017Q3")
    snapshots_recompute(quarter=Q3, by=sam, today=AFTER)
    outcome = snapshots_recompute(quarter=Q3, by=sam, today=AFTER)
    assert outcome.created == [] and outcome.updated == []
    assert RateSnapshot.objects.filter(quarter="2017Q3").count() == 8


def test_late_data_on_a_closed_quarter_makes_a_new_revision(db, sam, lee):
    on_time, late = EnterpriseFactory.create_batch(2)
    declare(on_time, "2017Q3")
    snapshots_recompute(quarter=Q3, by=lee, today=AFTER)
    declare(late, "2017Q3", declared_on=datetime.date(2017, 12, 1))
    snapshots_recompute(quarter=Q3, by=sam, today=datetime.date(2017, 12, 2))
    first, second = street_snapshots()
    assert (first.revision, first.declared, first.is_current, first.computed_by) == (
        1,
        1,
        False,
        lee,
    )
    assert (second.revision, second.declared, second.is_current, second.computed_by) == (
        2,
        2,
        True,
        sam,
    )
    assert second.changes["declared"] == [1, 2]
    assert second.changes["rate"] == ["50.00", "100.00"]
    assert second.changes["declared_added"] == [late.pk]
    assert second.changes["previous_revision"] == 1


def test_an_open_quarter_is_rewritten_in_place_then_frozen_when_it_ends(db):
    a, b = EnterpriseFactory.create_batch(2)
    declare(a, "2017Q3", end=datetime.date(2017, 7, 31), start=datetime.date(2017, 7, 1))
    snapshots_recompute(quarter=Q3, today=datetime.date(2017, 8, 10))
    declare(b, "2017Q3", end=datetime.date(2017, 8, 31), start=datetime.date(2017, 8, 1))
    snapshots_recompute(quarter=Q3, today=datetime.date(2017, 9, 10))
    [snapshot] = street_snapshots()
    assert (snapshot.revision, snapshot.declared, snapshot.frozen) == (1, 2, False)
    snapshots_recompute(quarter=Q3, today=AFTER)
    [snapshot] = street_snapshots()
    assert snapshot.frozen and snapshot.revision == 1


def test_recompute_rates_command_prints_the_contract(db):
    declare(EnterpriseFactory(), "2017Q3")
    EnterpriseFactory()
    out = StringIO()
    call_command("recompute_rates", "--quarter", "2017Q3", "--json", stdout=out)
    assert '"rate": 50.00' in out.getvalue()  # two decimals, as a number
    rows = json.loads(out.getvalue())
    assert rows[0] == {
        "scope": "street",
        "quarter": "2017Q3",
        "declared": 1,
        "obligated": 2,
        "rate": 50.0,
    }
    assert len(rows) == 8


def test_recompute_rates_without_a_quarter_does_every_quarter_with_data(db):
    enterprise = EnterpriseFactory()
    declare(enterprise, "2017Q1")
    declare(enterprise, "2017Q3")
    out = StringIO()
    call_command("recompute_rates", "--json", stdout=out)
    quarters = {row["quarter"] for row in json.loads(out.getvalue())}
    assert quarters == {"2017Q1", "2017Q2", "2017Q3"}


@pytest.mark.parametrize("bad", ["2017Q5", "17-3", "2017-3", "Q3"])
def test_a_bad_quarter_is_refused_in_chinese_and_nothing_is_written(db, bad):
    declare(EnterpriseFactory(), "2017Q3")
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("recompute_rates", "--quarter", bad, stdout=out, stderr=err)
    assert exit_.value.code == 2
    assert "季度" in err.getvalue() and bad in err.getvalue()
    assert not RateSnapshot.objects.exists()

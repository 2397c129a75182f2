"""The read-only API: scoped like everything else."""

import datetime

from chunshu_union.quarters import Quarter
from dues.services import snapshots_recompute, zombies_flag
from tests.factories import EnterpriseFactory

from .helpers import declare


def _data(community1, community2):
    a = EnterpriseFactory(community=community1, union_founded_on=datetime.date(2015, 1, 1))
    b = EnterpriseFactory(community=community2, union_founded_on=datetime.date(2015, 1, 1))
    declare(a, "2016Q4")
    snapshots_recompute(quarter=Quarter(2016, 4))
    zombies_flag(quarter=Quarter(2016, 4), n=2)
    return a, b


def test_a_chair_sees_only_her_communitys_figures_and_flags(client, alice, community1, community2):
    _a, b = _data(community1, community2)
    client.force_login(alice)
    rows = client.get("/api/v1/rate-snapshots/", {"quarter": "2016Q4"}).json()["results"]
    assert [(r["scope"], r["declared"], r["obligated"], r["rate"]) for r in rows] == [
        (community1.name, 1, 1, "100.00")
    ]
    flag = b.zombie_flags.get()
    assert client.get(f"/api/v1/zombie-flags/{flag.pk}/").status_code == 404
    assert client.get("/api/v1/zombie-flags/").json()["count"] == 0


def test_staff_see_the_street_and_every_flag_with_its_reasons(client, sam, community1, community2):
    _a, b = _data(community1, community2)
    client.force_login(sam)
    rows = client.get("/api/v1/rate-snapshots/", {"quarter": "2016Q4"}).json()["results"]
    street = next(r for r in rows if r["scope"] == "street")
    assert (street["declared"], street["obligated"], street["rate"]) == (1, 2, "50.00")
    [flag] = client.get("/api/v1/zombie-flags/").json()["results"]
    assert flag["credit_code"] == b.credit_code
    assert flag["reasons"][0]["code"] == "no_declaration" and flag["reasons"][0]["text"]


def test_strangers_get_nothing(client, community1, community2):
    _data(community1, community2)
    assert client.get("/api/v1/rate-snapshots/").status_code in (401, 403)


def test_the_figures_behind_a_rate_are_scoped_too(alice, bob, community1, community2):
    from dues.selectors import snapshot_enterprises

    a, b = _data(community1, community2)
    q = Quarter(2016, 4)
    assert list(snapshot_enterprises(q, community1.pk, "declared", alice)) == [a]
    assert list(snapshot_enterprises(q, community2.pk, "undeclared", alice)) == []
    assert list(snapshot_enterprises(q, community2.pk, "undeclared", bob)) == [b]
    # Flagged on 2017-01-01: a zombie of 2017Q1, not yet of 2016Q4.
    assert list(snapshot_enterprises(q, None, "zombie", bob)) == []
    assert list(snapshot_enterprises(q.next(), None, "zombie", alice)) == []
    assert list(snapshot_enterprises(q.next(), None, "zombie", bob)) == [b]

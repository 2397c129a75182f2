"""The demo reproduces the article's figures, computed by the services."""

import io
from decimal import Decimal

from chunshu_union.quarters import Quarter
from demo import dues as dues_demo
from dues.models import Declaration, RateSnapshot, ZombieFlag
from dues.selectors import quarter_rates, zombie_counts
from enterprises.models import EnterpriseStatus, Status


def street_row(quarter, user):
    return next(r for r in quarter_rates(Quarter.parse(quarter), user) if r["scope"] == "street")


def test_the_demo_reproduces_the_article(demo_street):
    _federation, users, _enterprises = demo_street
    leader = users["leader"]
    q1, q3 = street_row("2017Q1", leader), street_row("2017Q3", leader)
    assert (q1["declared"], q1["obligated"]) == (167, 226)
    assert q1["rate"].quantize(Decimal("1")) == Decimal("74")
    assert (q3["declared"], q3["obligated"], q3["rate"]) == (163, 196, Decimal("83.16"))
    flags = ZombieFlag.objects.filter(quarter="2016Q4")
    assert flags.count() == 58
    assert all(f.flagged_on.isoformat() == "2017-01-01" for f in flags)
    out = flags.filter(resolution__in=["moved_out", "deregistered"])
    assert out.count() == 30
    assert all(
        Quarter(2017, 2).first_day <= f.resolved_on <= Quarter(2017, 3).last_day for f in out
    )
    # Written through the dated status history, not just the flag.
    assert (
        EnterpriseStatus.objects.filter(
            status__in=[Status.MOVED_OUT, Status.DEREGISTERED], enterprise__zombie_flags__in=out
        ).count()
        == 30
    )
    assert zombie_counts(Quarter(2017, 3), leader)["flagged"] == 58


def test_community_rates_vary_around_the_street(demo_street):
    _federation, users, _enterprises = demo_street
    rows = quarter_rates(Quarter(2017, 3), users["leader"])
    rates = [r["rate"] for r in rows if r["scope"] != "street"]
    assert len(rates) == 7
    assert min(rates) < Decimal("83.16") < max(rates)
    assert sum(r["obligated"] for r in rows if r["scope"] != "street") == 196


def test_the_demo_is_idempotent(demo_street):
    federation, users, enterprises = demo_street
    before = (
        Declaration.objects.count(),
        ZombieFlag.objects.count(),
        RateSnapshot.objects.count(),
        EnterpriseStatus.objects.count(),
    )
    out = io.StringIO()
    dues_demo.load(federation=federation, users=users, enterprises=enterprises, stdout=out)
    after = (
        Declaration.objects.count(),
        ZombieFlag.objects.count(),
        RateSnapshot.objects.count(),
        EnterpriseStatus.objects.count(),
    )
    assert after == before
    assert "83.16%" in out.getvalue()
    assert Declaration.objects.unmatched().exists()

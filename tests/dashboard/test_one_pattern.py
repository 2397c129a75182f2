"""One snapshot pattern, one percentage, one job lock and one nightly chain
(issue 15, item 2): what the dashboard stores is made the same way as the
union funds' rates, and the night runs rates → zombies → figures in order."""

import datetime
import io
import re
from contextlib import contextmanager

import time_machine
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from chunshu_union import locks
from chunshu_union.quarters import Quarter
from chunshu_union.revisions import Revisioned, revision_add
from dashboard.models import QuarterFigures
from dashboard.services import nightly_refresh, quarter_figures_compute
from dues.models import RateSnapshot
from dues.services import snapshots_recompute
from tests.dues.helpers import declare
from tests.factories import EnterpriseFactory, street

Q3 = Quarter(2017, 3)
TODAY = datetime.date(2017, 12, 1)


def test_both_snapshots_keep_their_revisions_the_same_way():
    assert issubclass(RateSnapshot, Revisioned) and issubclass(QuarterFigures, Revisioned)


def test_a_new_revision_retires_the_current_one_and_keeps_it(db, community1):
    scope = {"federation": street(), "community": community1, "quarter": "2017Q3"}
    first = revision_add(QuarterFigures, current=None, figures={"members_total": 1}, **scope)
    second = revision_add(QuarterFigures, current=first, figures={"members_total": 2}, **scope)
    first.refresh_from_db()
    assert (first.revision, first.is_current) == (1, False)
    assert (second.revision, second.is_current) == (2, True)


def test_the_rates_and_the_figures_take_the_one_job_lock(db, community1, monkeypatch):
    taken = []

    @contextmanager
    def recording(name):
        taken.append(name)
        with locks.job_lock(name):
            yield

    monkeypatch.setattr("dues.services.job_lock", recording)
    monkeypatch.setattr("dashboard.services.job_lock", recording)
    declare(EnterpriseFactory(community=community1), "2017Q3")
    snapshots_recompute(quarter=Q3, today=TODAY)
    quarter_figures_compute(federation=street(), quarter=Q3)
    assert taken == ["dues.rates", "dashboard.figures"]


def test_a_community_with_nothing_obligated_has_no_rate_not_zero(
    client, lee, community1, community2
):
    declare(EnterpriseFactory(community=community1), "2017Q3")
    snapshots_recompute(quarter=Q3, today=TODAY)
    quarter_figures_compute(federation=street(), quarter=Q3)
    empty = RateSnapshot.objects.current().get(community=community2, quarter="2017Q3")
    assert empty.obligated == 0 and empty.rate is None
    client.force_login(lee)
    page = client.get("/dashboard/?quarter=2017Q3").content.decode()
    row = re.search(rf'data-community="{community2.pk}">(.*?)</tr>', page, re.S).group(1)
    assert "—" in row and "0.00%" not in row
    assert client.get("/dashboard/export.xlsx?quarter=2017Q3").status_code == 200


def test_the_night_is_one_beat_entry_running_the_chain(db):
    jobs = ("dues.recompute_rates", "dues.flag_zombies", "dashboard.refresh", "dashboard.nightly")
    nightly = PeriodicTask.objects.filter(
        task__in=jobs, crontab__day_of_month="*", crontab__month_of_year="*"
    )
    assert [(t.task, t.crontab.hour, t.crontab.minute) for t in nightly] == [
        ("dashboard.nightly", "2", "30")
    ]


def test_the_chain_flags_zombies_before_the_figures_count_them(community1):
    """A silent enterprise flagged tonight is in tonight's figures (with the
    three jobs apart, the figures ran a quarter of an hour before the flags)."""
    paying = EnterpriseFactory(community=community1)
    EnterpriseFactory(community=community1)  # obligated, never declares
    for quarter in ("2017Q1", "2017Q2", "2017Q3"):
        declare(paying, quarter)
    declare(paying, "2017Q4", end=datetime.date(2017, 10, 31))  # a monthly filer's October
    with time_machine.travel(datetime.datetime(2017, 11, 15, 2, 30), tick=False):
        outcome = nightly_refresh()
    assert outcome["open_flags"] == 1
    q4 = QuarterFigures.objects.current().get(quarter="2017Q4", community=None)
    assert q4.figures["zombies"]["flagged"] == 1


def test_the_union_funds_pages_show_no_rate_as_a_dash_too(client, sam, community1, community2):
    declare(EnterpriseFactory(community=community1), "2017Q3")
    out = io.StringIO()
    call_command("recompute_rates", "--quarter", "2017Q3", stdout=out)
    assert "None" not in out.getvalue() and "—" in out.getvalue()
    client.force_login(sam)
    for address in (
        "/admin/dues/ratesnapshot/",
        "/admin/dues/ratesnapshot/rates/",
        "/admin/dues/ratesnapshot/gap/?quarter=2017Q3",
    ):
        page = client.get(address).content.decode()
        assert "None%" not in page and "—" in page, address

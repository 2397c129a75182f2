"""The Celery jobs: idempotent, scheduled by beat, and running on a real
worker against Redis in CI (the live_celery fixture)."""

from django_celery_beat.models import PeriodicTask

from dues import tasks
from dues.models import RateSnapshot, ZombieFlag
from tests.factories import EnterpriseFactory
from tests.waiting import wait_for

from .helpers import declare


def test_beat_schedules_the_nightly_chain_and_the_quarter_end_run(db):
    """The nightly rates and zombies run in the dashboard's one chain
    (dashboard.nightly: rates → zombies → figures, docs/DASHBOARD.md)."""
    scheduled = dict(PeriodicTask.objects.filter(enabled=True).values_list("name", "task"))
    assert scheduled["nightly: rates → zombies → dashboard figures"] == "dashboard.nightly"
    assert scheduled["union funds: recompute at quarter end"] == "dues.recompute_rates"


def test_running_the_jobs_twice_changes_nothing_the_second_time(db):
    silent, paying = EnterpriseFactory.create_batch(2)
    declare(paying, "2016Q3")
    declare(paying, "2016Q4")
    declare(silent, "2016Q1")
    first = tasks.recompute_rates.delay("2016Q4").get()
    again = tasks.recompute_rates.delay("2016Q4").get()
    assert first["created"] == 8 and again == {"created": 0, "updated": 0, "unchanged": 8}
    assert tasks.flag_zombies.delay("2016Q4").get() == [silent.credit_code]
    assert tasks.flag_zombies.delay("2016Q4").get() == [silent.credit_code]
    assert ZombieFlag.objects.count() == 1


def test_the_jobs_run_on_a_real_worker(live_celery):
    silent, paying = EnterpriseFactory.create_batch(2)
    declare(paying, "2016Q4")
    declare(silent, "2016Q1")
    tasks.recompute_rates.delay("2016Q4")
    tasks.flag_zombies.delay("2016Q4")
    assert wait_for(lambda: RateSnapshot.objects.filter(quarter="2016Q4").count() == 8)
    assert wait_for(lambda: ZombieFlag.objects.filter(enterprise=silent).exists())
    street = RateSnapshot.objects.get(quarter="2016Q4", community=None)
    assert (street.declared, street.obligated) == (1, 2)

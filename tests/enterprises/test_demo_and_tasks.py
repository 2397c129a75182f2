"""The demo street, and the nightly status task on a real worker."""

import datetime
import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from enterprises.models import Community, Enterprise, EnterpriseStatus, Status
from enterprises.tasks import refresh_statuses
from members.id_numbers import id_number_error
from members.models import Member, Membership


@pytest.mark.slow  # loads the demo street twice
def test_load_demo_twice_gives_the_articles_street(db):
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)
    assert Community.objects.count() == 7
    assert Enterprise.objects.count() == 226
    assert Membership.objects.filter(left_on__isnull=True).count() == 5100
    sample = Member.objects.order_by("?")[:50]
    assert all(id_number_error(m.id_number) is None for m in sample)
    assert all(1940 < m.birth_date.year < 2000 for m in sample)
    # every enterprise has a union and a dated history
    assert not Enterprise.objects.filter(union_founded_on__isnull=True).exists()
    assert EnterpriseStatus.objects.values("enterprise").distinct().count() == 226


def test_a_status_dated_today_becomes_current_when_the_task_runs(alices_enterprise):
    EnterpriseStatus.objects.create(
        enterprise=alices_enterprise,
        status=Status.DEREGISTERED,
        effective_on=timezone.localdate(),
        reason="注销",
    )
    assert refresh_statuses.delay().get() == 1
    alices_enterprise.refresh_from_db()
    assert alices_enterprise.status == Status.DEREGISTERED
    assert refresh_statuses() == 0  # idempotent


def test_the_status_task_on_a_real_worker(live_celery, community1):
    enterprise = Enterprise.objects.create(
        name="北京真实任务有限公司",
        credit_code="91110108551385082Q",
        community=community1,
        union_founded_on=datetime.date(2015, 1, 1),
    )
    EnterpriseStatus.objects.create(
        enterprise=enterprise,
        status=Status.MOVED_OUT,
        effective_on=timezone.localdate(),
        reason="迁出",
    )
    refresh_statuses.delay()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        enterprise.refresh_from_db()
        if enterprise.status == Status.MOVED_OUT:
            break
        time.sleep(0.2)
    assert enterprise.status == Status.MOVED_OUT


def test_the_status_task_is_scheduled_nightly_under_its_real_name(db):
    from django_celery_beat.models import PeriodicTask

    from chunshu_union.celery import app

    scheduled = PeriodicTask.objects.get(task="enterprises.tasks.refresh_statuses")
    assert scheduled.enabled and scheduled.crontab.hour == "0"
    assert refresh_statuses.name in app.tasks

"""Issue 16, "fast recovery after a whole worker dies": a task the broker
gives back (RabbitMQ does so as soon as the dead worker's connection drops)
takes its step over at once instead of waiting for the dead worker's
heartbeat to go stale, and still never writes twice; the broker is
RabbitMQ or Redis by the settings, with time limits the brokers and the
reaper agree with. The last test kills a real worker (CI's live-worker
runs, on Redis and on RabbitMQ) in the middle of a commit."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from chunshu_union.imports import engine, selectors, upkeep
from chunshu_union.imports.models import RUNNING, State, stale_after
from members.models import ImportBatch, Member, Membership
from tests import samples
from tests.factories import EnterpriseFactory

ROOT = Path(__file__).resolve().parent.parent
ACME = "北京椿树一号科技有限公司"

pytestmark = pytest.mark.usefixtures("private_uploads")


def confirmed_then_killed(client, chair, capture, *, attempts=1) -> ImportBatch:
    """A roster of three people, previewed and confirmed; the worker that
    took the commit died at once (its heartbeat is still fresh)."""
    EnterpriseFactory(name=ACME, community=chair.community)
    client.force_login(chair)
    roster = SimpleUploadedFile("花名册.xlsx", samples.xlsx(samples.people(3, [ACME])))
    with capture(execute=True):
        client.post(reverse("portal:import_new"), {"file": roster})
    batch = ImportBatch.objects.latest("pk")
    with capture(execute=False):  # the commit task is not run here
        client.post(reverse("portal:import_confirm", args=[batch.pk]))
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=State.COMMITTING, heartbeat_at=timezone.now(), attempts=attempts
    )
    return batch


def test_a_redelivered_commit_takes_over_at_once_and_writes_once(
    client, alice, django_capture_on_commit_callbacks
):
    batch = confirmed_then_killed(client, alice, django_capture_on_commit_callbacks)
    engine.job_commit(label=batch.label(), pk=batch.pk)  # a second copy: the step is live
    batch.refresh_from_db()
    assert batch.state == State.COMMITTING and Member.objects.count() == 0
    engine.job_commit(label=batch.label(), pk=batch.pk, redelivered=True)  # its holder died
    batch.refresh_from_db()
    assert (batch.state, batch.rows_written, batch.attempts) == (State.COMMITTED, 3, 2)
    engine.job_commit(label=batch.label(), pk=batch.pk, redelivered=True)
    assert Member.objects.count() == Membership.objects.count() == 3


def test_the_task_reads_the_redelivered_flag_from_the_broker(
    client, alice, django_capture_on_commit_callbacks
):
    batch = confirmed_then_killed(client, alice, django_capture_on_commit_callbacks)
    task = engine.import_job_commit
    task.push_request(delivery_info={"redelivered": True})
    try:
        task.run(batch.label(), batch.pk)
    finally:
        task.pop_request()
    batch.refresh_from_db()
    assert batch.state == State.COMMITTED and Member.objects.count() == 3


def test_a_step_that_killed_its_worker_each_time_is_left_to_the_reaper(
    client, alice, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_MAX_ATTEMPTS = 2
    capture = django_capture_on_commit_callbacks
    batch = confirmed_then_killed(client, alice, capture, attempts=2)
    engine.job_commit(label=batch.label(), pk=batch.pk, redelivered=True)
    batch.refresh_from_db()
    assert batch.state == State.COMMITTING and Member.objects.count() == 0
    later = timezone.now() + stale_after(State.COMMITTING)
    assert upkeep.jobs_reap(now=later) == 1
    batch.refresh_from_db()
    assert batch.state == State.FAILED and "中断了 2 次" in batch.message


def broker_settings(**environ) -> dict:
    """The Celery and cache settings production would get from `environ`."""
    script = (
        "import json; from django.conf import settings as s;"
        "print(json.dumps({'broker': s.CELERY_BROKER_URL, 'eager': s.CELERY_TASK_ALWAYS_EAGER,"
        " 'options': s.CELERY_BROKER_TRANSPORT_OPTIONS, 'limit': s.CELERY_TASK_TIME_LIMIT,"
        " 'soft': s.CELERY_TASK_SOFT_TIME_LIMIT, 'acks_late': s.CELERY_TASK_ACKS_LATE,"
        " 'reject': s.CELERY_TASK_REJECT_ON_WORKER_LOST,"
        " 'prefetch': s.CELERY_WORKER_PREFETCH_MULTIPLIER, 'heartbeat': s.CELERY_BROKER_HEARTBEAT,"
        " 'cache': s.CACHES['default']['BACKEND']}))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "REDIS_URL")}
    env.update(environ, DJANGO_SETTINGS_MODULE="chunshu_union.settings.base")
    command = [sys.executable, "-c", f"import django; django.setup(); {script}"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_rabbitmq_is_the_broker_when_named_and_redis_stays_the_cache():
    got = broker_settings(
        CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:5672//",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert got["broker"].startswith("amqp://") and not got["eager"]
    assert "redis" in got["cache"].lower() and got["options"] == {}
    assert (got["acks_late"], got["reject"], got["prefetch"]) == (True, True, 1)
    assert 0 < got["heartbeat"] and got["soft"] < got["limit"]


def test_redis_alone_is_broker_and_cache_as_before_with_the_timeouts_in_order():
    got = broker_settings(REDIS_URL="redis://127.0.0.1:6379/0")
    assert got["broker"] == "redis://127.0.0.1:6379/0" and not got["eager"]
    # A task still running is never handed out again; the reaper's bound on
    # a dead commit (the limit + 60 s) comes before Redis would hand it back.
    assert got["options"]["visibility_timeout"] > got["limit"] + 60 + 60
    assert (
        broker_settings(REDIS_URL="redis://x:6379/0", CELERY_TASK_TIME_LIMIT="7200")["options"][
            "visibility_timeout"
        ]
        > 7200 + 120
    )
    nothing = broker_settings()
    assert nothing["broker"] == "memory://" and nothing["eager"]


# --- a real worker killed mid-commit (CI's live-worker runs) --------------------------

QUEUE = "imports-worker-kill-test"


def start_worker(log: Path, upload_root: Path) -> subprocess.Popen:
    """A worker of this test's own (CI's worker keeps the default queue),
    in a process group of its own, on the test database."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "IMPORT_UPLOAD_ROOT": str(upload_root)}
    command = [str(Path(sys.executable).parent / "celery"), "-A", "chunshu_union", "worker"]
    command += ["--pool=prefork", "--concurrency=1", "-Q", QUEUE, "--loglevel=WARNING"]
    command += ["--hostname", f"kill-test-{os.getpid()}-{time.monotonic_ns()}@%h"]
    with open(log, "a") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True
        )


def kill_group(worker: subprocess.Popen, sig=signal.SIGKILL) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
    worker.wait(timeout=60)


def wait_until(batch, done, seconds, log: Path, reap=False):
    """Poll the batch; with `reap`, run the reaper every 10 s meanwhile
    (beat does every minute), the first time at once."""
    deadline = next_reap = time.monotonic() + seconds
    if reap:
        next_reap = time.monotonic()
    while time.monotonic() < deadline:
        if time.monotonic() >= next_reap:
            upkeep.jobs_reap()
            next_reap += 10
        batch.refresh_from_db()
        if done(batch):
            return batch
        time.sleep(0.05)
    raise AssertionError(f"batch still {batch.state}; worker log:\n{log.read_text()[-3000:]}")


@pytest.mark.celery_worker
@pytest.mark.slow
def test_a_worker_killed_mid_commit_leaves_the_batch_committed_once(
    live_celery, monkeypatch, tmp_path, private_uploads
):
    from accounts.models import Role
    from tests.factories import community, user

    rows = 10_000

    def send(step, label, pk):  # to this test's worker
        task = engine.import_job_check if step == "check" else engine.import_job_commit
        task.apply_async((label, pk), queue=QUEUE)
        return True

    monkeypatch.setattr(engine, "send_step", send)
    with live_celery.connection_for_write() as broker:
        broker.default_channel.queue_declare(QUEUE, durable=True, auto_delete=False)
        broker.default_channel.queue_purge(QUEUE)
    EnterpriseFactory(name=ACME, community=community(1))
    chair = user("alice", Role.CHAIR, community(1))
    log = tmp_path / "worker.log"
    worker = start_worker(log, private_uploads)
    try:
        upload = SimpleUploadedFile("花名册.xlsx", samples.xlsx(samples.people(rows, [ACME])))
        from members.roster.services import import_batch_create

        with transaction.atomic():
            batch = import_batch_create(upload=upload, community=chair.community, by=chair)
        wait_until(batch, lambda b: b.state not in RUNNING, 300, log)
        assert batch.state == State.PREVIEWED and batch.created == rows
        with transaction.atomic():
            engine.job_confirm(job=batch)
        # The commit's transaction has written its new members: kill it there.
        wait_until(
            batch, lambda b: b.state != State.COMMITTING or selectors.rows_written(b), 300, log
        )
        kill_group(worker)
        batch.refresh_from_db()
        assert batch.state == State.COMMITTING and Member.objects.count() == 0
        worker = start_worker(log, private_uploads)
        if not live_celery.conf.broker_url.startswith("amqp"):
            # Redis hands the task back after the visibility timeout only;
            # the reaper takes the step up once the dead worker's heartbeat
            # is stale (the limit + 60 s, which the test does not wait for).
            ImportBatch.objects.filter(pk=batch.pk).update(
                heartbeat_at=timezone.now() - stale_after(State.COMMITTING)
            )
        wait_until(batch, lambda b: b.state not in RUNNING, 300, log, reap=True)
    finally:
        kill_group(worker, signal.SIGTERM)
    assert (batch.state, batch.rows_written, batch.attempts) == (State.COMMITTED, rows, 2)
    assert Member.objects.count() == Membership.objects.count() == rows

"""Recovery after a whole Celery worker is killed (issue 16). Not a test:
run it on demand, against PostgreSQL and a real broker.

    .venv/bin/python bench/worker_kill.py --broker rabbitmq            # amqp://guest:guest@127.0.0.1:5672//
    .venv/bin/python bench/worker_kill.py --broker redis               # redis://127.0.0.1:6379/12
    .venv/bin/python bench/worker_kill.py --broker redis --time-limit 300   # the reaper's bound, scaled down

Against a fresh PostgreSQL database (`worker_kill`, dropped and made again)
it starts a real worker (`celery -A chunshu_union worker`, prefork, one
child, in a process group of its own, on a queue of its own), uploads a
roster (--rows people, 50,000 by default) through the portal's own services
(`import_batch_create`, then `job_confirm`), and twice kills the whole
worker's process group with SIGKILL: once while the check is reading the
file (mid-check), once while the commit's transaction is writing (the
commit has written its first members: mid-commit). Each time it starts a
new worker at once and runs the reaper (`imports.reap`) every minute, as
beat does, and measures the time from the kill until the batch is
previewed (after the check) or committed (after the commit) — or has
failed with a reason. It then counts members and memberships: each person
once. Prints a Markdown table and JSON.

On RabbitMQ the killed worker's unacknowledged task comes back as soon as
its connection drops, and the new worker takes the step over at once
(a redelivered task, engine `_take`). On Redis it comes back only after
the visibility timeout (an hour): the reaper takes the step up when the
dead worker's heartbeat is stale (IMPORT_STALE_SECONDS for a check,
CELERY_TASK_TIME_LIMIT + 60 s for a commit). `--time-limit` sets
CELERY_TASK_TIME_LIMIT for the worker and the reaper alike, so that the
Redis figure can be measured in minutes rather than half an hour.

Uses Redis database 12 for the cache (and the broker, with --broker redis)
and empties this script's queue there and on RabbitMQ before starting.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
WORK = Path(os.environ.get("WORKER_KILL_DIR", "/tmp/worker_kill"))
PG_DB = os.environ.get("WORKER_KILL_PG_DB", "worker_kill")
BROKERS = {
    "rabbitmq": os.environ.get("WORKER_KILL_AMQP", "amqp://guest:guest@127.0.0.1:5672//"),
    "redis": os.environ.get("WORKER_KILL_REDIS", "redis://127.0.0.1:6379/12"),
}
QUEUE = "worker-kill-bench"
ENTERPRISES = [f"北京椿树故障{i}号科技有限公司" for i in range(1, 11)]
FINAL = {"previewed", "committed", "failed", "cancelled"}


def environment(broker: str, time_limit: int | None) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "chunshu_union.settings.test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{PG_DB}",
        "CELERY_BROKER_URL": BROKERS[broker],
        "REDIS_URL": BROKERS["redis"],
        "IMPORT_UPLOAD_ROOT": str(WORK / "uploads"),
    }
    if time_limit:
        env["CELERY_TASK_TIME_LIMIT"] = str(time_limit)
    return env


class Worker:
    """A real worker in a process group of its own, killed as a whole."""

    count = 0

    def __init__(self, env: dict):
        Worker.count += 1
        self.log = WORK / f"worker-{Worker.count}.log"
        command = [
            str(ROOT / ".venv" / "bin" / "celery"),
            "-A",
            "chunshu_union",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "-Q",
            QUEUE,
            "--loglevel=WARNING",
            "--hostname",
            f"worker-kill-{os.getpid()}-{Worker.count}@%h",
        ]
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
            )

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def prepare_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{PG_DB}"')


def django_setup(env: dict) -> None:
    os.environ.update(env)
    sys.path[:0] = [str(ROOT), str(BENCH)]
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from chunshu_union.celery import app

    app.conf.task_always_eager = False  # the test settings run tasks inline
    app.conf.task_default_queue = QUEUE


def empty_queue(broker: str) -> None:
    """Whatever an earlier run left: its queue, and on Redis the killed
    worker's unacknowledged messages (they would come back an hour later
    and name this run's batches)."""
    if broker == "redis":
        import redis

        client = redis.Redis.from_url(BROKERS["redis"])
        client.delete(QUEUE, "unacked", "unacked_index", "unacked_mutex")
        return
    from chunshu_union.celery import app

    with app.connection_for_write() as connection:
        channel = connection.default_channel
        channel.queue_declare(QUEUE, durable=True, auto_delete=False)
        channel.queue_purge(QUEUE)


def street(rows: int):
    """A chair, ten enterprises in her community and a roster of `rows`
    new people spread over them."""
    from roster_files import write_xlsx

    from accounts.models import Role
    from enterprises.credit_codes import make_credit_code
    from enterprises.models import Community, Enterprise
    from members.roster.fields import TEMPLATE_COLUMNS
    from tests import samples
    from tests.factories import user

    community = Community.objects.get(position=1)
    for i, name in enumerate(ENTERPRISES, start=1):
        Enterprise.objects.create(
            credit_code=make_credit_code(f"91110102MC{i:07d}"),
            name=name,
            community=community,
            headcount=100,
        )
    chair = user("chair", Role.CHAIR, community)
    path = WORK / f"roster_{rows}.xlsx"
    if not path.exists():
        table = [["故障演练 花名册"], ["填报单位：椿树街道总工会"], list(TEMPLATE_COLUMNS)]
        table += [[p[c] for c in TEMPLATE_COLUMNS] for p in samples.people(rows, ENTERPRISES)]
        write_xlsx(path, table)
    return chair, path


def batch_state(batch) -> tuple[str, int, int]:
    from chunshu_union.imports.engine import rows_written

    batch.refresh_from_db()
    return batch.state, batch.rows_validated, rows_written(batch)


def wait(batch, until, *, seconds: float, reap_every: float | None = None) -> float:
    """Poll the batch (every 0.1 s) until `until(state, validated,
    written)`; run the reaper every `reap_every` seconds meanwhile, the
    first time at once (beat's next tick). Returns the seconds taken."""
    from chunshu_union.imports.upkeep import jobs_reap

    start = time.monotonic()
    next_reap = start if reap_every else float("inf")
    while time.monotonic() - start < seconds:
        if time.monotonic() >= next_reap:
            jobs_reap()
            next_reap += reap_every
        if until(*batch_state(batch)):
            return time.monotonic() - start
        time.sleep(0.1)
    raise SystemExit(f"batch {batch.pk} still {batch_state(batch)} after {seconds:.0f} s")


def run(broker: str, rows: int, time_limit: int | None, reap_every: float) -> dict:
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from chunshu_union.imports.engine import job_confirm
    from chunshu_union.imports.models import State, stale_after
    from members.models import Member, Membership
    from members.roster.services import import_batch_create

    empty_queue(broker)
    chair, path = street(rows)
    env = environment(broker, time_limit)
    bound = {
        "check": settings.IMPORT_STALE_SECONDS + reap_every,
        "commit": stale_after(State.COMMITTING).total_seconds() + reap_every,
    }
    result = {
        "broker": broker,
        "rows": rows,
        "task_time_limit": settings.CELERY_TASK_TIME_LIMIT,
        "stale_check_s": settings.IMPORT_STALE_SECONDS,
        "stale_commit_s": stale_after(State.COMMITTING).total_seconds(),
    }
    worker = Worker(env)
    try:
        upload = SimpleUploadedFile("花名册.xlsx", path.read_bytes())
        started = time.monotonic()
        with transaction.atomic():
            batch = import_batch_create(upload=upload, community=chair.community, by=chair)
        # Mid-check: the worker has read the file and is validating it.
        wait(batch, lambda s, v, w: s == "validating" and v > 0, seconds=600)
        result["check_killed_after_s"] = round(time.monotonic() - started, 1)
        worker.kill()
        killed = time.monotonic()
        worker = Worker(env)
        wait(batch, lambda s, v, w: s in FINAL, seconds=bound["check"] + 300, reap_every=reap_every)
        result["check_recovery_s"] = round(time.monotonic() - killed, 1)
        result["after_check"] = batch.state
        result["check_attempts"] = batch.attempts
        if batch.state != "previewed":
            result["message"] = batch.message
            return result
        with transaction.atomic():
            job_confirm(job=batch)
        started = time.monotonic()
        # Mid-commit: the commit's transaction has written its first rows.
        wait(batch, lambda s, v, w: s != "committing" or w > 0, seconds=600)
        result["commit_killed_after_s"] = round(time.monotonic() - started, 1)
        worker.kill()
        killed = time.monotonic()
        result["members_seen_at_kill"] = Member.objects.count()  # none: not committed
        worker = Worker(env)
        wait(
            batch, lambda s, v, w: s in FINAL, seconds=bound["commit"] + 300, reap_every=reap_every
        )
        result["commit_recovery_s"] = round(time.monotonic() - killed, 1)
        result["after_commit"] = batch.state
        result["commit_attempts"] = batch.attempts
        result["message"] = batch.message
        result["rows_written"] = batch.rows_written
        result["members"] = Member.objects.count()
        result["memberships"] = Membership.objects.count()
    finally:
        worker.stop()
    return result


def table(results: list[dict]) -> str:
    lines = [
        "| broker | rows | task limit | killed mid-check → previewed | killed mid-commit → committed"
        " | members / memberships | attempts (check, commit) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['broker']} | {r['rows']:,} | {r['task_time_limit']} s"
            f" | {r.get('check_recovery_s', '—')} s ({r.get('after_check')})"
            f" | {r.get('commit_recovery_s', '—')} s ({r.get('after_commit')})"
            f" | {r.get('members', '—')} / {r.get('memberships', '—')}"
            f" | {r.get('check_attempts')}, {r.get('commit_attempts')} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--broker", choices=[*BROKERS, "both"], default="both")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument(
        "--time-limit", type=int, help="CELERY_TASK_TIME_LIMIT for the run (default: settings')"
    )
    parser.add_argument("--reap-every", type=float, default=60.0, help="seconds, as beat")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:  # one broker, in a process of its own
        WORK.mkdir(parents=True, exist_ok=True)
        prepare_database()
        django_setup(environment(args.step, args.time_limit))
        print(json.dumps(run(args.step, args.rows, args.time_limit, args.reap_every)))
        return
    results = []
    for broker in ["rabbitmq", "redis"] if args.broker == "both" else [args.broker]:
        command = [sys.executable, __file__, "--step", broker, "--rows", str(args.rows)]
        command += ["--reap-every", str(args.reap_every)]
        if args.time_limit:
            command += ["--time-limit", str(args.time_limit)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"{broker} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), file=sys.stderr)
    print(table(results))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

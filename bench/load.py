"""Load benchmark (issue 16): the mix of dashboard, portal and admin pages,
with locust against gunicorn on 127.0.0.1, on PostgreSQL. Not a test.

    .venv/bin/python bench/load.py                          # demo street, 50 then 200 users, 60 s each
    .venv/bin/python bench/load.py --imports 3              # the same after three 100k-row imports
    .venv/bin/python bench/load.py --users 50 --run-time 20s  # a quick run
    .venv/bin/python bench/load.py --cpu-per-page 30        # also each page's server CPU, one at a time
    .venv/bin/python bench/load.py --profile /portal/ --as chair1   # pyinstrument, in-process

What it does, in order:
  1. a scratch database (`chunshu_load`, or --db), dropped if it was there,
     migrated, `load_demo` (the demo street: 7 communities, 226 enterprises,
     ~5,100 members; accounts leader, chair1…chair7, staff1…staff7);
  2. with --imports N: N rosters of --rows distinct people (tests/samples.py),
     each committed into community 1 (chair1's) by `roster_import` in this
     process's child, as chair1 — the portal's own service, without the
     upload round trip. Rosters n and n+1 list different people, so each
     later import also records the earlier ones as "no longer listed";
  3. for each --users count: gunicorn (`chunshu_union.wsgi`, --workers, sync
     workers, DEBUG off, cache in Redis db --redis-db, flushed before and
     after), then locust headless in its own process. Every locust user
     signs in once through the login form (the real password hasher; django-axes
     stays on: it counts failures only, and the bench makes none), waits until
     every user has signed in, and only then is the clock started and the
     statistics reset: the figures are the steady mix, not the sign-ins.
     After --run-time locust stops (a hard bound of run-time + 10 min too);
  4. the table: per page and in total, requests, failures, requests/s, p50,
     p95, p99, and the gunicorn workers' CPU time per request over the run;
  5. the scratch database is dropped (unless --keep-db).

The mix (each locust user is one person, a think time of --wait seconds
between pages): a leader on /dashboard/ (weight 2); chairs (weight 5) on the
portal's home, the member list, a name search and the import list; street
staff (weight 3) on the admin's enterprise, member and declaration lists.
Accounts are handed out round robin (chair1…chair7, staff1…staff7).

When this file is imported by locust (`locust -f bench/load.py`), it defines
the users instead; the settings come from LOAD_* environment variables the
driver sets.

One file of ~700 lines on purpose: a benchmark script meant to be read top
to bottom and run on its own; the driver hands this same file to locust
with `-f`, so the users it defines sit next to it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "chunshu2017"  # the demo's, as the README states

LEADER_PAGES = {"dashboard": "/dashboard/"}
CHAIR_PAGES = {
    "portal home": "/portal/",
    "portal members": "/portal/members/",
    "portal member search": "/portal/members/?q=王",
    "portal imports": "/portal/imports/",
}
STAFF_PAGES = {
    "admin enterprises": "/admin/enterprises/enterprise/",
    "admin members": "/admin/members/member/",
    "admin declarations": "/admin/dues/declaration/",
}
PAGES = {**LEADER_PAGES, **CHAIR_PAGES, **STAFF_PAGES}
ROLE_OF_PAGE = {
    **dict.fromkeys(LEADER_PAGES, "leader"),
    **dict.fromkeys(CHAIR_PAGES, "chair1"),
    **dict.fromkeys(STAFF_PAGES, "staff2"),
}


# --- the locust side -----------------------------------------------------------

if __name__ != "__main__":
    import itertools
    import json
    import logging
    import re

    import gevent
    from gevent.event import Event
    from locust import HttpUser, between, task

    _USERS = int(os.environ.get("LOAD_USERS", "1"))
    _MEASURE = float(os.environ.get("LOAD_MEASURE_SECONDS", "60"))
    _WAIT = tuple(float(x) for x in os.environ.get("LOAD_WAIT", "1,5").split(","))
    _CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    _signed_in = 0
    _all_in = Event()
    _accounts = {
        "leader": itertools.cycle(["leader"]),
        "chair": itertools.cycle([f"chair{i}" for i in range(1, 8)]),
        "staff": itertools.cycle([f"staff{i}" for i in range(1, 8)]),
    }

    _MARKER = os.environ.get("LOAD_MARKER", "")

    def _mark(word):
        if _MARKER:
            Path(f"{_MARKER}.{word}").touch()

    def _stop_after_measuring(environment):
        gevent.sleep(_MEASURE)
        # The figures as they stand at the end of the measured time, before
        # the shutdown (locust's own CSV is written later, if at all).
        stats = environment.runner.stats
        entries = [*stats.entries.values(), stats.total]
        figures = {
            "Aggregated" if entry is stats.total else entry.name: {
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                **{
                    f"p{p}": entry.get_response_time_percentile(p / 100)
                    if entry.num_requests
                    else 0
                    for p in (50, 95, 99)
                },
            }
            for entry in entries
        }
        Path(f"{_MARKER}.json").write_text(json.dumps(figures), encoding="utf-8")
        _mark("stop")
        gevent.sleep(1)  # the driver samples the workers' CPU now
        environment.runner.quit()

    class _Person(HttpUser):
        abstract = True
        wait_time = between(*_WAIT)
        role = ""

        def on_start(self):
            global _signed_in
            try:
                self.sign_in(next(_accounts[self.role]))
            except Exception:
                # Counted anyway (its pages then fail as redirects to the
                # login page): a run never waits for a user who is not coming.
                logging.exception("sign-in failed")
            _signed_in += 1
            if _signed_in == _USERS:
                # Everybody is in: the measurement starts now, from zero.
                self.environment.runner.stats.reset_all()
                _mark("start")
                gevent.spawn(_stop_after_measuring, self.environment)
                _all_in.set()
            _all_in.wait()
            gevent.sleep(self.wait_time())  # spread the first requests

        def sign_in(self, username):
            page = self.client.get("/accounts/login/", name="sign-in form")
            token = _CSRF.search(page.text).group(1)
            with self.client.post(
                "/accounts/login/",
                {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
                headers={"Referer": f"{self.host}/accounts/login/"},
                name="sign in",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code != 302:
                    response.failure(f"{username} not signed in ({response.status_code})")

        def page(self, name):
            with self.client.get(PAGES[name], name=name, catch_response=True) as response:
                # A redirect (to the login page) or a lockout is a failure too.
                if response.status_code != 200 or response.history:
                    response.failure(f"{response.status_code} {response.url}")

    class Leader(_Person):
        weight = 2
        role = "leader"

        @task
        def dashboard(self):
            self.page("dashboard")

    class Chair(_Person):
        weight = 5
        role = "chair"

        @task
        def home(self):
            self.page("portal home")

        @task
        def members(self):
            self.page("portal members")

        @task
        def search(self):
            self.page("portal member search")

        @task
        def imports(self):
            self.page("portal imports")

    class Staff(_Person):
        weight = 3
        role = "staff"

        @task
        def enterprises(self):
            self.page("admin enterprises")

        @task
        def members(self):
            self.page("admin members")

        @task
        def declarations(self):
            self.page("admin declarations")


# --- the driver ----------------------------------------------------------------


def _env(args) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="chunshu_union.settings.dev",
        DEBUG="False",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.db}",
        REDIS_URL=f"redis://127.0.0.1:6379/{args.redis_db}",
        PYTHONPATH=str(ROOT),
        # whitenoise's complaint that collectstatic was not run: the bench
        # fetches pages, not their static files.
        PYTHONWARNINGS="ignore:No directory at",
    )
    return env


def _psql_admin(*statements: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        for statement in statements:
            c.execute(statement)


def _redis_flush(args) -> None:
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=args.redis_db).flushdb()


def _seconds(text: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    return float(text[:-1]) * units[text[-1]] if text[-1] in units else float(text)


def prepare(args) -> None:
    import subprocess
    import time

    started = time.monotonic()
    _psql_admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)', f'CREATE DATABASE "{args.db}"')
    env = _env(args)
    env.pop("REDIS_URL")  # load_demo's and the imports' tasks run inline
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "load_demo"], env=env, check=True, cwd=ROOT)
    print(f"# demo street loaded in {time.monotonic() - started:.0f} s", flush=True)
    if args.imports:
        code = (
            "import sys; sys.argv = ['load.py']; sys.path.insert(0, 'bench');"
            f"import load; load.imports({args.imports}, {args.rows})"
        )
        subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=ROOT)


def imports(count: int, rows: int) -> None:
    """Runs in a child process: `count` rosters of `rows` people into
    community 1, committed by the roster service as chair1."""
    import time

    import django

    django.setup()
    from accounts.models import User
    from enterprises.models import Community, Enterprise
    from members.roster.services import roster_import
    from tests import samples

    community = Community.objects.get(position=1)
    chair = User.objects.get(username="chair1")
    names = list(Enterprise.objects.filter(community=community).values_list("name", flat=True))
    cache = Path(os.environ.get("LOAD_BENCH_DIR", "/tmp/load_bench"))
    cache.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        path = cache / f"roster-{rows}-{n}-{len(names)}.xlsx"
        if not path.exists():
            started = time.monotonic()
            people = samples.people(rows, names, start=1_000_000 + n * rows)
            path.write_bytes(samples.xlsx(people, write_only=True))
            print(f"# roster {n + 1} written in {time.monotonic() - started:.0f} s", flush=True)
        started = time.monotonic()
        result, batch = roster_import(
            source=path, filename=path.name, community=community, by=chair
        )
        assert result.written and not result.errors, result.errors[:3]
        print(
            f"# import {n + 1}: {result.created} new, batch {batch.pk} {batch.state},"
            f" {time.monotonic() - started:.0f} s",
            flush=True,
        )


def _machine_busy() -> float:
    """Busy CPU seconds of the whole machine so far (every process: the
    database, locust, and whatever else runs on this shared machine)."""
    with open("/proc/stat") as stat:
        ticks = [int(x) for x in stat.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _worker_cpu(master_pid: int) -> float:
    """CPU seconds (user + system) of the gunicorn master's live children."""
    import psutil

    total = 0.0
    for child in psutil.Process(master_pid).children():
        try:
            times = child.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


class Gunicorn:
    def __init__(self, args):
        self.args = args
        self.process = None

    def __enter__(self):
        import subprocess
        import time
        import urllib.request

        _redis_flush(self.args)
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "chunshu_union.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.args.port}",
                "--workers",
                str(self.args.workers),
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            env=_env(self.args),
            cwd=ROOT,
            start_new_session=True,  # its own process group, ended with it
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.args.port}/healthz", timeout=5)
                return self
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.5)

    def cpu(self) -> float:
        return _worker_cpu(self.process.pid)

    def __exit__(self, *exc):
        import signal

        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except Exception:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        _redis_flush(self.args)


def run_locust(args, users: int, server: Gunicorn) -> dict:
    """One locust run; the workers' CPU time is sampled when the measurement
    starts (every user signed in) and when it stops, from marker files the
    locust side touches."""
    import json
    import subprocess
    import time

    out = Path(args.out) / f"{args.label}-{users}"
    out.parent.mkdir(parents=True, exist_ok=True)
    marker = Path(f"{out}.marker")
    for word in ("start", "stop"):
        Path(f"{marker}.{word}").unlink(missing_ok=True)
    measure = _seconds(args.run_time)
    env = dict(os.environ)
    env.update(
        LOAD_USERS=str(users),
        LOAD_MEASURE_SECONDS=str(measure),
        LOAD_WAIT=args.wait,
        LOAD_MARKER=str(marker),
    )
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(Path(__file__).resolve()),
        "--headless",
        "--host",
        f"http://127.0.0.1:{args.port}",
        "--users",
        str(users),
        "--spawn-rate",
        str(args.spawn_rate),
        # The hard bound; the run ends itself `measure` seconds after the
        # last user signed in.
        "--run-time",
        f"{int(measure) + 600}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(out),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    locust = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    cpu = {}
    try:
        deadline = time.monotonic() + measure + 900
        while time.monotonic() < deadline and locust.poll() is None:
            for word in ("start", "stop"):
                if word not in cpu and Path(f"{marker}.{word}").exists():
                    cpu[word] = (time.monotonic(), server.cpu(), _machine_busy())
            time.sleep(0.2)
    finally:
        if locust.poll() is None:
            os.killpg(locust.pid, 9)
        locust.wait()
    if "stop" not in cpu and Path(f"{marker}.stop").exists():
        cpu["stop"] = (time.monotonic(), server.cpu(), _machine_busy())
    for word in ("start", "stop"):
        Path(f"{marker}.{word}").unlink(missing_ok=True)
    figures = json.loads(Path(f"{marker}.json").read_text(encoding="utf-8"))
    Path(f"{marker}.json").unlink()
    result = {"users": users, "pages": figures, "csv": f"{out}_stats.csv"}
    if "start" in cpu and "stop" in cpu:
        result["seconds"] = cpu["stop"][0] - cpu["start"][0]
        result["cpu"] = cpu["stop"][1] - cpu["start"][1]
        result["machine"] = cpu["stop"][2] - cpu["start"][2]
        result["loadavg"] = os.getloadavg()[0]
    return result


def table(label: str, result: dict, workers: int) -> str:
    """Per page and in total (locust's "Aggregated" row), as Markdown."""
    lines = [
        f"### {label}, {result['users']} users ({workers} gunicorn workers)",
        "",
        "| page | requests | failures | req/s | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    seconds = result.get("seconds") or _seconds("60s")
    cells = {}
    for name, figures in result["pages"].items():
        cells[name] = [
            str(figures["requests"]),
            str(figures["failures"]),
            f"{figures['requests'] / seconds:.1f}",
            *(f"{figures[p]:.0f}" for p in ("p50", "p95", "p99")),
        ]
    for name in PAGES:
        if name in cells:
            lines.append(f"| {name} | " + " | ".join(cells[name]) + " |")
    total = cells.get("Aggregated")
    if total:
        lines.append("| **total** | " + " | ".join(f"**{c}**" for c in total) + " |")
    if "cpu" in result and total and int(total[0]):
        lines.append("")
        lines.append(
            f"gunicorn workers' CPU over the {result['seconds']:.0f} s measured: "
            f"{result['cpu']:.1f} s, {1000 * result['cpu'] / int(total[0]):.1f} ms per request"
            f" ({result['cpu'] / result['seconds']:.2f} cores busy); the whole machine"
            f" {result['machine'] / result['seconds']:.2f} of {os.cpu_count()} cores busy,"
            f" load average {result['loadavg']:.1f} at the end."
        )
    return "\n".join(lines)


def cpu_per_page(args, server: Gunicorn, repeat: int) -> str:
    """Each page alone, `repeat` times one after the other, by one signed-in
    client: the server's CPU per request (gunicorn workers only; the
    database's own CPU is not in it) and the wall time."""
    import re
    import statistics
    import time

    import requests

    base = f"http://127.0.0.1:{args.port}"
    lines = [
        f"### CPU per request, each page alone ({args.label}; {repeat} requests each)",
        "",
        "| page | as | median ms | gunicorn CPU ms / request |",
        "|---|---|---:|---:|",
    ]
    sessions = {}
    for name, path in PAGES.items():
        username = ROLE_OF_PAGE[name]
        if username not in sessions:
            client = requests.Session()
            form = client.get(f"{base}/accounts/login/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
            signed = client.post(
                f"{base}/accounts/login/",
                {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
                headers={"Referer": f"{base}/accounts/login/"},
                allow_redirects=False,
            )
            assert signed.status_code == 302, (username, signed.status_code)
            sessions[username] = client
        client = sessions[username]
        for _ in range(3):  # warm every worker's caches a little
            client.get(base + path)
        walls = []
        before = server.cpu()
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(base + path)
            walls.append(time.perf_counter() - started)
            assert response.status_code == 200 and not response.history, (path, response.url)
        spent = server.cpu() - before
        lines.append(
            f"| {name} | {username} | {1000 * statistics.median(walls):.0f} |"
            f" {1000 * spent / repeat:.1f} |"
        )
    return "\n".join(lines)


def profile(args) -> None:
    """pyinstrument over `--repeat` requests to one page, in-process (the
    Django test client, the whole middleware stack), as `--as`."""
    import django

    django.setup()
    from django.test import Client
    from pyinstrument import Profiler

    from accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=args.as_user))
    assert client.get(args.profile).status_code == 200  # warm up
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.profile_repeat):
        response = client.get(args.profile)
    profiler.stop()
    assert response.status_code == 200
    print(profiler.output_text(unicode=True, color=False, show_all=args.profile_all))
    flat = profiler.output_text(unicode=True, color=False, flat=True, flat_time="self")
    print("\n".join(flat.splitlines()[:45]))


def costs(args) -> None:
    """Each page in-process (the Django test client, the whole middleware
    stack), `--costs` times as its role: this process's CPU per request
    (Python: Django, templates, the ORM), the queries per request and the
    time spent waiting on them. Apart from the load runs, so that other
    work on the machine slows the figures down but does not change them."""
    import statistics
    import time

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from accounts.models import User

    clients, queries = {}, []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(time.perf_counter() - started)

    print(
        f"### Cost per request, each page in-process ({args.label}; {args.costs} requests each)\n"
    )
    print("| page | as | CPU ms | queries | database ms | wall ms (median) |")
    print("|---|---|---:|---:|---:|---:|")
    for name, path in PAGES.items():
        if args.pages and name not in args.pages.split(","):
            continue
        username = ROLE_OF_PAGE[name]
        if username not in clients:
            clients[username] = Client(HTTP_HOST="127.0.0.1")
            clients[username].force_login(User.objects.get(username=username))
        client = clients[username]
        for _ in range(2):
            assert client.get(path).status_code == 200, path
        queries.clear()
        walls, cpus = [], []
        with connection.execute_wrapper(timed):
            for _ in range(args.costs):
                cpu, wall = time.process_time(), time.perf_counter()
                client.get(path)
                cpus.append(time.process_time() - cpu)
                walls.append(time.perf_counter() - wall)
        print(
            f"| {name} | {username} | {1000 * statistics.median(cpus):.0f} |"
            f" {len(queries) / args.costs:.0f} | {1000 * sum(queries) / args.costs:.0f} |"
            f" {1000 * statistics.median(walls):.0f} |",
            flush=True,
        )


def main() -> None:
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", default="50,200", help="comma-separated user counts")
    parser.add_argument("--run-time", default="60s", help="measured time per run (after sign-in)")
    parser.add_argument("--wait", default="1,5", help="think time between pages, min,max s")
    parser.add_argument("--spawn-rate", type=float, default=20)
    parser.add_argument("--imports", type=int, default=0, help="100k-row imports first")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--db", default="chunshu_load")
    parser.add_argument("--redis-db", type=int, default=14)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "load"))
    parser.add_argument("--keep-db", action="store_true", help="keep the scratch database")
    parser.add_argument("--reuse-db", action="store_true", help="skip step 1-2 (kept database)")
    parser.add_argument("--prepare-only", action="store_true", help="steps 1-2, keep the database")
    parser.add_argument("--cpu-per-page", type=int, default=0, metavar="N")
    parser.add_argument("--pages", default="", help="--costs: only these pages (comma-separated)")
    parser.add_argument("--costs", type=int, default=0, metavar="N", help="in-process costs")
    parser.add_argument("--profile", metavar="PATH", help="profile this page instead")
    parser.add_argument("--as", dest="as_user", default="chair1")
    parser.add_argument("--profile-repeat", type=int, default=20)
    parser.add_argument("--profile-all", action="store_true", help="library frames too")
    args = parser.parse_args()
    args.label = f"after {args.imports} imports" if args.imports else "demo street"

    if args.profile or args.costs:
        os.environ.update(_env(args))
        sys.path.insert(0, str(ROOT))
        if not args.reuse_db:
            prepare(args)
        try:
            _redis_flush(args)
            costs(args) if args.costs else profile(args)
        finally:
            _redis_flush(args)
            if not args.keep_db:
                _psql_admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        return

    if args.prepare_only:
        prepare(args)
        return
    results = []
    try:
        if not args.reuse_db:
            prepare(args)
        for users in (int(u) for u in args.users.split(",")):
            with Gunicorn(args) as server:
                if args.cpu_per_page and not results:
                    print(cpu_per_page(args, server, args.cpu_per_page), "\n", flush=True)
                result = run_locust(args, users, server)
            results.append(result)
            print(table(args.label, result, args.workers), "\n", flush=True)
    finally:
        if not args.keep_db:
            _psql_admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    Path(args.out).mkdir(parents=True, exist_ok=True)
    with open(Path(args.out) / f"{args.label.replace(' ', '-')}.json", "w") as handle:
        json.dump(results, handle, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()

"""Join form benchmark (issue 19): the public page under load, and a flood
from one address. gunicorn on 127.0.0.1, PostgreSQL, the cache in Redis.
Not a test.

    .venv/bin/python bench/join.py                 # demo street loaded, 20 s per phase
    .venv/bin/python bench/join.py --reuse-db      # the database already holds the demo
    .venv/bin/python bench/join.py --rate 50 --seconds 30 --workers 4

What it does:
  1. unless --reuse-db, a scratch database (`chunshu_join`, or --db) dropped,
     created, migrated and loaded with the demo street (load_demo);
  2. gunicorn (`chunshu_union.wsgi`, --workers sync workers, DEBUG off, the
     cache in Redis db --redis-db, flushed first) with TRUSTED_PROXY_COUNT=1,
     so that each simulated visitor's address is the X-Forwarded-For the
     bench writes, as a proxy in front would;
  3. phase "honest": visitors arriving at --rate a second (open loop: a
     late answer does not slow the arrivals), each from an address of its
     own: GET the form of the first community's link (the CSRF cookie and
     token, and an employer from its list), then POST it with a new, valid
     ID number and phone. Measured: submissions a second answered with a
     reference code, and the POST's p50/p95/p99;
  4. phase "flood": the same honest arrivals, and beside them --flooders
     threads posting from ONE address as fast as they can. Measured: how
     many of the flood were taken (at most JOIN_PER_ADDRESS_PER_HOUR) and
     refused (429), and the honest visitors' latency against phase 3's;
  5. the results to bench/out/join.json; the database dropped unless --keep-db.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
EMPLOYER = re.compile(r'<option value="(\d+)"')


def _env(args) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="chunshu_union.settings.dev",
        DEBUG="False",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.db}",
        REDIS_URL=f"redis://127.0.0.1:6379/{args.redis_db}",
        TRUSTED_PROXY_COUNT="1",
        JOIN_PER_ADDRESS_PER_HOUR=str(args.address_limit),
        NOTICE_SMS_FILE=str(Path("/tmp") / f"{args.db}-sms.jsonl"),
        PYTHONWARNINGS="ignore:No directory at",
    )
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def _psql_admin(*statements: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        for statement in statements:
            c.execute(statement)


def prepare(args) -> None:
    started = time.monotonic()
    _psql_admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)', f'CREATE DATABASE "{args.db}"')
    env = _env(args)
    env.pop("REDIS_URL")  # load_demo's tasks run inline
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "load_demo"], env=env, check=True, cwd=ROOT)
    print(f"# demo street loaded in {time.monotonic() - started:.0f} s", flush=True)


def _link_code(args) -> str:
    import psycopg

    url = f"postgresql://postgres@127.0.0.1:5432/{args.db}"
    with psycopg.connect(url) as c:
        row = c.execute(
            "SELECT l.code FROM joining_joinlink l JOIN enterprises_community c"
            " ON c.id = l.community_id WHERE l.building_id IS NULL ORDER BY c.position LIMIT 1"
        ).fetchone()
    return row[0]


class Gunicorn:
    def __init__(self, args):
        self.args = args

    def __enter__(self):
        import redis

        redis.Redis(host="127.0.0.1", port=6379, db=self.args.redis_db).flushdb()
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "chunshu_union.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.args.port}",
                "--workers",
                str(self.args.workers),
                "--log-level",
                "warning",
            ],
            env=_env(self.args),
            cwd=ROOT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 240  # a busy machine boots workers slowly
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.args.port}/healthz", timeout=5)
                return self
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.__exit__()
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.5)

    def __exit__(self, *exc):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(30)


def id_number(n: int) -> str:
    """A valid resident ID number per n, born 1970–1999 in Xicheng (110102),
    none of them a demo member's (those are born in other years' patterns)."""
    sys.path.insert(0, str(ROOT))
    from members.id_numbers import check_character  # GB 11643's check, a pure function

    born = datetime.date(1970, 1, 1) + datetime.timedelta(days=(n // 499) % 10_000)
    first17 = f"110102{born:%Y%m%d}{(n % 499) * 2 + 1:03d}"
    return first17 + check_character(first17)


class Visitor:
    """One person: GET the form, POST it. `address` is the X-Forwarded-For."""

    def __init__(self, base: str, code: str):
        self.url = f"{base}/join/{code}/"

    def apply(self, n: int, address: str) -> tuple[int, float]:
        import requests

        session = requests.Session()
        headers = {"X-Forwarded-For": address}
        form = session.get(self.url, headers=headers, timeout=30)
        token = TOKEN.search(form.text).group(1)
        employer = EMPLOYER.search(form.text).group(1)
        data = {
            "csrfmiddlewaretoken": token,
            "name": "压测申请人",
            "id_number": id_number(n),
            "phone": f"139{n % 100_000_000:08d}",
            "enterprise": employer,
            "employer_typed": "",
            "consent": "on",
        }
        started = time.perf_counter()
        answer = session.post(
            self.url, data=data, headers={**headers, "Referer": self.url}, timeout=60
        )
        elapsed = time.perf_counter() - started
        if answer.status_code == 200 and 'id="reference"' not in answer.text:
            return 0, elapsed  # the form again, with an error: not taken
        return answer.status_code, elapsed


def honest(args, visitor: Visitor, first: int, stop: threading.Event, out: list) -> None:
    """Arrivals at args.rate a second until `stop`, each on the pool."""
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        n, start = first, time.monotonic()
        futures = []
        while not stop.is_set():
            due = start + (n - first) / args.rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            address = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
            futures.append(pool.submit(visitor.apply, n, address))
            n += 1
        out.extend(_result(f) for f in futures)


def _result(future) -> tuple[int, float]:
    try:
        return future.result()
    except Exception:  # a timeout or a refused connection: not taken
        return -1, 60.0


def flood(visitor: Visitor, first: int, stop: threading.Event, out: list) -> None:
    n = first
    while not stop.is_set():
        try:
            out.append(visitor.apply(n, "203.0.113.66"))
        except Exception:
            out.append((-1, 60.0))
        n += 1


def summary(results: list, seconds: float) -> dict:
    taken = [t for code, t in results if code == 200]
    codes: dict[int, int] = {}
    for code, _t in results:
        codes[code] = codes.get(code, 0) + 1

    def pct(q):
        return round(statistics.quantiles(taken, n=100)[q - 1] * 1000) if len(taken) > 2 else None

    return {
        "submissions": len(results),
        "taken": len(taken),
        "taken_per_s": round(len(taken) / seconds, 1),
        "codes": codes,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
    }


def phase(args, visitor: Visitor, first: int, flooders: int) -> dict:
    stop, honest_results, flood_results = threading.Event(), [], []
    threads = [threading.Thread(target=honest, args=(args, visitor, first, stop, honest_results))]
    threads += [
        threading.Thread(
            target=flood, args=(visitor, 10_000_000 + i * 100_000, stop, flood_results)
        )
        for i in range(flooders)
    ]
    for thread in threads:
        thread.start()
    time.sleep(args.seconds)
    stop.set()
    for thread in threads:
        thread.join()
    result = {"honest": summary(honest_results, args.seconds)}
    if flooders:
        result["flood"] = summary(flood_results, args.seconds)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="chunshu_join")
    parser.add_argument("--reuse-db", action="store_true")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--rate", type=float, default=50.0, help="honest submissions a second")
    parser.add_argument("--seconds", type=float, default=20.0, help="per phase")
    parser.add_argument("--threads", type=int, default=64, help="honest visitors at once, at most")
    parser.add_argument("--flooders", type=int, default=4)
    parser.add_argument(
        "--address-limit", type=int, default=20, help="JOIN_PER_ADDRESS_PER_HOUR for the run"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8019)
    parser.add_argument("--redis-db", type=int, default=12)
    args = parser.parse_args()
    if not args.reuse_db:
        prepare(args)
    else:  # a reused database keeps the last run's applications: same ID numbers
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{args.db}") as c:
            c.execute("DELETE FROM joining_joinapplication WHERE name = '压测申请人'")
    code = _link_code(args)
    results = {"args": vars(args), "cpus": os.cpu_count(), "load_before": os.getloadavg()[0]}
    with Gunicorn(args):
        visitor = Visitor(f"http://127.0.0.1:{args.port}", code)
        visitor.apply(0, "192.0.2.1")  # warm the workers
        results["honest"] = phase(args, visitor, 1, 0)["honest"]
        results["with_flood"] = phase(args, visitor, 1_000_000, args.flooders)
    print(json.dumps(results, ensure_ascii=False, indent=2))
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "join.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    if not args.keep_db:
        _psql_admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')


if __name__ == "__main__":
    main()

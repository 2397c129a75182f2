"""Benchmark: the chair portal's pages (issue 18) on PostgreSQL, for a
community chair: on the demo street, and with a million members.

    .venv/bin/python bench/portal.py                      # the demo street only
    .venv/bin/python bench/portal.py --members 1000000    # then bench/scale.py's street
    .venv/bin/python bench/portal.py --keep               # keep the database, reuse it next time
    .venv/bin/python bench/portal.py --members 100000 --no-demo --url …/portal_scale_bench
                                                          # bench/scale.py's street alone

It loads the demo street (`load_demo`: 7 communities, 226 enterprises,
5,100 members, the rate snapshots, visits, welfare batches and events) in
its own database (`portal_bench` unless BENCH_DATABASE_URL says
otherwise; dropped and re-created), with the dev settings and DEBUG off, as
in production. Each page is asked through the whole middleware stack by a
signed-in chair (chair1; with --members, also the chair of bench/scale.py's
large community, 70% of the members, added to the same street with its
COPY generator): `--requests` times after five warm-ups; the median, the
95th percentile and the number of queries go to standard output and to
bench/out/portal.json. /healthz (one SELECT 1) is the baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._common import database_exists, finish, fresh_database, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"


def pages_for(chair) -> dict[str, str]:
    """The portal's new pages, with the chair's own objects in them."""
    from members.models import Member
    from services.models import Event, WelfareBatch

    member = Member.objects.for_user(chair).order_by("pk").first()
    batch = WelfareBatch.objects.for_user(chair).order_by("pk").first()
    event = Event.objects.for_user(chair).order_by("pk").first()
    pages = {
        "baseline /healthz": "/healthz",
        "baseline: transfer requests (an older portal list)": "/portal/transfers/",
        "home (to-do list)": "/portal/",
        "members, not yet verified": "/portal/members/?show=unverified",
        "members, retirement to confirm": "/portal/members/?show=retirement",
        "member page": f"/portal/members/{member.pk}/" if member else None,
        "community figures": "/portal/figures/",
        "undeclared enterprises": "/portal/figures/enterprises/undeclared/",
        "zombies to visit": "/portal/figures/zombies/",
        "handouts (batches)": "/portal/services/handouts/",
        "handout batch, name search": f"/portal/services/handouts/{batch.pk}/?q=王"
        if batch
        else None,
        "events": "/portal/services/events/",
        "event, name search": f"/portal/services/events/{event.pk}/?q=王" if event else None,
        "service requests": "/portal/services/requests/",
    }
    return {name: url for name, url in pages.items() if url}


def _time(client, url: str, n: int) -> dict:
    from django.db import connection

    for _ in range(5):  # warm-up: templates, connections
        assert client.get(url).status_code == 200, url
    # The query log is emptied when a request starts: read it after one.
    connection.force_debug_cursor = True
    client.get(url)
    queries = list(connection.queries)
    connection.force_debug_cursor = False
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[max(int(len(samples) * 0.95) - 1, 0)], 1),
        "queries": len(queries),
    }


def measure(chair, n: int, label: str, only: str = "") -> dict:
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")  # a host the settings allow
    client.force_login(chair)
    results = {}
    print(f"-- {label}", flush=True)
    for name, url in pages_for(chair).items():
        if only and only not in name and not name.startswith("baseline"):
            continue
        results[name] = _time(client, url, n)
        print(f"  {name:34} {results[name]}", flush=True)
    return results


def _scale_chair(members: int):
    """bench/scale.py's street added to the demo street's federation: its
    large community's chair (70% of the members)."""
    from accounts.models import Role, User
    from bench import scale
    from enterprises.models import Community

    started = time.perf_counter()
    scale.generate(members, 40_000)
    print(f"generated {members} members in {time.perf_counter() - started:.0f} s", flush=True)
    large = Community.objects.filter(name__startswith="基准社区").order_by("position").first()
    chair, _created = User.objects.get_or_create(
        username="bench-chair-large", defaults={"role": Role.CHAIR, "community": large}
    )
    return chair


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--members", type=int, default=0, help="then bench/scale.py's street")
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument(
        "--no-demo",
        action="store_true",
        help="no demo street (its ID numbers may meet the generator's): the scale street alone",
    )
    parser.add_argument("--only", default="", help="only the pages whose name holds this")
    args = parser.parse_args(argv)

    settings = {"settings": "chunshu_union.settings.dev", "DEBUG": "False"}
    if args.keep and database_exists(args.url):
        setup_django(args.url, **settings)
    else:
        fresh_database(args.url, **settings)
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User

    if not args.no_demo and not User.objects.filter(username="chair1").exists():
        started = time.perf_counter()
        call_command("load_demo", stdout=open(os.devnull, "w"))
        print(f"demo street loaded in {time.perf_counter() - started:.0f} s", flush=True)
    report = {"postgresql": connection.pg_version, "requests_per_page": args.requests}
    if not args.no_demo:
        report["demo street, chair1"] = measure(
            User.objects.get(username="chair1"), args.requests, "demo street, chair1"
        )
    if args.members:
        chair = User.objects.filter(username="bench-chair-large").first() or _scale_chair(
            args.members
        )
        label = f"{args.members:,} members, the large community's chair"
        report[label] = measure(chair, args.requests, label, args.only)
    finish(args.url, "portal", report, keep=args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())

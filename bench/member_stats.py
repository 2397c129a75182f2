"""Benchmark: the member statistics page and the quarter's member figures
with a million members, on PostgreSQL (issue 17: "under 1 s").

    .venv/bin/python bench/member_stats.py                    # 1,000,000 members
    .venv/bin/python bench/member_stats.py --members 100000   # a quick run
    .venv/bin/python bench/member_stats.py --keep             # keep the database after

It builds bench/scale.py's street (its COPY generator: 8 communities, one
holding 70% of the members, 40,000 enterprises, 2% of the members with a
closed earlier membership) in its own database (`member_stats_bench`
unless BENCH_DATABASE_URL says otherwise), then makes the members varied
with set-based SQL (their sex and age are their ID numbers'): 30% migrant workers, 1% model
workers, 3% in hardship, 40% with a 京卡, 35% on the 12351 app, 20%
verified, 5% of the open memberships held; and gives every membership its
history (a `joined` event, an `ended` one for the closed, a `held` one for
the held), as migration 0016 and the services would. Then it times:

- `members.statistics.member_statistics` for street staff (every community
  and the street) and for the large and the small community's chairs: the
  admin page's and the portal's figures;
- `members.selectors.flows_by_community` for a quarter (the page's
  movement table) and `membership_flows_for_quarter` for the street;
- `members.selectors.member_figures_for_quarter` (the dashboard's nightly
  members part, for comparison).

Each is run `--repeat` times; the median goes to standard output and to
bench/out/member_stats.json, the plans of the statistics query to
bench/out/member_stats-plans.txt. The database is dropped at the end unless
--keep.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._common import finish, recreate_database, run_sql, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/member_stats_bench"

#: Set-based variety on the generated members (bench/scale.py leaves every
#: flag off). `hashtext(id)` spreads them evenly and repeatably.
VARIETY = """
UPDATE members_member SET
    is_migrant_worker = abs(hashtext(id::text)) % 100 < 30,
    is_model_worker = abs(hashtext(id::text || 'm')) % 100 < 1,
    is_in_hardship = abs(hashtext(id::text || 'h')) % 100 < 3,
    jingcard_status = CASE WHEN abs(hashtext(id::text || 'j')) % 100 < 40
        THEN 'activated' ELSE 'not_applied' END,
    app_registered_on = CASE WHEN abs(hashtext(id::text || 'a')) % 100 < 35
        THEN DATE '2017-05-01' END,
    verified_at = CASE WHEN abs(hashtext(id::text || 'v')) % 100 < 20
        THEN TIMESTAMPTZ '2017-06-01 10:00+08' END
"""
HOLDS = """
UPDATE members_membership SET held_on = DATE '2017-08-01', hold_reason = 'retired'
WHERE left_on IS NULL AND id % 20 = 0
"""
END_REASONS = "UPDATE members_membership SET end_reason = 'other' WHERE left_on IS NOT NULL"
EVENTS = """
INSERT INTO members_membershipevent
    (member_id, membership_id, kind, "on", reason, note, recorded_by_id, recorded_at)
SELECT member_id, id, 'joined', joined_on, '', '', NULL::bigint, now() FROM members_membership
UNION ALL
SELECT member_id, id, 'ended', left_on, 'other', '', NULL::bigint, now()
    FROM members_membership WHERE left_on IS NOT NULL
UNION ALL
SELECT member_id, id, 'held', held_on, 'retired', '', NULL::bigint, now()
    FROM members_membership WHERE held_on IS NOT NULL
"""


def generate(members: int, enterprises: int) -> dict:
    from bench import scale

    timings = scale.generate(members, enterprises)
    started = time.perf_counter()
    # VACUUM FULL: the UPDATE left every member row twice; a street whose
    # members were written once has no such bloat.
    statements = (VARIETY, HOLDS, END_REASONS, EVENTS, "VACUUM FULL members_member")
    for statement in (*statements, "VACUUM ANALYZE"):
        run_sql(statement, double_percent=False)
    timings["variety_and_history_s"] = round(time.perf_counter() - started, 1)
    return timings


def _users():
    from accounts.models import Role, User
    from enterprises.models import Community, Federation

    communities = list(Community.objects.filter(name__startswith="基准社区").order_by("position"))
    street = Federation.objects.order_by("pk").first()

    def user(username, **fields):
        return User.objects.get_or_create(username=username, defaults=fields)[0]

    return {
        "staff": user("bench-staff", role=Role.STAFF, federation=street, is_staff=True),
        "large chair": user("bench-chair-large", role=Role.CHAIR, community=communities[0]),
        "small chair": user("bench-chair-small", role=Role.CHAIR, community=communities[-1]),
    }


def _timed(work, repeat: int) -> dict:
    from django.db import connection, reset_queries

    times, queries = [], 0
    for _ in range(repeat):
        reset_queries()
        started = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - started) * 1000)
        queries = len(connection.queries)
    return {
        "median_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "queries": queries,
        "result": result,
    }


def measure(repeat: int, plans: list[str]) -> dict:
    from django.conf import settings
    from django.db import connection

    from chunshu_union.quarters import Quarter
    from enterprises.models import Community, Federation
    from members import statistics as member_stats
    from members.selectors import (
        flows_by_community,
        member_figures_for_quarter,
        membership_flows_for_quarter,
    )

    settings.DEBUG = True  # count the queries
    people = _users()
    on = datetime.date(2026, 6, 30)
    quarter = Quarter(2017, 3)
    street = Federation.objects.order_by("pk").first()
    ids = list(Community.objects.filter(federation=street).values_list("pk", flat=True))

    def stats_for(user):
        def work():
            stats = member_stats.member_statistics(user=user, on=on)
            rows = stats.all_rows
            return {r.name: r.counts["members"] for r in rows}

        return work

    work = {
        "statistics, street staff (every community)": stats_for(people["staff"]),
        "statistics, large community's chair": stats_for(people["large chair"]),
        "statistics, small community's chair": stats_for(people["small chair"]),
        "flows by community, 2017Q3": lambda: sum(
            v["members"] for v in flows_by_community(quarter, ids).values()
        ),
        "membership_flows_for_quarter, street": lambda: membership_flows_for_quarter(quarter),
        "member_figures_for_quarter (dashboard)": lambda: member_figures_for_quarter(
            street.pk, quarter, ids
        )[None]["members_total"],
    }
    results = {}
    for name, job in work.items():
        results[name] = _timed(job, repeat)
        print(f"{name:48} {results[name]['median_ms']:8.1f} ms", flush=True)
    rows = member_stats.Membership.objects.filter(left_on__isnull=True, community_id__in=ids)
    sql, params = (
        rows.order_by()
        .values("community_id")
        .annotate(**member_stats._aggregates(on))
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plans.append("-- statistics, every community\n" + "\n".join(r[0] for r in cursor))
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--enterprises", type=int, default=40_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)

    recreate_database(args.url)
    setup_django(args.url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    report = {
        "members": args.members,
        "enterprises": args.enterprises,
        "postgresql": connection.pg_version,
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg(),
    }
    report["generate"] = generate(args.members, args.enterprises)
    print(f"generated {report['generate']}", flush=True)
    plans: list[str] = []
    report["results"] = measure(args.repeat, plans)
    report["load_average_after"] = os.getloadavg()
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "member_stats-plans.txt").write_text("\n\n".join(plans), encoding="utf-8")
    finish(args.url, "member_stats", report, keep=args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())

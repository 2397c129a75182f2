"""Benchmark: the dashboard page with a million members, on PostgreSQL.

    .venv/bin/python bench/dashboard.py                      # 10,000 then 1,000,000 members
    .venv/bin/python bench/dashboard.py --sizes 2000,20000   # a quick run

It builds a large street in its own database (`dashboard_bench` unless
BENCH_DATABASE_URL says otherwise; dropped and re-created on each run) with
server-side INSERT … SELECT generate_series (no Python loop over rows):
the demo's 7 communities, one enterprise per 25 members, members with 京卡,
12351 app and verification data, memberships, leavers and transfers, a
status history, and declarations for three quarters. It then runs the real
snapshot jobs (union funds, then the dashboard) and times, in the same run
and the same process, the dashboard pages and a trivial baseline view
(`/healthz`: one `SELECT 1`), each through the full middleware stack with a
signed-in leader. It grows the street in steps (10,000 members, then a
million) and measures at each, so the run shows both the ratio of the
medians to the baselines and that the page does not slow down as the street
grows. Numbers go to standard output and to bench/out/dashboard.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dashboard_bench"

# Run as a script: the project root goes on the path before the shared helpers.
from bench._common import drop_database, fresh_database, run_sql  # noqa: E402

GENERATE = [
    # Enterprises: one per 25 members, spread over the 7 communities; a union
    # founded between 2010 and 2017.
    """
    INSERT INTO enterprises_enterprise
        (name, credit_code, community_id, building_id, headcount, ownership,
         union_founded_on, union_chair, union_chair_phone, status, created_at, updated_at)
    SELECT '基准企业' || i, 'B' || lpad(i::text, 17, '0'),
           (SELECT id FROM enterprises_community ORDER BY position OFFSET (i % 7) LIMIT 1),
           NULL, 25, 'non_public',
           DATE '2010-01-01' + (i * 7919 % 2900), '', '', 'active', now(), now()
    FROM generate_series(%(e_from)s, %(e_to)s) AS i
    """,
    # 1% moved out and 0.5% deregistered during 2017.
    """
    INSERT INTO enterprises_enterprisestatus
        (enterprise_id, status, effective_on, reason, evidence, recorded_at)
    SELECT id, CASE WHEN id % 200 = 0 THEN 'deregistered' ELSE 'moved_out' END,
           DATE '2017-01-01' + (id % 270)::int, '', '', now()
    FROM enterprises_enterprise
    WHERE id > %(e_prev_id)s AND (id % 100 = 0 OR id % 200 = 0)
    """,
    # Members: the columns a member needs; 75% hold a 京卡, 40% on the app,
    # 85% verified.
    """
    INSERT INTO members_member
        (id_encrypted, id_digest, id_masked, name, sex, birth_date, phone, ethnicity,
         education, political_status, is_migrant_worker, is_model_worker, is_in_hardship,
         jingcard_status, app_registered_on, verified_at, created_at, updated_at)
    SELECT 'bench', md5('m' || i) || md5('n' || i), '110102********' || lpad((i % 10000)::text, 4, '0'),
           '会员' || i, CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END,
           DATE '1960-01-01' + (i % 14000), '', '01', '', '', i % 3 = 0, false, false,
           (ARRAY['not_applied','applied','issued','activated'])[1 + (i * 31 % 100 >= 18)::int
               + (i * 31 % 100 >= 25)::int + (i * 31 % 100 >= 45)::int],
           CASE WHEN i % 5 < 2 THEN DATE '2016-06-01' + (i % 500) END,
           CASE WHEN i % 20 < 17 THEN TIMESTAMPTZ '2016-01-01' + (i % 700) * INTERVAL '1 day' END,
           now(), now()
    FROM generate_series(%(m_from)s, %(m_to)s) AS i
    """,
    # Memberships: each member at one enterprise; 0.5% left in 2017.
    """
    INSERT INTO members_membership (member_id, enterprise_id, joined_on, left_on, created_at)
    SELECT m.id, (SELECT min(id) FROM enterprises_enterprise) + (m.id % %(enterprises)s),
           DATE '2010-01-01' + (m.id * 13 % 2700)::int,
           CASE WHEN m.id % 200 = 0 THEN DATE '2017-01-01' + (m.id % 270)::int END,
           now()
    FROM members_member m WHERE m.id > %(m_prev_id)s
    """,
    # Transfers within the street: 0.2% of members moved on 1 August 2017.
    """
    WITH moved AS (
        UPDATE members_membership SET left_on = DATE '2017-08-01'
        WHERE member_id > %(m_prev_id)s AND member_id % 500 = 1 AND left_on IS NULL AND joined_on <= DATE '2017-08-01'
        RETURNING id, member_id, enterprise_id
    ), opened AS (
        INSERT INTO members_membership (member_id, enterprise_id, joined_on, left_on, created_at)
        SELECT member_id, enterprise_id + 1, DATE '2017-08-01', NULL, now() FROM moved
        RETURNING id, member_id
    )
    INSERT INTO members_transfer
        (member_id, from_membership_id, to_membership_id, transferred_on, reason,
         external_party, recorded_at)
    SELECT moved.member_id, moved.id, opened.id, DATE '2017-08-01', '', '', now()
    FROM moved JOIN opened USING (member_id)
    """,
    # The membership's own community (kept by the app on every write; raw SQL
    # must fill it, or chairs and staff would not see these members).
    """
    UPDATE members_membership ms SET community_id = e.community_id
    FROM enterprises_enterprise e
    WHERE e.id = ms.enterprise_id AND ms.community_id IS NULL
    """,
    # Declarations: about 80% of enterprises declare in each quarter of 2017.
    """
    INSERT INTO dues_declaration
        (enterprise_id, credit_code, taxpayer_name, item, period_start, period_end, base, rate,
         amount_due, amount_paid, declared_on, is_zero, created_at, updated_at)
    SELECT e.id, e.credit_code, e.name, '工会经费', q.first, q.last, 20000, 0.02, 400, 400,
           q.last + 15, e.id % 17 = 0, now(), now()
    FROM enterprises_enterprise e
    CROSS JOIN (VALUES (DATE '2017-01-01', DATE '2017-03-31', 1),
                       (DATE '2017-04-01', DATE '2017-06-30', 2),
                       (DATE '2017-07-01', DATE '2017-09-30', 3)) AS q(first, last, n)
    WHERE e.id > %(e_prev_id)s AND (e.id * 7 + q.n * 3) % 10 < 8
    """,
]


def _max_id(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 (our own table names)
        return cursor.fetchone()[0]


def grow(before: int, members: int) -> dict:
    """Add members `before + 1` … `members` (and their enterprises, one per
    25 members), so that one run can measure a small and a large street."""
    from django.db import connection, transaction

    enterprises, enterprises_before = max(members // 25, 7), max(before // 25, 0)
    params = {
        "m_from": before + 1,
        "m_to": members,
        "m_prev_id": _max_id("members_member"),
        "e_from": enterprises_before + 1,
        "e_to": enterprises,
        "e_prev_id": _max_id("enterprises_enterprise"),
        # Memberships spread over every enterprise there will be.
        "enterprises": enterprises,
    }
    started = time.perf_counter()
    with transaction.atomic():
        for statement in GENERATE:
            run_sql(statement, params)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "enterprises": enterprises,
        "members": members,
        "seconds": time.perf_counter() - started,
    }


def snapshots() -> dict:
    import datetime

    from chunshu_union.quarters import Quarter
    from dashboard.services import dashboard_refresh
    from dues.services import snapshots_recompute
    from enterprises.models import Federation

    timings = {}
    started = time.perf_counter()
    for q in (1, 2, 3):
        snapshots_recompute(quarter=Quarter(2017, q), today=datetime.date(2017, 12, 1))
    timings["dues_snapshots_3_quarters"] = time.perf_counter() - started
    started = time.perf_counter()
    dashboard_refresh(federation=Federation.objects.get())
    timings["dashboard_snapshots_3_quarters"] = time.perf_counter() - started
    return timings


def _leader():
    from accounts.models import Role, User
    from enterprises.models import Federation

    leader, _created = User.objects.get_or_create(
        username="bench-leader",
        defaults={"role": Role.LEADER, "federation": Federation.objects.get()},
    )
    return leader


def _time(client, url: str, n: int) -> dict:
    for _ in range(5):  # warm-up: templates, connections, caches
        assert client.get(url).status_code in (200, 302), url
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 302), url
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
        "max_ms": round(samples[-1], 2),
    }


def measure(n: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from enterprises.models import Community

    client = Client(HTTP_HOST="127.0.0.1")  # a host the settings allow
    client.force_login(_leader())
    community = Community.objects.order_by("position").first()
    pages = {
        "baseline /healthz": "/healthz",
        "baseline signed-in /accounts/login/ (redirect)": "/accounts/login/",
        "dashboard /dashboard/?quarter=2017Q3": "/dashboard/?quarter=2017Q3",
        "dashboard default quarter /dashboard/": "/dashboard/",
        "community page": f"/dashboard/community/{community.pk}/?quarter=2017Q3",
        "Excel export": "/dashboard/export.xlsx?quarter=2017Q3",
    }
    results = {name: _time(client, url, n) for name, url in pages.items()}
    base = results["baseline /healthz"]["median_ms"]
    signed_in = results["baseline signed-in /accounts/login/ (redirect)"]["median_ms"]
    for values in results.values():
        values["ratio_to_healthz"] = round(values["median_ms"] / base, 1)
        values["ratio_to_signed_in"] = round(values["median_ms"] / signed_in, 1)
    with CaptureQueriesContext(connection) as queries:
        client.get("/dashboard/?quarter=2017Q3")
    results["dashboard /dashboard/?quarter=2017Q3"]["queries"] = len(queries)
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="10000,1000000",
        help="member counts to grow the street to, measuring at each (default 10000,1000000)",
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "dashboard.json")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args(argv)
    sizes = sorted(int(n) for n in args.sizes.split(","))

    # The dev settings without DEBUG: no query log, as in production.
    fresh_database(args.url, settings="chunshu_union.settings.dev", DEBUG="False")
    report = {"requests_per_page": args.requests, "runs": []}
    before = 0
    for members in sizes:
        run = {"generate": grow(before, members)}
        before = members
        print(f"generated {run['generate']}", flush=True)
        run["snapshots_seconds"] = snapshots()
        print(f"snapshots {run['snapshots_seconds']}", flush=True)
        run["pages"] = measure(args.requests)
        for name, values in run["pages"].items():
            print(f"  {name:48} {values}", flush=True)
        report["runs"].append(run)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    if args.drop:
        from django.db import connections

        connections.close_all()
        drop_database(args.url)
    return 0


if __name__ == "__main__":
    sys.exit(main())

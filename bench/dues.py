"""Benchmark: union-funds rates, snapshots and zombie flagging on PostgreSQL
with 100,000 enterprises and about a million declarations.

    .venv/bin/python bench/dues.py                          # full size
    .venv/bin/python bench/dues.py --enterprises 5000       # a quick run

It builds the data in its own database (`dues_bench` unless
BENCH_DATABASE_URL says otherwise; dropped and re-created on each run) with
server-side INSERT … SELECT generate_series: the 7 communities, 100,000
enterprises whose unions were founded 2010–2017, a status history (4% moved
out or deregistered in 2015–2017), twelve quarters of declarations
(2015Q1–2017Q4; one enterprise in nine stops declaring after 2016Q2), 7%
zero declarations, and 5% corrections filed a month later. Then it runs the real services and times, in the same
run and the same process:

- baseline: the bare numerator, `COUNT(DISTINCT enterprise_id)` of one
  quarter's declarations (one index scan; nothing can be faster);
- rates of one quarter (the aggregate queries, counts only);
- recompute one quarter (the snapshot job: counts, enterprise lists, store),
  first run and an unchanged re-run;
- recompute all twelve quarters;
- flag zombies (first run, then the idempotent re-run).

Each is reported in seconds (wall time, median of three for the short
ones) and as a ratio to the baseline; then the heavier steps run once more
under tracemalloc for their peak Python memory (untimed, since tracemalloc
slows every allocation); the process's peak RSS at the end.
Numbers go to standard output and to bench/out/dues.json.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dues_bench"

# Run as a script: the project root goes on the path before the shared helpers.
from bench._common import finish, fresh_database, run_sql  # noqa: E402

GENERATE = [
    """
    INSERT INTO enterprises_enterprise
        (name, credit_code, community_id, building_id, headcount, ownership,
         union_founded_on, union_chair, union_chair_phone, status, created_at, updated_at)
    SELECT '基准企业' || i, 'D' || lpad(i::text, 17, '0'),
           (SELECT id FROM enterprises_community ORDER BY position OFFSET (i % 7) LIMIT 1),
           NULL, 20, 'non_public',
           DATE '2010-01-01' + (i * 7919 % 2700)::int, '主席' || i,
           CASE WHEN i % 5 = 0 THEN '' ELSE '13800000000' END,
           'active', now(), now()
    FROM generate_series(1, %(enterprises)s) AS i
    """,
    """
    INSERT INTO enterprises_enterprisestatus
        (enterprise_id, status, effective_on, reason, evidence, recorded_at)
    SELECT id, 'active', union_founded_on, '建会', '', now() FROM enterprises_enterprise
    """,
    """
    INSERT INTO enterprises_enterprisestatus
        (enterprise_id, status, effective_on, reason, evidence, recorded_at)
    SELECT id, CASE WHEN id % 100 = 0 THEN 'deregistered' ELSE 'moved_out' END,
           GREATEST(union_founded_on, DATE '2015-01-01' + (id * 31 % 1090)::int), '', '', now()
    FROM enterprises_enterprise WHERE id % 25 = 0
    """,
    # Twelve quarters; a declaration for (enterprise, quarter) unless the
    # union is not founded yet, the enterprise has left, or a hash says no.
    """
    INSERT INTO dues_declaration
        (enterprise_id, credit_code, taxpayer_name, item, period_start, period_end,
         base, rate, amount_due, amount_paid, declared_on, is_zero, created_at, updated_at)
    SELECT e.id, e.credit_code, e.name, '工会经费', q.first_day,
           (q.first_day + INTERVAL '3 months' - INTERVAL '1 day')::date,
           CASE WHEN (e.id + q.k) % 14 = 0 THEN 0 ELSE 60000 END, 0.02,
           CASE WHEN (e.id + q.k) % 14 = 0 THEN 0 ELSE 1200 END,
           CASE WHEN (e.id + q.k) % 14 = 0 THEN 0 ELSE 1200 END,
           (q.first_day + INTERVAL '3 months' + INTERVAL '14 days')::date,
           (e.id + q.k) % 14 = 0, now(), now()
    FROM enterprises_enterprise e
    CROSS JOIN (
        SELECT k, (DATE '2015-01-01' + (k * INTERVAL '3 months'))::date AS first_day
        FROM generate_series(0, 11) AS k
    ) q
    WHERE e.union_founded_on <= q.first_day + INTERVAL '3 months' - INTERVAL '1 day'
      AND (e.id % 9 <> 0 OR q.k < 6)
      AND (e.id * 13 + q.k * 7) % 100 < 97
    """,
    # Corrections (更正申报): one declaration in twenty is filed again a month
    # later for the same period; the rate must count the enterprise once.
    """
    INSERT INTO dues_declaration
        (enterprise_id, credit_code, taxpayer_name, item, period_start, period_end,
         base, rate, amount_due, amount_paid, declared_on, is_zero, created_at, updated_at)
    SELECT enterprise_id, credit_code, taxpayer_name, item, period_start, period_end,
           base * 1.05, rate, amount_due * 1.05, amount_paid * 1.05,
           declared_on + 30, is_zero, now(), now()
    FROM dues_declaration WHERE id % 20 = 0
    """,
]


def _generate(enterprises: int) -> dict:
    from django.db import connection

    started = time.perf_counter()
    for statement in GENERATE:
        run_sql(statement, {"enterprises": enterprises})
    with connection.cursor() as cursor:
        # As autovacuum would have done on tables loaded long ago: statistics
        # and the visibility map (which index-only scans rely on).
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT count(*) FROM enterprises_enterprise")
        n_enterprises = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM dues_declaration")
        n_declarations = cursor.fetchone()[0]
    return {
        "enterprises": n_enterprises,
        "declarations": n_declarations,
        "generate_seconds": round(time.perf_counter() - started, 1),
    }


def _timed(label: str, fn, results: dict, *, repeat: int = 1) -> object:
    """Wall time (median of `repeat`), without tracemalloc: its hooks would
    slow every allocation and distort the timing."""
    timings, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        timings.append(time.perf_counter() - started)
    results[label] = {"seconds": round(statistics.median(timings), 3)}
    print(f"  {label:<34} {results[label]['seconds']:>8.3f} s", flush=True)
    return value


def _memory(label: str, fn, results: dict) -> None:
    """A second, untimed run under tracemalloc: the step's peak Python memory."""
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    results[label]["peak_mb"] = round(peak / 2**20, 1)
    print(f"  {label:<34} peak Python memory {results[label]['peak_mb']:>7.1f} MB", flush=True)


def measure() -> dict:
    """Time the services on whatever data the current database holds."""
    from django.db import connection

    from chunshu_union.quarters import Quarter
    from dues.rates import rate_figures_for_quarter
    from dues.services import snapshots_recompute, snapshots_recompute_all, zombies_flag
    from enterprises.models import Federation

    federation = Federation.objects.order_by("pk").first()
    quarter = Quarter(2017, 3)
    results: dict = {}

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(DISTINCT enterprise_id) FROM dues_declaration"
                " WHERE period_end BETWEEN %s AND %s",
                [quarter.first_day, quarter.last_day],
            )
            return cursor.fetchone()[0]

    _timed("baseline (bare numerator)", baseline, results, repeat=3)
    figures = _timed(
        "rates of one quarter (counts)",
        lambda: rate_figures_for_quarter(quarter, federation, with_ids=False),
        results,
        repeat=3,
    )
    _timed("recompute one quarter (first)", lambda: snapshots_recompute(quarter=quarter), results)
    _timed(
        "recompute one quarter (unchanged)", lambda: snapshots_recompute(quarter=quarter), results
    )
    _timed("recompute all quarters", snapshots_recompute_all, results)
    flags = _timed("flag zombies (first)", lambda: zombies_flag(quarter=quarter), results)
    _timed("flag zombies (again)", lambda: zombies_flag(quarter=quarter), results)
    _memory(
        "rates of one quarter (counts)",
        lambda: rate_figures_for_quarter(quarter, federation, with_ids=False),
        results,
    )
    _memory(
        "recompute one quarter (unchanged)", lambda: snapshots_recompute(quarter=quarter), results
    )
    _memory("recompute all quarters", snapshots_recompute_all, results)
    _memory("flag zombies (again)", lambda: zombies_flag(quarter=quarter), results)
    base = results["baseline (bare numerator)"]["seconds"] or 1e-6
    for row in results.values():
        row["ratio_to_baseline"] = round(row["seconds"] / base, 1)
    street = figures[0]
    results["figures"] = {
        "quarter": str(quarter),
        "declared": street.declared,
        "obligated": street.obligated,
        "rate": str(street.rate),
        "zombies_flagged": len(flags),
    }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    pg_version = fresh_database(url)
    print(
        f"PostgreSQL {pg_version}; generating {args.enterprises:,} enterprises …",
        flush=True,
    )
    data = _generate(args.enterprises)
    print(
        f"  {data['enterprises']:,} enterprises, {data['declarations']:,} declarations"
        f" ({data['generate_seconds']} s)",
        flush=True,
    )
    if args.generate_only:
        return
    results = measure()
    results["data"] = data
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(f"  peak RSS {results['peak_rss_mb']} MB; figures {results['figures']}")
    finish(url, "dues", results, keep=args.keep)


if __name__ == "__main__":
    main()

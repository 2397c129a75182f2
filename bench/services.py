"""Benchmark: the services' figures (the "two 2s", enterprises not visited,
the quarter's service figures for the dashboard) on PostgreSQL at the size
of a whole district rather than one street.

    .venv/bin/python bench/services.py                     # full size
    .venv/bin/python bench/services.py --scale 0.1         # a quick run

It builds the data in its own database (`services_bench` unless
BENCH_DATABASE_URL says otherwise; dropped and re-created on each run) with
server-side INSERT … SELECT generate_series. At scale 1: 210 cadres (15
streets × 14), 20,000 enterprises, 100,000 members, three years of visits
(about 110,000: 2–3 enterprise visits per cadre per week, 2 community
visits per month), 300,000 welfare handouts, 200,000 attendances over 600
events, 20,000 service requests, 6,000 aid cases, 2,000 collective
agreements covering 60% of the enterprises.

Then, in the same run and process, it times the real selectors:

- baseline: `Visit.objects.filter(visited_on in the quarter).count()` (one
  index range count; the cheapest query that touches the same rows);
- two_twos for a quarter (per cadre, per week and month, grouped in SQL);
- two_twos_behind for a day;
- enterprises_not_visited_since a year ago (count);
- services_figures_for_quarter street-wide, and for one community.

Each is reported in seconds (median of five) and as a ratio to the
baseline; numbers go to standard output and to bench/out/services.json.
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
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/services_bench"

# Run as a script: the project root goes on the path before the shared helpers.
from bench._common import finish, fresh_database, run_sql  # noqa: E402

GENERATE = [
    # Cadres.
    """
    INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,
        is_staff, is_active, date_joined, role)
    SELECT '!', false, 'cadre' || i, '', '干部' || i, '', true, true, now(), 'staff'
    FROM generate_series(1, %(cadres)s) AS i
    """,
    """
    INSERT INTO enterprises_enterprise
        (name, credit_code, community_id, building_id, headcount, ownership,
         union_founded_on, union_chair, union_chair_phone, status, created_at, updated_at)
    SELECT '基准企业' || i, 'S' || lpad(i::text, 17, '0'), (SELECT id FROM enterprises_community ORDER BY position OFFSET (i %% 7) LIMIT 1),
           NULL, 5 + i %% 120, 'non_public', DATE '2010-01-01' + (i * 7919 %% 2500)::int,
           '', '', 'active', now(), now()
    FROM generate_series(1, %(enterprises)s) AS i
    """,
    """
    INSERT INTO members_member (id_encrypted, id_digest, id_masked, name, sex, birth_date,
        phone, ethnicity, education, political_status, is_migrant_worker, is_model_worker,
        is_in_hardship, jingcard_status, created_at, updated_at)
    SELECT '', md5(i::text) || md5((i + 1)::text), '110102********000X', '会员' || i,
           CASE WHEN i %% 2 = 0 THEN 'F' ELSE 'M' END, DATE '1980-01-01' + (i %% 7000)::int,
           '', '', '', '', false, false, false, 'not_applied', now(), now()
    FROM generate_series(1, %(members)s) AS i
    """,
    """
    INSERT INTO members_membership (member_id, enterprise_id, joined_on, created_at)
    SELECT m.id, e.id, DATE '2015-01-01', now()
    FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM members_member) m
    JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM enterprises_enterprise) e
      ON e.n = 1 + (m.n * 7 %% %(enterprises)s)
    """,
    # The membership's own community (kept by the app on every write; raw SQL
    # must fill it, or chairs and staff would not see these members).
    """
    UPDATE members_membership ms SET community_id = e.community_id
    FROM enterprises_enterprise e
    WHERE e.id = ms.enterprise_id AND ms.community_id IS NULL
    """,
    # Enterprise visits: per cadre per ISO week of 2015–2017, 1–3 visits.
    """
    INSERT INTO services_visit (kind, visitor_id, visited_on, community_id, enterprise_id,
        summary, recorded_by_id, recorded_at)
    SELECT 'enterprise', u.id, w.monday + (k %% 5)::int, e.community_id, e.id, '', u.id, now()
    FROM accounts_user u
    CROSS JOIN (SELECT DATE '2014-12-29' + 7 * g AS monday, g FROM generate_series(0, 156) g) w
    CROSS JOIN generate_series(1, 3) k
    JOIN enterprises_enterprise e
      ON e.id = (SELECT min(id) FROM enterprises_enterprise)
               + ((u.id * 31 + w.g * 17 + k * 7) %% %(enterprises)s)
    WHERE u.role = 'staff' AND (k < 3 OR (u.id + w.g) %% 3 = 0) AND (k > 1 OR (u.id + w.g) %% 9 <> 0)
    """,
    # Community visits: two a month, most months.
    """
    INSERT INTO services_visit (kind, visitor_id, visited_on, community_id, enterprise_id,
        summary, recorded_by_id, recorded_at)
    SELECT 'community', u.id, (DATE '2015-01-01' + (m || ' months')::interval)::date + 3 + k * 9,
           (SELECT id FROM enterprises_community ORDER BY position OFFSET (u.id %% 7) LIMIT 1),
           NULL, '', u.id, now()
    FROM accounts_user u CROSS JOIN generate_series(0, 35) m CROSS JOIN generate_series(0, 1) k
    WHERE u.role = 'staff' AND (k = 0 OR (u.id + m) %% 8 <> 0)
    """,
    """
    INSERT INTO services_welfareitem (name, unit) VALUES ('福包', '份'), ('庙会票', '张'), ('清凉包', '份')
    """,
    """
    INSERT INTO services_welfarebatch (federation_id, item_id, name, campaign, received_on,
        quantity, stock)
    SELECT (SELECT id FROM enterprises_federation LIMIT 1), i.id, i.name || y, 'warmth',
           make_date(y, (1 + (i.id %% 3) * 3)::int, 5), 200000, 100000
    FROM services_welfareitem i CROSS JOIN generate_series(2015, 2017) y
    """,
    """
    INSERT INTO services_handout (batch_id, member_id, enterprise_id, community_id, quantity,
        handed_on, recorded_by_id)
    SELECT b.id, ms.member_id, NULL, e.community_id, 1, b.received_on + (ms.member_id %% 20)::int, NULL
    FROM services_welfarebatch b
    JOIN members_membership ms ON (ms.member_id + b.id) %% 3 = 0
    JOIN enterprises_enterprise e ON e.id = ms.enterprise_id
    """,
    """
    INSERT INTO services_event (federation_id, community_id, kind, title, starts_on, ends_on,
        place, capacity)
    SELECT (SELECT id FROM enterprises_federation LIMIT 1), NULL, 'training', '活动' || g,
           DATE '2015-01-01' + (g * 11 %% 1090)::int, DATE '2015-01-01' + (g * 11 %% 1090)::int, '', NULL
    FROM generate_series(1, %(events)s) g
    """,
    """
    INSERT INTO services_attendance (event_id, member_id, registered_on, attended)
    SELECT ev.id, m.id, NULL, (m.id %% 10) <> 0
    FROM services_event ev
    JOIN members_member m ON (m.id * 13 + ev.id) %% %(attend_mod)s = 0
    """,
    """
    INSERT INTO services_serviceoffer (name, description, is_active)
    VALUES ('特需建家', '', true), ('午间共享圈', '', true), ('合作服务', '', true)
    """,
    """
    INSERT INTO services_servicerequest (offer_id, enterprise_id, community_id, requested_on,
        need, status, accepted_on, fulfilled_on, handled_by_id, rating, comment)
    SELECT (SELECT min(id) FROM services_serviceoffer) + g %% 3, e.id, e.community_id,
           DATE '2015-01-01' + (g * 7 %% 1080)::int, '', 'fulfilled',
           DATE '2015-01-01' + (g * 7 %% 1080)::int + 2, DATE '2015-01-01' + (g * 7 %% 1080)::int + 12,
           NULL, 1 + g %% 5, ''
    FROM generate_series(1, %(requests)s) g
    JOIN enterprises_enterprise e ON e.id = (SELECT min(id) FROM enterprises_enterprise)
                                          + (g * 11 %% %(enterprises)s)
    """,
    """
    INSERT INTO services_aidcase (member_id, community_id, status, applied_on, reason,
        amount_requested, amount_approved, submitted_by_id, submitted_at, reviewed_by_id,
        reviewed_at, review_note, decided_by_id, decided_at, decision_note, paid_by_id, paid_on)
    SELECT ms.member_id, e.community_id, 'paid', DATE '2015-01-01' + (ms.member_id %% 1080)::int,
           '', 2000, 1500, u1, now(), u2, now(), '', u3, now(), '', u4,
           DATE '2015-01-01' + (ms.member_id %% 1080)::int + 10
    FROM members_membership ms
    JOIN enterprises_enterprise e ON e.id = ms.enterprise_id
    CROSS JOIN (SELECT min(id) AS u1, min(id) + 1 AS u2, min(id) + 2 AS u3, min(id) + 3 AS u4
                FROM accounts_user) u
    WHERE ms.member_id %% %(aid_mod)s = 0
    """,
    """
    INSERT INTO enterprises_collectiveagreement (federation_id, scope, title, community_id,
        industry, signed_on, starts_on, ends_on, wage_rise_percent, covered_workers,
        is_demonstration)
    SELECT (SELECT id FROM enterprises_federation LIMIT 1), 'regional', '协议' || g, NULL, '',
           DATE '2015-01-01' + (g %% 900)::int, DATE '2015-01-01' + (g %% 900)::int,
           DATE '2015-01-01' + (g %% 900)::int + 1095, 6.0, 100, false
    FROM generate_series(1, %(agreements)s) g
    """,
    """
    INSERT INTO enterprises_collectiveagreement_enterprises (collectiveagreement_id, enterprise_id)
    SELECT a.id, e.id
    FROM enterprises_collectiveagreement a
    JOIN enterprises_enterprise e
      ON e.id %% %(agreements)s = a.id %% %(agreements)s AND e.id %% 10 < 6
    """,
]


def _generate(scale: float) -> dict:
    enterprises = int(20_000 * scale)
    params = {
        "cadres": max(7, int(210 * scale)),
        "enterprises": enterprises,
        "members": int(100_000 * scale),
        "events": max(10, int(600 * scale)),
        "attend_mod": 300,
        "requests": int(20_000 * scale),
        "aid_mod": 17,
        "agreements": max(10, int(2_000 * scale)),
    }
    started = time.perf_counter()
    for statement in GENERATE:
        run_sql(statement, params, double_percent=False)
    run_sql("ANALYZE", double_percent=False)
    from services.models import Attendance, Handout, Visit

    return {
        **params,
        "visits": Visit.objects.count(),
        "handouts": Handout.objects.count(),
        "attendances": Attendance.objects.count(),
        "generate_seconds": round(time.perf_counter() - started, 1),
    }


def _timed(label: str, fn, results: dict, base: float | None, *, repeat: int = 5):
    timings, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        timings.append(time.perf_counter() - started)
    seconds = statistics.median(timings)
    results[label] = {"seconds": round(seconds, 4)}
    if base:
        results[label]["ratio"] = round(seconds / base, 1)
    ratio = f"  × {results[label]['ratio']:>6}" if base else ""
    print(f"  {label:<36} {seconds:>8.4f} s{ratio}", flush=True)
    return value, seconds


def measure() -> dict:
    from chunshu_union.quarters import Quarter
    from enterprises.models import Community
    from services.models import Visit
    from services.selectors import (
        enterprises_not_visited_since,
        services_figures_for_quarter,
        two_twos,
        two_twos_behind,
    )

    quarter = Quarter(2017, 3)
    first, last = quarter.first_day, quarter.last_day
    today = datetime.date(2017, 12, 31)
    results: dict = {}
    _, base = _timed(
        "baseline: count visits of the quarter",
        lambda: Visit.objects.filter(visited_on__gte=first, visited_on__lte=last).count(),
        results,
        None,
    )
    rows, _s = _timed(
        "two_twos (quarter, every cadre)",
        lambda: two_twos(first, last, today=today),
        results,
        base,
    )
    _timed("two_twos_behind (one day)", lambda: two_twos_behind(day=today), results, base)
    _timed(
        "enterprises_not_visited_since",
        lambda: enterprises_not_visited_since(today - datetime.timedelta(days=365)).count(),
        results,
        base,
    )
    figures, _s = _timed(
        "services_figures_for_quarter (street)",
        lambda: services_figures_for_quarter(quarter),
        results,
        base,
    )
    community = Community.objects.order_by("position").first()
    _timed(
        "services_figures_for_quarter (one community)",
        lambda: services_figures_for_quarter(quarter, community_id=community.pk),
        results,
        base,
    )
    results["figures"] = {k: str(v) for k, v in figures.items()}
    results["cadres_measured"] = len(rows)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    pg_version = fresh_database(url)
    print(f"PostgreSQL {pg_version}; scale {args.scale} …", flush=True)
    data = _generate(args.scale)
    print(
        f"  {data['cadres']} cadres, {data['enterprises']:,} enterprises, {data['members']:,}"
        f" members, {data['visits']:,} visits, {data['handouts']:,} handouts,"
        f" {data['attendances']:,} attendances ({data['generate_seconds']} s)",
        flush=True,
    )
    results = measure()
    results["data"] = data
    finish(url, "services", results, keep=args.keep)


if __name__ == "__main__":
    main()

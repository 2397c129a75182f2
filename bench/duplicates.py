"""Benchmark: the near-duplicate report (members.duplicates.duplicate_groups)
with a million members, on PostgreSQL.

    .venv/bin/python bench/duplicates.py                    # 1,000,000 members
    .venv/bin/python bench/duplicates.py --members 100000   # a quick run
    .venv/bin/python bench/duplicates.py --keep             # keep the database afterwards
    .venv/bin/python bench/duplicates.py --reuse            # measure a kept database again

Builds the street of bench/scale.py (its generator, by COPY: 40,000
enterprises, N members with valid, encrypted and digested ID numbers, one
membership each) in its own database (`duplicates_bench` unless
BENCH_DATABASE_URL says otherwise; dropped and re-created), gives three
members in four a phone, and plants 2,000 near-duplicates: 1,000 records
with the name and birth date of a member and another valid number, 1,000
with the name and phone of one and another birth date, each with an ended
membership at the first one's enterprise. The generator's names (48
surnames, one or two given characters) also make same-name-same-birthday
pairs by chance, as a real city does. Then times the report as the street's
staff and as a superuser (median of --repeat runs, each the whole report:
the two GROUP BYs and the fetch of the groups' members) and EXPLAINs its
grouping queries. Results to bench/out/duplicates.json and the plans to
bench/out/duplicates-plans.txt.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench import scale  # noqa: E402
from bench._common import (  # noqa: E402
    database_exists,
    finish,
    recreate_database,
    run_sql,
    setup_django,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/duplicates_bench"
PLANTED = 2_000
#: The member columns bench/scale.py's COPY fills, in its order.
MEMBER_COLUMNS = [
    "id_encrypted",
    "id_digest",
    "id_masked",
    "name",
    "sex",
    "birth_date",
    "phone",
    "ethnicity",
    "education",
    "political_status",
    "is_migrant_worker",
    "is_model_worker",
    "is_in_hardship",
    "jingcard_status",
    "created_at",
    "updated_at",
]


def _phones() -> None:
    """Three members in four have a phone; distinct but for chance."""
    run_sql(
        "UPDATE members_member SET phone = '13' || lpad(((id::bigint * 7919) % 999999937)::text,"
        " 9, '0') WHERE id % 4 <> 0",
        double_percent=False,
    )


def _plant(rng: random.Random) -> int:
    """PLANTED records that are near-duplicates of existing members."""
    from chunshu_union import crypto
    from members.id_numbers import facts, make_id_number, mask
    from members.models import Member, Membership

    originals = list(
        Member.objects.exclude(phone="")
        .order_by("?")
        .values_list("pk", "name", "birth_date", "phone")[:PLANTED]
    )
    now = datetime.datetime.now(datetime.UTC)
    numbers, rows, seen = [], [], set()
    for i, (_pk, name, born, phone) in enumerate(originals):
        if i % 2:  # same name and phone, another birth date
            born = born + datetime.timedelta(days=1 + rng.randrange(3000))
        while True:
            # Another district's code (朝阳, 110105): never one of the generator's.
            first17 = f"110105{born:%Y%m%d}{rng.randrange(1000):03d}"
            if first17 not in seen:
                seen.add(first17)
                break
        number = make_id_number(first17)
        numbers.append(number)
        rows.append((name, born, phone if i % 2 else ""))
    digest = crypto.digester()
    sealed = list(crypto.encrypt_many(numbers))
    copied = [
        (
            sealed[i],
            digest(number),
            mask(number),
            name,
            facts(number).sex,
            born,
            phone,
            "",
            "",
            "",
            False,
            False,
            False,
            "not_applied",
            now,
            now,
        )
        for i, (number, (name, born, phone)) in enumerate(zip(numbers, rows, strict=True))
    ]
    scale._copy("members_member", MEMBER_COLUMNS, copied)
    new_ids = dict(
        Member.objects.filter(id_digest__in=[digest(n) for n in numbers]).values_list(
            "id_digest", "pk"
        )
    )
    where = dict(
        Membership.objects.filter(
            member__in=[pk for pk, *_ in originals], left_on__isnull=True
        ).values_list("member_id", "enterprise_id")
    )
    community = dict(
        Membership.objects.filter(enterprise__in=set(where.values())).values_list(
            "enterprise_id", "community_id"
        )
    )
    memberships = [
        (
            new_ids[digest(number)],
            where[pk],
            community[where[pk]],
            datetime.date(2012, 3, 1),
            datetime.date(2016, 6, 30),
            "other",
            now,
        )
        for number, (pk, *_rest) in zip(numbers, originals, strict=True)
        if pk in where
    ]
    columns = ["member_id", "enterprise_id", "community_id", "joined_on", "left_on"]
    scale._copy("members_membership", [*columns, "end_reason", "created_at"], memberships)
    return len(copied)


def _explain(sql: str, params) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def measure(repeat: int, plans: list[str]) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from members.duplicates import duplicate_groups

    people = scale._people()
    results = {}
    for who in ("staff", "admin"):
        user = people[who]
        times = []
        for _ in range(repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                groups = duplicate_groups(user=user)
                times.append((time.perf_counter() - started) * 1000)
        median = round(statistics.median(times), 1)
        results[who] = {
            "median_ms": median,
            "runs_ms": [round(t, 1) for t in times],
            "groups_shown": len(groups),
            "queries": len(queries),
        }
        print(f"duplicate report as {who:6} {median:8.1f} ms  ({len(groups)} groups shown)")
        for query in queries.captured_queries:
            if "GROUP BY" in query["sql"]:
                plans.append(f"### {who}\n{query['sql']}\n\n{_explain(query['sql'], None)}\n")
    # How many groups there are in all (the report shows the first 100 of each kind).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM (SELECT 1 FROM members_member GROUP BY name, birth_date"
            " HAVING count(*) > 1) a), (SELECT count(*) FROM (SELECT 1 FROM members_member"
            " WHERE phone <> '' GROUP BY name, phone HAVING count(*) > 1) b)"
        )
        by_birth, by_phone = cursor.fetchone()
    results["groups_in_all"] = {"name_and_birth_date": by_birth, "name_and_phone": by_phone}
    print(f"groups in all: {results['groups_in_all']}")
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--enterprises", type=int, default=40_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="measure a database kept by --keep (migrated first)"
    )
    args = parser.parse_args(argv)

    reuse = args.reuse and database_exists(args.url)
    if not reuse:
        recreate_database(args.url)
    setup_django(args.url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    report = {"members": args.members, "enterprises": args.enterprises, "reused": reuse}
    started = time.perf_counter()
    if not reuse:
        report["generate"] = scale.generate(args.members, args.enterprises)
        _phones()
        report["planted"] = _plant(random.Random(17))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    report["generate_s"] = round(time.perf_counter() - started, 1)
    print(f"ready in {report['generate_s']} s, planted {report.get('planted')}", flush=True)
    plans: list[str] = []
    report["results"] = measure(args.repeat, plans)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "duplicates-plans.txt").write_text("\n".join(plans), encoding="utf-8")
    finish(args.url, "duplicates", report, keep=args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: a city — 10,000,000 members and 1,000,000 enterprises in 300
streets — on PostgreSQL (issue 16, "Growing to a city").

    .venv/bin/python bench/city.py                         # 10M members, 1M enterprises, 300 streets
    .venv/bin/python bench/city.py --members 200000 --enterprises 20000 --streets 6   # a quick run
    .venv/bin/python bench/city.py --keep                  # keep the database (and reuse it next time)

A street is a `Federation` (the model's own word: "a district would hold
several"), each with 7 communities: 300 streets are 300 federations and
2,100 communities. The bench builds them in its own database (`city_bench`
unless BENCH_DATABASE_URL says otherwise; re-created unless --keep finds it,
dropped at the end unless --keep). The tables' secondary indexes, unique and
foreign-key constraints are dropped for the load and made again afterwards
(what a restore does); each step is timed:

- the enterprises by psycopg's COPY;
- the members server-side (INSERT … SELECT generate_series): names, sexes
  and birth dates, and a digest of the real one's shape (64 hex characters,
  unique). A Python COPY that encrypts every number as the app does ran at
  about 7.5 minutes per million on this shared machine (75 for the city), so
  only every 1,000th member (j = 0 or 1 mod 1,000: 20,000) gets a real, valid
  ID number, encrypted and digested by the app's own code (COPY into a
  temporary table, one UPDATE): those are the ones the bench searches for;
- one open membership per member, with its community (2% after an earlier,
  closed one), server-side;
- declarations for the last three complete quarters (about 80% of the
  enterprises each quarter, 2% never), server-side, so that the nightly
  chain has rates and zombies to compute.

One community (the first street's first) is large: 1% of the members
(100,000); the others hold about 4,700 each.

Then it times, in one process against the database (the dev settings,
DEBUG off):

- the nightly chain's first link (the rates of every street), then the first
  street's dashboard figures, so that its pages can be measured;
- the dashboard page and a community's page through the full middleware
  (Django's test client), signed in as the first street's leader (p95);
- the chair's member list (page 1 and a far page) and the chair's search by
  full ID number (the page it posts to), for an ordinary and the large
  community;
- the staff's admin member list, its name search and its "Find by ID
  number", for the first street's staff and a superuser (the whole city);
- then the rest of the chain as `dashboard.nightly` runs it (zombies, every
  street's figures), reported with the rates as the chain's total.

Every page is rendered (status 200 checked). Numbers go to standard output
and bench/out/city.json.

One file on purpose: a benchmark meant to be read top to bottom and run on
its own; the row mechanics (COPY, timing) come from bench/scale.py.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._common import database_exists, drop_database, recreate_database, setup_django  # noqa: E402
from bench.scale import GIVEN, SURNAMES, _copy, _raw  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/city_bench"
PER_STREET = 7
# The three complete quarters before the run (declarations, rates, zombies).
TABLES = ["enterprises_enterprise", "members_member", "members_membership", "dues_declaration"]


def _log(*args):
    print(f"[{time.strftime('%H:%M:%S')}]", *args, flush=True)


# --- Generating ------------------------------------------------------------------


def _sql(statement: str, params=None):
    with _raw().cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def _indexes_off(tables: list[str]) -> list[str]:
    """Drop the tables' secondary indexes, unique and foreign-key
    constraints; return the statements that make them again (indexes, then
    unique constraints, then foreign keys, which validate in one pass)."""
    constraints = _sql(
        """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype
        FROM pg_constraint
        WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f')
        ORDER BY contype DESC, conname
        """,
        [tables],
    )
    indexes = _sql(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid
                          AND c.contype IN ('p', 'u', 'x'))
        ORDER BY 1
        """,
        [tables],
    )
    restore = []
    for table, name, _definition, kind in constraints:
        if kind == "f":
            _sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, definition in indexes:
        _sql(f"DROP INDEX {name}")
        restore.append(definition)
    for table, name, definition, kind in constraints:
        if kind == "u":
            _sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for table, name, definition, kind in constraints:
        if kind == "f":
            restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    return restore


def _streets(streets: int):
    from enterprises.models import Community, Federation

    first = Federation.objects.order_by("pk").first()  # the migrations' street
    Federation.objects.bulk_create(
        Federation(name=f"城市基准街道{i:03d}") for i in range(1, streets)
    )
    federations = [first, *Federation.objects.exclude(pk=first.pk).order_by("pk")]
    Community.objects.bulk_create(
        Community(federation=f, name=f"城市社区{s:03d}-{c}", code=f"city{s}-{c}", position=100 + c)
        for s, f in enumerate(federations)
        for c in range(PER_STREET)
    )
    communities = list(
        Community.objects.filter(code__startswith="city").order_by("federation_id", "position")
    )
    return federations, [c.pk for c in communities]


def _enterprises(n: int, communities: list[int]) -> tuple[int, list[int]]:
    """Enterprise i is in community i mod C. Returns the first id and each
    enterprise's community (by position)."""
    now = datetime.datetime.now(datetime.UTC)
    count = len(communities)
    rows = (
        (
            f"城市企业{i:07d}",
            f"C{i:017d}",
            communities[i % count],
            25,
            "non_public",
            datetime.date(2010, 1, 1) + datetime.timedelta(days=i * 7919 % 2900),
            "",
            "",
            "active",
            now,
            now,
        )
        for i in range(n)
    )
    columns = "name credit_code community_id headcount ownership union_founded_on"
    columns += " union_chair union_chair_phone status created_at updated_at"
    _copy("enterprises_enterprise", columns.split(), rows)
    first, last = _sql("SELECT min(id), max(id) FROM enterprises_enterprise")[0]
    assert last - first + 1 == n, "the enterprises' ids are not contiguous"
    return first, [communities[i % count] for i in range(n)]


def _id_number(j: int) -> str:
    """The j-th member's ID number: a distinct (birth day, sequence) pair
    in one of 10 districts, so 10,000,000 numbers need no set to be unique."""
    from members.id_numbers import make_id_number

    area = 110101 + j % 10
    k = j // 10
    born = datetime.date(1960, 1, 1) + datetime.timedelta(days=k % 16000)
    return make_id_number(f"{area}{born:%Y%m%d}{k // 16000:03d}")


MEMBERS = """
    INSERT INTO members_member
        (id_encrypted, id_digest, id_masked, name, sex, birth_date, phone, ethnicity, education,
         political_status, is_migrant_worker, is_model_worker, is_in_hardship, jingcard_status,
         created_at, updated_at)
    SELECT 'bench', md5('m' || j) || md5('n' || j),
           '110101********' || lpad((j %% 10000)::text, 4, '0'),
           substr(%(surnames)s, 1 + (j * 7 %% %(s)s)::int, 1)
               || substr(%(given)s, 1 + (j * 13 %% %(g)s)::int, 1)
               || CASE WHEN j %% 3 <> 0 THEN substr(%(given)s, 1 + (j * 31 %% %(g)s)::int, 1)
                       ELSE '' END,
           CASE WHEN j %% 2 = 0 THEN 'F' ELSE 'M' END,
           DATE '1960-01-01' + (j / 10 %% 16000)::int, '', '', '', '', false, false, false,
           'not_applied', now(), now()
    FROM generate_series(0::bigint, %(last)s) AS j
"""


def _members(n: int) -> None:
    """Ten million members server-side (INSERT … SELECT generate_series): a
    Python COPY with real encryption ran at about 7.5 minutes a million on
    the shared, loaded machine (75 minutes for the city). Their digests
    have the real ones' shape (64 hex characters, unique); every 1,000th
    member then gets a real, valid ID number, encrypted and digested as
    the app does, which the bench searches for."""
    params = {"surnames": SURNAMES, "given": GIVEN, "s": len(SURNAMES), "g": len(GIVEN)}
    _sql(MEMBERS, {**params, "last": n - 1})


def _real_id_numbers(n: int, every: int = 1000) -> int:
    from chunshu_union import crypto
    from members.id_numbers import facts, mask

    first = _sql("SELECT min(id) FROM members_member")[0][0]
    # j = 0 (mod 1,000) are in the large community, j = 1 spread over the rest.
    picked = [j for j in range(n) if j % every in (0, 1)]
    numbers = [_id_number(j) for j in picked]
    digest = crypto.digester()
    _sql(
        "CREATE TEMP TABLE real_ids (id bigint, enc text, dig varchar(64), masked varchar(18),"
        " sex varchar(1), born date)"
    )
    rows = (
        (
            first + j,
            token,
            digest(number),
            mask(number),
            facts(number).sex,
            facts(number).birth_date,
        )
        for j, number, token in zip(picked, numbers, crypto.encrypt_many(numbers), strict=True)
    )
    _copy("real_ids", ["id", "enc", "dig", "masked", "sex", "born"], rows)
    _sql(
        """
        UPDATE members_member m SET id_encrypted = r.enc, id_digest = r.dig,
               id_masked = r.masked, sex = r.sex, birth_date = r.born
        FROM real_ids r WHERE m.id = r.id
        """
    )
    _sql("DROP TABLE real_ids")
    return len(picked)


MEMBERSHIPS = """
    INSERT INTO members_membership
        (member_id, enterprise_id, joined_on, left_on, created_at, community_id)
    SELECT %(m0)s + j, %(e0)s + x.e, DATE '2010-01-01' + (j %% 2700)::int, NULL, now(),
           (%(communities)s::bigint[])[1 + x.e %% %(c)s]
    FROM generate_series(0::bigint, %(last)s) AS j,
         LATERAL (SELECT CASE WHEN j %% 100 = 0 THEN (j / 100 %% %(in_large)s) * %(c)s
                              ELSE j * 7919 %% %(e)s END AS e) AS x
"""
EARLIER = """
    INSERT INTO members_membership
        (member_id, enterprise_id, joined_on, left_on, created_at, community_id)
    SELECT %(m0)s + j, %(e0)s + x.e, DATE '2012-03-01', DATE '2016-06-30', now(),
           (%(communities)s::bigint[])[1 + x.e %% %(c)s]
    FROM generate_series(1::bigint, %(last)s, 50) AS j,
         LATERAL (SELECT (j * 13 + 5) %% %(e)s AS e) AS x
"""


def _memberships(n: int, first_enterprise: int, enterprises: int, communities: list[int]):
    """Each member's open membership: every 100th in the large community
    (position 0, whose enterprises are the multiples of C), the others
    spread evenly over every enterprise; every 50th (from the second) left
    an earlier enterprise in 2016. Enterprise i is in community i mod C."""
    count = len(communities)
    params = {
        "m0": _sql("SELECT min(id) FROM members_member")[0][0],
        "e0": first_enterprise,
        "e": enterprises,
        "c": count,
        "in_large": (enterprises + count - 1) // count,
        "communities": communities,
        "last": n - 1,
    }
    _sql(MEMBERSHIPS, params)
    _sql(EARLIER, params)


def _quarters():
    from chunshu_union.quarters import Quarter

    last = Quarter.current().last_n(4)[:3]  # the three before the current one
    return last


DECLARATIONS = """
    INSERT INTO dues_declaration
        (enterprise_id, credit_code, taxpayer_name, item, period_start, period_end, base, rate,
         amount_due, amount_paid, declared_on, is_zero, created_at, updated_at)
    SELECT e.id, e.credit_code, e.name, '工会经费', %(first)s, %(last)s, 20000, 0.02, 400, 400,
           %(last)s::date + 15, e.id %% 17 = 0, now(), now()
    FROM enterprises_enterprise e
    WHERE e.id %% 50 <> 7 AND (e.id * 7 + %(n)s * 3) %% 10 < 8
"""


def generate(members: int, enterprises: int, streets: int) -> dict:
    timings = {}

    def timed(name, work, *args):
        started = time.perf_counter()
        result = work(*args)
        timings[name] = round(time.perf_counter() - started, 1)
        _log(f"{name}: {timings[name]} s")
        return result

    _sql("SET maintenance_work_mem = '1GB'")
    restore = timed("drop indexes", _indexes_off, TABLES)
    _federations, communities = timed("streets", _streets, streets)
    first_enterprise, _community_of = timed(
        "enterprises (COPY)", _enterprises, enterprises, communities
    )
    timed("members (INSERT … SELECT)", _members, members)
    timings["real ID numbers"] = timed("real ID numbers (COPY, UPDATE)", _real_id_numbers, members)
    timed(
        "memberships (INSERT … SELECT)",
        _memberships,
        members,
        first_enterprise,
        enterprises,
        communities,
    )

    def declare():
        for n, quarter in enumerate(_quarters(), 1):
            params = {"first": quarter.first_day, "last": quarter.last_day, "n": n}
            _sql(DECLARATIONS, params)

    timed("declarations (INSERT … SELECT)", declare)

    def rebuild():
        for statement in restore:
            _sql(statement)

    timed("indexes and constraints again", rebuild)
    timed("VACUUM ANALYZE", _sql, "VACUUM ANALYZE")
    size = _sql("SELECT pg_size_pretty(pg_database_size(current_database()))")[0][0]
    timings["database_size"] = size
    _log(f"database size {size}")
    return timings


# --- Measuring -------------------------------------------------------------------


def _people(federations_first):
    from accounts import roles
    from accounts.models import Role, User
    from enterprises.models import Community

    communities = list(
        Community.objects.filter(federation=federations_first, code__startswith="city").order_by(
            "position"
        )
    )

    def user(username, **fields):
        found, _created = User.objects.get_or_create(username=username, defaults=fields)
        return found

    street = federations_first
    staff = user("city-staff", role=Role.STAFF, federation=street, is_staff=True)
    staff.groups.add(roles.group(roles.STAFF_GROUP))  # the admin's permissions
    # An ordinary community: the second member's (who has a real ID number).
    from members.models import Membership

    first = Membership.objects.order_by("member_id").values_list("member_id", flat=True)[0]
    ordinary = Membership.objects.get(member_id=first + 1, left_on__isnull=True).community
    return {
        "leader": user("city-leader", role=Role.LEADER, federation=street),
        "chair": user("city-chair", role=Role.CHAIR, community=ordinary),
        "large chair": user("city-chair-large", role=Role.CHAIR, community=communities[0]),
        "staff": staff,
        "admin": user("city-admin", is_superuser=True, is_staff=True),
    }, communities


def _client(user):
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def _time(work, n: int) -> dict:
    """Wall time per request (median, p95), and what it is made of: this
    process's CPU (Python: Django, templates, the ORM; inflated when the
    machine's cores are all busy) and the time spent waiting on queries
    (the database's share, with the network round trips)."""
    from django.db import connection

    work()  # warm-up: templates, connections, caches
    waits: list[float] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            waits.append(time.perf_counter() - started)

    samples, cpus = [], []
    with connection.execute_wrapper(timed):
        for _ in range(n):
            cpu, started = time.process_time(), time.perf_counter()
            work()
            samples.append((time.perf_counter() - started) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 1),
        "max_ms": round(samples[-1], 1),
        "cpu_ms": round(statistics.median(cpus), 1),
        "db_ms": round(1000 * sum(waits) / n, 1),
        "queries": round(len(waits) / n, 1),
        "n": n,
    }


def _get(client, url, expect="", status=200):
    def work():
        response = client.get(url)
        assert response.status_code == status, (url, response.status_code)
        if expect:
            assert expect in response.content.decode(), (url, expect)

    return work


def _post(client, url, data, status=200, expect=""):
    from django.core.cache import cache

    def work():
        cache.clear()  # the hourly limit on ID look-ups
        response = client.post(url, data)
        assert response.status_code == status, (url, response.status_code)
        if expect:
            assert expect in response.content.decode(), (url, expect)

    return work


def _estimated(work, model):
    """`work` with the model's admin paginating by estimate (as proposed for
    members/admin.py: EstimatedCountPaginator, show_full_result_count off)."""
    from django.contrib import admin

    from chunshu_union.paginator import EstimatedCountPaginator

    model_admin = admin.site._registry[model]

    def patched():
        before = model_admin.paginator, model_admin.show_full_result_count
        model_admin.paginator, model_admin.show_full_result_count = EstimatedCountPaginator, False
        try:
            work()
        finally:
            model_admin.paginator, model_admin.show_full_result_count = before

    return patched


def rates() -> dict:
    """The chain's first link: the union funds' rate snapshots of every
    quarter with declarations, for every street."""
    from dues.services import snapshots_recompute_all

    started = time.perf_counter()
    outcome = snapshots_recompute_all()
    took = round(time.perf_counter() - started, 1)
    _log(f"rates: {took} s ({len(outcome.created)} snapshots)")
    return {"rates_s": took, "rate_snapshots": len(outcome.created)}


def first_street_figures() -> float:
    """The first street's dashboard figures, so that its pages can be
    measured before the whole chain has run."""
    from dashboard.services import dashboard_refresh
    from enterprises.models import Federation

    started = time.perf_counter()
    dashboard_refresh(federation=Federation.objects.order_by("pk").first())
    took = round(time.perf_counter() - started, 1)
    _log(f"first street's figures: {took} s")
    return took


def rest_of_the_chain(timings: dict, sample: int = 0) -> dict:
    """Zombies, then every street's figures, as dashboard.nightly runs them
    after the rates (dashboard.services.nightly_refresh)."""
    from django.core.exceptions import ValidationError

    from dashboard.services import dashboard_refresh
    from dues.services import zombies_flag
    from enterprises.models import Federation

    started = time.perf_counter()
    try:
        timings["open_flags"] = len(zombies_flag())
    except ValidationError as refused:
        timings["open_flags"] = f"refused: {refused.messages}"
    timings["zombies_s"] = round(time.perf_counter() - started, 1)
    _log(f"zombies: {timings['zombies_s']} s ({timings['open_flags']} open flags)")
    started = time.perf_counter()
    federations = list(Federation.objects.order_by("pk"))
    done = federations[:sample] if sample else federations
    for streets, federation in enumerate(done, 1):
        dashboard_refresh(federation=federation)
        if streets % 10 == 0:
            _log(f"  figures: {streets} streets, {time.perf_counter() - started:.0f} s")
    took = time.perf_counter() - started
    timings["figures_streets_timed"] = len(done)
    # Each street's figures are computed on their own and the streets are
    # alike: a sample's time scales to the city's.
    timings["figures_s"] = round(took * len(federations) / len(done), 1)
    _log(f"figures: {took:.1f} s for {len(done)} streets → {timings['figures_s']} s for all")
    timings["total_s"] = round(
        (timings["rates_s"] or 0) + timings["zombies_s"] + timings["figures_s"], 1
    )
    _log(f"nightly chain: {timings['total_s']} s")
    return timings


def measure(n: int, skip: tuple[str, ...] = ()) -> dict:
    from django.urls import reverse

    from enterprises.models import Federation
    from members.models import Member, Membership

    people, communities = _people(Federation.objects.order_by("pk").first())
    leader, chair, large = _client(people["leader"]), None, None
    chair, large = _client(people["chair"]), _client(people["large chair"])
    staff, admin = _client(people["staff"]), _client(people["admin"])
    quarter = str(_quarters()[-1])

    def number_in(community):
        membership = (
            Membership.objects.filter(community=community, left_on__isnull=True)
            .exclude(member__id_encrypted="bench")  # one in 1,000 has a real number
            .select_related("member")
            .order_by("-member_id")
            .first()
        )
        return membership.member.id_number, membership.member.name

    number, name = number_in(people["chair"].community)
    large_number, _large_name = number_in(communities[0])
    portal = reverse("portal:member_list")
    changelist = reverse("admin:members_member_changelist")
    find = reverse("admin:members_member_find")
    enterprises = reverse("admin:enterprises_enterprise_changelist")
    surname = name[0] + name[1]  # two characters: no trigram
    full = (  # three: what the trigram index serves
        Membership.objects.filter(community=people["chair"].community, member__name__regex=r"^...$")
        .values_list("member__name", flat=True)
        .first()
    )
    cases = {
        "dashboard (street)": _get(leader, f"/dashboard/?quarter={quarter}"),
        "dashboard (community)": _get(
            leader, f"/dashboard/community/{communities[0].pk}/?quarter={quarter}"
        ),
        "chair list, page 1": _get(chair, portal),
        "chair list, page 40": _get(chair, f"{portal}?page=40"),
        "chair ID search (POST)": _post(chair, portal, {"q": number}, expect=number[-4:]),
        "large chair list, page 1": _get(large, portal),
        "large chair list, page 1000": _get(large, f"{portal}?page=1000"),
        "large chair ID search (POST)": _post(
            large, portal, {"q": large_number}, expect=large_number[-4:]
        ),
        "staff admin list": _get(staff, changelist),
        "staff admin list, page 100": _get(staff, f"{changelist}?p=100"),
        "staff admin name search (2 characters)": _get(staff, f"{changelist}?q={surname}"),
        "staff admin name search (full name)": _get(staff, f"{changelist}?q={full}"),
        "staff admin find by ID (POST)": _post(
            staff, find, {"id_number": large_number}, status=302
        ),
        "superuser admin list (city)": _get(admin, changelist),
        "staff admin enterprise list": _get(staff, enterprises),
        "superuser admin enterprise list (city)": _get(admin, enterprises),
        "superuser admin name search (city, 2 characters)": _get(
            admin, f"{changelist}?q={surname}"
        ),
        "superuser admin name search (city, full name)": _get(admin, f"{changelist}?q={full}"),
        "superuser admin list (city), estimated count": _estimated(_get(admin, changelist), Member),
        "superuser admin find by ID (POST)": _post(admin, find, {"id_number": number}, status=302),
    }
    results = {"load average at start": os.getloadavg()[0]}
    for label, work in cases.items():
        if any(part and part in label for part in skip):
            continue
        repeat = n if label.startswith("dashboard") else max(5, n // 10)
        try:
            results[label] = _time(work, repeat)
        except Exception as error:
            results[label] = {"error": repr(error)[:300]}
        _log(f"{label:42} {results[label]}")
    results["load average at end"] = os.getloadavg()[0]
    return results


def _save(out: Path, report: dict) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000_000)
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--streets", type=int, default=300)
    parser.add_argument("--requests", type=int, default=100, help="per dashboard page")
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--keep", action="store_true", help="reuse and keep the database")
    parser.add_argument("--skip-nightly", action="store_true", help="reuse the snapshots")
    parser.add_argument("--skip", default="", help="leave out pages whose label has these words")
    parser.add_argument(
        "--skip-rates", action="store_true", help="leave the rates out of the chain"
    )
    parser.add_argument(
        "--chain-streets",
        type=int,
        default=0,
        help="time the figures of the first N streets and scale to all (default: all)",
    )
    parser.add_argument(
        "--generate-only", action="store_true", help="build the city and stop (implies --keep)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "city.json")
    args = parser.parse_args(argv)
    args.keep = args.keep or args.generate_only

    reuse = args.keep and database_exists(args.url)
    if not reuse:
        recreate_database(args.url)
    # The dev settings without DEBUG: no query log, as in production.
    setup_django(args.url, settings="chunshu_union.settings.dev", DEBUG="False")
    from django.core.management import call_command
    from django.db import connections

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = round(time.perf_counter() - started, 1)
    _log(f"migrate: {migrate_s} s")
    from members.models import Member

    report = {"members": args.members, "enterprises": args.enterprises, "streets": args.streets}
    report["migrate_s"] = migrate_s
    try:
        if not Member.objects.exists():
            report["generate"] = generate(args.members, args.enterprises, args.streets)
        if args.generate_only:
            return 0
        if not args.skip_nightly:
            report["nightly"] = {"rates_s": None} if args.skip_rates else rates()
            report["first_street_figures_s"] = first_street_figures()
        report["pages"] = measure(args.requests, tuple(args.skip.split(",")))
        _save(args.out, report)
        if not args.skip_nightly:
            report["nightly"] = rest_of_the_chain(report["nightly"], args.chain_streets)
    finally:
        _save(args.out, report)
        connections.close_all()
        if not args.keep:
            drop_database(args.url)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the chair's and staff's member lists, the ID search and the
admin's enterprise list with a million members, on PostgreSQL.

    .venv/bin/python bench/scale.py                       # 1,000,000 members
    .venv/bin/python bench/scale.py --members 100000      # a quick run
    .venv/bin/python bench/scale.py --keep                # reuse the database if it is there

It builds a street in its own database (`scale_bench` unless
BENCH_DATABASE_URL says otherwise; dropped and re-created unless --keep)
with psycopg's COPY, not the ORM: 8 communities, one of them large (1% of
the enterprises, 70% of the members) and one small (5% of the enterprises,
about 400 members): the two cases the fault review met, where counting a
community's enterprises misjudges its members; 40,000 enterprises, N
members with valid ID numbers (encrypted and digested as the app does),
each with one membership, 2% of them closed and followed by an open one
elsewhere. Then it times and EXPLAINs (ANALYZE,
BUFFERS) the querysets the pages run: the portal's member list for the
small community's chair, the large one's and the street's staff (the page's
count and its first and a far page), the chair's and staff's search by
full ID number (members.id_lookup, and the whole page the chair posts it
to), and the admin's enterprise and member
changelists (the changelist's own count and page queries). Numbers go to
standard output and bench/out/scale.json; the plans to bench/out/scale-plans.txt.

One file of ~530 lines on purpose: a benchmark script meant to be read top
to bottom and run on its own (generation, measurement and report in order).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._common import database_exists, recreate_database, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/scale_bench"
COMMUNITIES = 8
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏建华飞丹玲波宁浩宇晨欣怡子涵"
)


def _raw():
    """psycopg 3's own connection under Django's."""
    from django.db import connection

    connection.ensure_connection()
    return connection.connection


def _copy(table: str, columns: list[str], rows) -> int:
    n = 0
    with _raw().cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
    return n


def _street():
    from enterprises.models import Community, Federation

    # The migrations make the street; the bench's communities join it.
    federation = Federation.objects.order_by("pk").first()
    return [
        Community.objects.create(
            federation=federation, name=f"基准社区{i}", code=f"bench{i}", position=100 + i
        )
        for i in range(COMMUNITIES)
    ]


def _enterprise_community(i: int, communities) -> int:
    """The small community (last) has 5% of the enterprises, the large one
    (first) 1%, the others the rest."""
    if i % 20 == 0:
        return communities[-1].pk
    if i % 100 == 1:
        return communities[0].pk
    return communities[1 + i % (COMMUNITIES - 2)].pk


def _enterprises(n: int, communities) -> list[tuple[int, int]]:
    now = datetime.datetime.now(datetime.UTC)
    rows = (
        (
            f"基准企业{i:06d}",
            f"S{i:017d}",
            _enterprise_community(i, communities),
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
    columns = [
        "name",
        "credit_code",
        "community_id",
        "headcount",
        "ownership",
        "union_founded_on",
        "union_chair",
        "union_chair_phone",
        "status",
        "created_at",
        "updated_at",
    ]
    _copy("enterprises_enterprise", columns, rows)
    from enterprises.models import Enterprise

    return list(Enterprise.objects.order_by("pk").values_list("pk", "community_id"))


def _id_numbers(n: int, rng: random.Random) -> list[str]:
    from members.id_numbers import make_id_number

    numbers, seen = [], set()
    first = datetime.date(1960, 1, 1)
    while len(numbers) < n:
        born = first + datetime.timedelta(days=rng.randrange(16000))
        first17 = f"110102{born:%Y%m%d}{rng.randrange(1000):03d}"
        if first17 not in seen:
            seen.add(first17)
            numbers.append(make_id_number(first17))
    return numbers


def _members(n: int, rng: random.Random) -> list[str]:
    from chunshu_union import crypto
    from members.id_numbers import facts, mask

    numbers = _id_numbers(n, rng)
    digest = crypto.digester()
    now = datetime.datetime.now(datetime.UTC)
    names = [
        rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        for _ in range(n)
    ]

    def rows():
        for number, sealed, name in zip(numbers, crypto.encrypt_many(numbers), names, strict=True):
            born = facts(number)
            yield (
                sealed,
                digest(number),
                mask(number),
                name,
                born.sex,
                born.birth_date,
                "",
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

    columns = [
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
    _copy("members_member", columns, rows())
    return numbers


def _employers(enterprises: list[tuple[int, int]], n: int) -> list[int]:
    """The enterprise of each of `n` members, as rosters leave them: the
    small community's members (400) in 16 of its enterprises, the others
    registered with no member imported yet; 70% of the rest in the large
    community's few large employers, and the rest over every other
    enterprise. An estimate by enterprises is then 100 times the small
    community's members and a 70th of the large one's: the two cases the
    fault review met (a chair's list walking the name index, a chair's ID
    search hashing the whole community)."""
    small, large = enterprises[0][1], enterprises[1][1]  # see _enterprise_community
    small_ones = [pk for pk, c in enterprises if c == small][:16]
    big = [pk for pk, c in enterprises if c == large]
    others = [pk for pk, c in enterprises if c != small]
    rest = n - 400
    employers = [small_ones[i % 16] for i in range(400)]
    employers += [big[i % len(big)] for i in range(rest * 7 // 10)]
    employers += [others[i % len(others)] for i in range(rest - rest * 7 // 10)]
    return employers


def _memberships(enterprises: list[tuple[int, int]], rng: random.Random) -> None:
    """Each member at one enterprise; 2% left an earlier one first. Members
    are given their enterprises in a random order, so a community's
    members are all over the name index."""
    from members.models import Member, Membership

    now = datetime.datetime.now(datetime.UTC)
    member_ids = list(Member.objects.order_by("pk").values_list("pk", flat=True))
    rng.shuffle(member_ids)
    keeps_community = any(f.name == "community" for f in Membership._meta.fields)
    community_of = dict(enterprises)
    ids = [pk for pk, _c in enterprises]
    employers = _employers(enterprises, len(member_ids))

    def rows():
        for i, (member_id, enterprise) in enumerate(zip(member_ids, employers, strict=True)):
            if i % 50 == 1:
                before = ids[(i * 7 + 3) % len(ids)]
                yield (
                    member_id,
                    before,
                    datetime.date(2012, 3, 1),
                    datetime.date(2016, 6, 30),
                    now,
                    *((community_of[before],) if keeps_community else ()),
                )
            yield (
                member_id,
                enterprise,
                datetime.date(2010, 1, 1) + datetime.timedelta(days=i % 2700),
                None,
                now,
                *((community_of[enterprise],) if keeps_community else ()),
            )

    columns = ["member_id", "enterprise_id", "joined_on", "left_on", "created_at"]
    _copy("members_membership", columns + (["community_id"] if keeps_community else []), rows())


def generate(members: int, enterprises: int) -> dict:
    from django.db import connection, transaction

    rng = random.Random(16)
    timings = {}
    with transaction.atomic():
        communities = _street()
        started = time.perf_counter()
        found = _enterprises(enterprises, communities)
        timings["enterprises_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        _members(members, rng)
        timings["members_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        _memberships(found, rng)
        timings["memberships_s"] = round(time.perf_counter() - started, 1)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return timings


# --- Measuring -----------------------------------------------------------------


def _people():
    from accounts.models import Role, User
    from enterprises.models import Community, Federation

    communities = list(Community.objects.filter(name__startswith="基准社区").order_by("position"))
    street = Federation.objects.order_by("pk").first()

    def user(username, **fields):
        found, _created = User.objects.get_or_create(username=username, defaults=fields)
        return found

    return {
        "small chair": user("bench-chair-small", role=Role.CHAIR, community=communities[-1]),
        "large chair": user("bench-chair-large", role=Role.CHAIR, community=communities[0]),
        "staff": user("bench-staff", role=Role.STAFF, federation=street, is_staff=True),
        "admin": user("bench-admin", is_superuser=True, is_staff=True),
    }


def _request(user, path="/", params=None):
    from django.test import RequestFactory

    request = RequestFactory().get(path, params or {})
    request.user = user
    request.session = {}
    request._messages = _NoMessages()
    return request


class _NoMessages:
    def add(self, *args, **kwargs):
        pass

    def __iter__(self):
        return iter(())


def _run(work, repeat: int):
    """Time `work` (median of `repeat` runs after one warm-up) and capture
    the SQL of one run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        work()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 1), [q["sql"] for q in captured.captured_queries]


def _explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql.replace("%", "%%"))
        return "\n".join(row[0] for row in cursor.fetchall())


def _portal_list(user, page: int):
    from django.core.paginator import Paginator

    from members.models import Member

    def work():
        members = Member.objects.for_user(user).order_by("name", "pk")  # members/views.py
        current = Paginator(members, 50).get_page(page)
        return list(current.object_list)

    return work


def _id_search(user, number: str):
    from django.core.cache import cache

    from members.id_lookup import member_find_by_id_number
    from members.models import Member

    def work():
        cache.clear()  # the hourly limit
        members = Member.objects.for_user(user).order_by("name", "pk")  # members/views.py
        found = member_find_by_id_number(user=user, members=members, number=number)
        assert found is not None
        return found

    return work


def _portal_search_page(user, number: str):
    """The whole page: the chair posts the number to the member list."""
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    url = reverse("portal:member_list")

    def work():
        cache.clear()  # the hourly limit
        response = client.post(url, {"q": number})
        assert response.status_code == 200 and number[-4:] in response.content.decode()

    return work


def _changelist(model, user, params=None):
    from django.contrib import admin

    model_admin = admin.site._registry[model]

    def work():
        changelist = model_admin.get_changelist_instance(_request(user, "/admin/", params))
        return list(changelist.result_list)

    return work


def measure(repeat: int, plans: list[str]) -> dict:
    from django.db.models import Q

    from enterprises.models import Enterprise
    from members.models import Member, Membership

    people = _people()
    small, large = people["small chair"], people["large chair"]
    in_small = Membership.objects.filter(
        left_on__isnull=True, enterprise__community=small.community
    ).count()
    pages = (in_small + 49) // 50

    def number_in(user):
        member = (
            Member.objects.filter(
                Q(memberships__left_on__isnull=True),
                memberships__enterprise__community=user.community,
            )
            .order_by("pk")
            .first()
        )
        return member.id_number

    cases = {
        "portal list, small chair, page 1": _portal_list(small, 1),
        f"portal list, small chair, last page ({pages})": _portal_list(small, pages),
        "portal list, large chair, page 1": _portal_list(large, 1),
        "portal list, large chair, page 2000": _portal_list(large, 2000),
        "portal list, staff, page 1": _portal_list(people["staff"], 1),
        "ID search, small chair": _id_search(small, number_in(small)),
        "ID search, large chair": _id_search(large, number_in(large)),
        "ID search, staff": _id_search(people["staff"], number_in(large)),
        "ID search, admin (superuser)": _id_search(people["admin"], number_in(large)),
        "ID search page (POST), small chair": _portal_search_page(small, number_in(small)),
        "ID search page (POST), large chair": _portal_search_page(large, number_in(large)),
        "admin enterprise list, staff": _changelist(Enterprise, people["staff"]),
        "admin enterprise list, superuser": _changelist(Enterprise, people["admin"]),
        "admin member list, staff": _changelist(Member, people["staff"]),
        "admin member list, staff, small community": _changelist(
            Member, people["staff"], {"community": str(small.community_id)}
        ),
    }
    results = {"open members in the small community": in_small}
    for name, work in cases.items():
        median, queries = _run(work, repeat)
        slowest = []
        for sql in queries:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            plan = _explain(sql)
            took = float(plan.rsplit("Execution Time: ", 1)[1].split()[0])
            slowest.append((took, sql, plan))
            plans.append(f"### {name}\n{sql}\n\n{plan}\n")
        slowest.sort(reverse=True)
        results[name] = {
            "median_ms": median,
            "queries": len(queries),
            "slowest_query_ms": slowest[0][0] if slowest else None,
            "slowest_plan_top": slowest[0][2].splitlines()[:3] if slowest else [],
        }
        print(f"{name:48} {median:8.1f} ms  (slowest query {results[name]['slowest_query_ms']} ms)")
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--enterprises", type=int, default=40_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--keep", action="store_true", help="reuse the database if it exists")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "scale.json")
    args = parser.parse_args(argv)

    if not (args.keep and database_exists(args.url)):
        recreate_database(args.url)
    setup_django(args.url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from members.models import Member

    report = {"members": args.members, "enterprises": args.enterprises}
    if not Member.objects.exists():
        report["generate"] = generate(args.members, args.enterprises)
        print(f"generated {report['generate']}", flush=True)
    else:
        from django.db import connection

        # A migration may have rewritten every membership (0013 filled the
        # community): VACUUM sets the visibility map again, as autovacuum
        # would, so that index-only scans stay index-only.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    plans: list[str] = []
    report["results"] = measure(args.repeat, plans)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    args.out.with_name("scale-plans.txt").write_text("\n".join(plans), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

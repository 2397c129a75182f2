"""The roster's bulk write on PostgreSQL (issue 16, item 7): the loser of two
imports of the same people gets the documented message, and a large import
leaves the planner's statistics fresh. SQLite has neither COPY nor
pg_stat_user_tables, so these run in CI's PostgreSQL run (or with
DATABASE_URL=postgres://…) and skip here."""

import pytest
from django.db import IntegrityError, connection, transaction

from chunshu_union.imports.engine import job_run
from members.models import ImportBatch, Member
from members.roster import write
from members.roster.bulk import fast_insert
from members.roster.services import roster_check, roster_import
from tests import samples
from tests.racing import at_once

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY and pg_stat_user_tables (PostgreSQL)"
)

ACME = "北京椿树一号科技有限公司"


def _loser_message():
    return "同一时刻另有对这些会员的修改被保存，本次没有写入任何数据。请重新上传文件。"


@pytest.mark.django_db
def test_a_duplicate_in_copy_is_djangos_integrity_error(acme, community1):
    roster_import(source=samples.xlsx(samples.people(3, [ACME])), community=community1)
    taken = Member.objects.first()
    row = {
        "id_encrypted": "v1:x",
        "id_digest": taken.id_digest,
        "id_masked": taken.id_masked,
        "name": "重复",
        "sex": taken.sex,
        "birth_date": taken.birth_date,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        fast_insert(Member, [row], 1)


@pytest.mark.django_db
def test_the_later_of_two_imports_of_the_same_new_people_is_told_why(acme, community1):
    """Both were checked before either wrote: the second finds the people it
    would create already there."""
    data = samples.xlsx(samples.people(5, [ACME]))
    first = roster_check(source=data, filename="a.xlsx", community=community1)
    second = roster_check(source=data, filename="b.xlsx", community=community1)
    batches = [
        ImportBatch.objects.create(community=community1, state=ImportBatch.State.VALIDATING)
        for _ in range(2)
    ]
    assert job_run(job=batches[0], checked=first).written
    result = job_run(job=batches[1], checked=second)
    batches[1].refresh_from_db()
    assert not result.written
    assert batches[1].state == ImportBatch.State.FAILED
    assert batches[1].message == _loser_message()
    assert Member.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_people_at_once_one_wins_one_is_told(acme, community1):
    data = samples.xlsx(samples.people(200, [ACME]))
    checks = [
        roster_check(source=data, filename=f"{i}.xlsx", community=community1) for i in range(2)
    ]
    batches = [
        ImportBatch.objects.create(community=community1, state=ImportBatch.State.VALIDATING)
        for _ in range(2)
    ]
    outcomes = [
        # An exception is the defect: psycopg's own error escaped.
        repr(outcome) if isinstance(outcome, Exception) else outcome
        for outcome in at_once(2, lambda i: job_run(job=batches[i], checked=checks[i]).written)
    ]
    assert sorted(outcomes, key=str) == [False, True]
    loser = ImportBatch.objects.get(pk__in=[b.pk for b in batches], state="failed")
    assert loser.message == _loser_message()
    assert Member.objects.count() == 200


def _last_analyze(table: str):
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = %s", [table])
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_large_import_analyzes_the_members_and_memberships(acme, community1, monkeypatch):
    monkeypatch.setattr(write, "ANALYZE_AFTER_ROWS", 30)
    before = {t: _last_analyze(t) for t in ("members_member", "members_membership")}
    roster_import(source=samples.xlsx(samples.people(40, [ACME])), community=community1)
    for table, then in before.items():
        now = _last_analyze(table)
        assert now is not None and (then is None or now > then), table


@pytest.mark.django_db(transaction=True)
def test_a_small_import_leaves_analyze_to_autovacuum(acme, community1, monkeypatch):
    monkeypatch.setattr(write, "ANALYZE_AFTER_ROWS", 30)
    before = _last_analyze("members_member")
    roster_import(source=samples.xlsx(samples.people(20, [ACME])), community=community1)
    assert _last_analyze("members_member") == before

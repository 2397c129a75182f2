"""The read replica's router (chunshu_union.db_router, docs/SCALING.md): the
dashboard's, the exports' and the API's reads go to `replica` when one is
configured; sign-in data, forms, imports and every write stay on the
primary. The test settings hold a `replica` alias that mirrors the primary
(a second connection to the same database), with the reads off until a test
turns them on."""

from __future__ import annotations

import datetime

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chunshu_union.db_router import ReplicaRouter, replica_reads
from chunshu_union.quarters import Quarter
from dashboard.tasks import compute_quarter_figures
from dues.services import snapshots_recompute
from enterprises.models import Community
from members.models import Member
from tests.dues.helpers import declare
from tests.factories import EnterpriseFactory, street

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replica_on(settings):
    settings.DATABASE_REPLICA_READS = True


def _queries(alias, work):
    with CaptureQueriesContext(connections[alias]) as captured:
        result = work()
    return result, [q["sql"] for q in captured.captured_queries]


@pytest.fixture
def figures(community1):
    """One quarter's snapshots, as the nightly chain leaves them."""
    declare(EnterpriseFactory(community=community1), "2017Q2")
    snapshots_recompute(quarter=Quarter(2017, 2), today=datetime.date(2017, 12, 1))
    compute_quarter_figures.delay(street().pk, "2017Q2")


def test_the_dashboard_reads_from_the_replica_and_signs_in_on_the_primary(
    client, lee, figures, replica_on
):
    client.force_login(lee)
    with CaptureQueriesContext(connections["default"]) as primary:
        response, on_replica = _queries("replica", lambda: client.get("/dashboard/?quarter=2017Q2"))
    assert response.status_code == 200 and "走访企业次数" in response.content.decode()
    assert on_replica, "the dashboard read nothing from the replica"
    assert not any("django_session" in sql or "accounts_user" in sql for sql in on_replica)
    assert any("django_session" in q["sql"] for q in primary.captured_queries)


def test_the_api_reads_from_the_replica(client, sam, community1, replica_on):
    client.force_login(sam)
    response, on_replica = _queries("replica", lambda: client.get("/api/v1/communities/"))
    assert response.status_code == 200
    assert community1.name in response.content.decode()
    assert any("enterprises_community" in sql for sql in on_replica)


def test_forms_and_the_portal_stay_on_the_primary(client, alice, alices_member, replica_on):
    client.force_login(alice)
    response, on_replica = _queries("replica", lambda: client.get(reverse("portal:member_list")))
    assert response.status_code == 200 and "张三" in response.content.decode()
    assert on_replica == []


def test_without_a_replica_everything_reads_from_the_primary(client, lee, figures):
    client.force_login(lee)
    response, on_replica = _queries("replica", lambda: client.get("/dashboard/?quarter=2017Q2"))
    assert response.status_code == 200 and "走访企业次数" in response.content.decode()
    assert on_replica == []


def test_a_read_inside_a_transaction_sees_the_transactions_writes(community1, replica_on):
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(Community) == "replica"
        assert router.db_for_read(Member) == "replica"
        with transaction.atomic():
            assert router.db_for_read(Community) == "default"
    assert router.db_for_read(Community) is None  # not marked: Django's default


def test_writes_and_migrations_go_to_the_primary(replica_on):
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_write(Member) == "default"
    assert router.allow_migrate("default", "members") is True
    assert router.allow_migrate("replica", "members") is False


def test_what_the_replica_serves_is_the_primarys_data(community1, replica_on):
    """The mirror is the same database: a replica read finds the row."""
    with replica_reads():
        found = Community.objects.get(pk=community1.pk)
    assert found._state.db == "replica" and found.name == community1.name

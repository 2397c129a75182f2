"""The admin's huge lists are not counted row by row (chunshu_union.paginator,
docs/SCALING.md): past a threshold the planner's estimate stands in for
COUNT(*) on PostgreSQL; below it, and on SQLite, the count is exact."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chunshu_union import paginator as paginators
from chunshu_union.paginator import EstimatedCountPaginator
from enterprises.models import Enterprise
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enterprises(community1):
    return [EnterpriseFactory(community=community1) for _ in range(12)]


def _counts(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].upper().startswith("SELECT COUNT(")]


def test_a_small_list_is_counted_exactly(enterprises):
    paginator = EstimatedCountPaginator(Enterprise.objects.order_by("pk"), 5)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == 12
    assert paginator.num_pages == 3 and not paginator.estimated
    assert len(_counts(queries)) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate")
def test_a_huge_list_takes_the_planners_estimate(enterprises):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE enterprises_enterprise")
    paginators._TABLE_ROWS.clear()  # the table's size, kept a minute

    class Paginator(EstimatedCountPaginator):
        estimate_above = 5  # stands in for 100,000

    paginator = Paginator(Enterprise.objects.order_by("pk"), 5)
    with CaptureQueriesContext(connection) as queries:
        count = paginator.count
    assert paginator.estimated and _counts(queries) == []
    assert 6 <= count <= 30  # the statistics' 12, scaled to the table's pages
    assert len(paginator.page(1).object_list) == 5


def test_the_enterprise_admin_pages_without_a_second_count(client, sam, enterprises):
    client.force_login(sam)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/enterprises/enterprise/")
    assert response.status_code == 200
    assert enterprises[0].name in response.content.decode()
    assert len(_counts([q for q in queries if "enterprises_enterprise" in q["sql"]])) <= 1

"""The admin's enterprise list at scale (issue 16, item 5): each row's open
members are counted for the page's rows only, and the list's count does not
group every membership."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.services import membership_leave
from tests.factories import EnterpriseFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_the_list_counts_each_enterprises_open_members(client, sam, community1):
    busy = EnterpriseFactory(name="甲公司", community=community1)
    empty = EnterpriseFactory(name="乙公司", community=community1)
    memberships = [MembershipFactory(enterprise=busy) for _ in range(3)]
    membership_leave(member=memberships[0].member, on=datetime.date(2017, 1, 1))
    client.force_login(sam)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/enterprises/enterprise/")
    assert response.status_code == 200
    rows = {row.pk: row.n_open for row in response.context["cl"].result_list}
    assert rows == {busy.pk: 2, empty.pk: 0}
    counts = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert counts and not any("members_membership" in sql for sql in counts)

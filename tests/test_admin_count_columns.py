"""The changelists' count columns (chunshu_union.admin_mixins.count_column):
each row shows its own count, and the column sorts."""

import datetime
import re

from enterprises.models import CongressSession, RegisterScope, WorkerCongress
from tests.factories import EnterpriseFactory


def _cells(page, field):
    return re.findall(rf"field-{field}\b[^>]*>\s*(\d+)\s*</td>", page.content.decode())


def test_the_community_list_counts_each_communitys_enterprises(client, sam, community1):
    EnterpriseFactory.create_batch(3, community=community1)
    client.force_login(sam)
    page = client.get("/admin/enterprises/community/?o=3")
    assert page.status_code == 200
    counts = [int(n) for n in _cells(page, "enterprise_count")]
    assert counts == sorted(counts) and 3 in counts


def test_the_congress_list_counts_its_sessions(client, sam, community1):
    congress = WorkerCongress.objects.create(
        scope=RegisterScope.REGIONAL,
        community=community1,
        name="椿树职代会",
        established_on=datetime.date(2016, 1, 1),
    )
    for day in (datetime.date(2016, 3, 1), datetime.date(2017, 3, 1)):
        CongressSession.objects.create(congress=congress, held_on=day)
    client.force_login(sam)
    page = client.get("/admin/enterprises/workercongress/?o=6")
    assert page.status_code == 200
    assert _cells(page, "sessions_held") == ["2"]

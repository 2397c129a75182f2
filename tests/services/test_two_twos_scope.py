"""The "two 2s" where they are shown: a community's figure is that of the
cadres assigned to it (not the street's in every column), and the admin page
opens on the latest quarter with visits. The services tests live on
2017-12-20 (conftest)."""

import datetime
from decimal import Decimal

from accounts.models import Role
from chunshu_union.quarters import Quarter
from services.models import Assignment
from services.selectors import services_figures_for_quarter
from services.services import visit_record
from tests.factories import EnterpriseFactory, user

D = datetime.date
Q3 = Quarter(2017, 3)


def _keeps_the_rule(cadre, enterprise, community):
    """Two enterprise visits every week and two community visits every month
    of the third quarter."""
    monday = D(2017, 7, 3)
    while monday <= Q3.last_day:
        for day in (monday, monday + datetime.timedelta(days=1)):
            visit_record(by=cadre, visited_on=day, enterprise=enterprise)
        monday += datetime.timedelta(days=7)
    for month in (7, 8, 9):
        for day in (5, 6):
            visit_record(by=cadre, visited_on=D(2017, month, day), community=community)


def test_each_community_shows_the_two_twos_of_its_own_cadres(db, community1, community2):
    keen, idle = user("keen", Role.STAFF), user("idle", Role.STAFF)
    Assignment.objects.create(cadre=keen, community=community1, since=D(2017, 1, 1))
    Assignment.objects.create(cadre=idle, community=community2, since=D(2017, 1, 1))
    _keeps_the_rule(keen, EnterpriseFactory(community=community1), community1)

    def compliance(community=None):
        figures = services_figures_for_quarter(Q3, community_id=community and community.pk)
        return figures["two_twos_compliance"]

    assert compliance(community1) == Decimal("100.00")
    assert compliance(community2) == Decimal("0.00")
    assert compliance() == Decimal("50.00")  # the street: both cadres


def test_a_community_without_an_assigned_cadre_has_no_two_twos_figure(db, community1):
    user("keen", Role.STAFF)
    assert (
        services_figures_for_quarter(Q3, community_id=community1.pk)["two_twos_compliance"] is None
    )


def test_the_two_twos_page_opens_on_the_latest_quarter_with_visits(client, sam, alices_enterprise):
    visit_record(by=sam, visited_on=D(2017, 8, 1), enterprise=alices_enterprise)
    client.force_login(sam)
    page = client.get("/admin/services/visit/two-twos/").content.decode()
    assert "<strong>2017年第3季度</strong>" in page  # not the empty fourth quarter
    page = client.get("/admin/services/visit/two-twos/?quarter=2017Q4").content.decode()
    assert "<strong>2017年第4季度</strong>" in page

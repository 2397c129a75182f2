"""The snapshot jobs: Celery tasks that take ids, are idempotent, and what
they store reaches the page at once (the cached page body is keyed by the
snapshots, so a new revision is never hidden behind an old rendering)."""

import datetime
import io

import pytest
from django.core.management import call_command

from chunshu_union.quarters import Quarter
from dashboard.models import QuarterFigures
from dashboard.tasks import compute_quarter_figures, refresh_dashboard
from dues.services import snapshots_recompute
from tests.dues.helpers import declare
from tests.factories import EnterpriseFactory, MembershipFactory, street
from tests.waiting import wait_for

TODAY = datetime.date(2017, 12, 1)


def test_the_task_computes_a_quarter_and_running_it_twice_changes_nothing(community1):
    MembershipFactory(enterprise=EnterpriseFactory(community=community1))
    assert compute_quarter_figures.delay(street().pk, "2017Q3").get() == 1
    assert compute_quarter_figures.delay(street().pk, "2017Q3").get() == 1
    assert QuarterFigures.objects.filter(quarter="2017Q3").count() == 8
    street_row = QuarterFigures.objects.get(quarter="2017Q3", community=None)
    assert street_row.figures["members_total"] == 1


def test_the_refresh_covers_every_quarter_with_declarations(community1):
    enterprise = EnterpriseFactory(community=community1)
    for quarter in ("2017Q1", "2017Q2"):
        declare(enterprise, quarter)
        snapshots_recompute(quarter=Quarter.parse(quarter), today=TODAY)
    assert refresh_dashboard.delay().get() == ["2017Q1", "2017Q2"]
    assert set(QuarterFigures.objects.values_list("quarter", flat=True)) == {"2017Q1", "2017Q2"}


def test_the_services_figures_are_in_the_snapshot_and_on_the_page(client, lee, community1):
    enterprise = EnterpriseFactory(community=community1)
    declare(enterprise, "2017Q2")
    snapshots_recompute(quarter=Quarter(2017, 2), today=TODAY)
    compute_quarter_figures.delay(street().pk, "2017Q2")
    services = QuarterFigures.objects.get(quarter="2017Q2", community=None).figures["services"]
    assert services["visits_enterprise"] == 0 and "bargaining_coverage" in services
    client.force_login(lee)
    page = client.get("/dashboard/?quarter=2017Q2").content.decode()
    assert "走访企业次数" in page and "工资集体协商覆盖率" in page


def test_a_new_revision_shows_on_the_page_at_once(client, lee, community1):
    enterprise = EnterpriseFactory(community=community1)
    MembershipFactory(enterprise=enterprise, joined_on=datetime.date(2016, 1, 1))
    declare(enterprise, "2017Q2")
    snapshots_recompute(quarter=Quarter(2017, 2), today=TODAY)
    compute_quarter_figures.delay(street().pk, "2017Q2")
    client.force_login(lee)
    page = client.get("/dashboard/?quarter=2017Q2").content.decode()
    assert "指标快照第 1 版" in page
    MembershipFactory(enterprise=enterprise, joined_on=datetime.date(2017, 5, 1))
    compute_quarter_figures.delay(street().pk, "2017Q2")
    page = client.get("/dashboard/?quarter=2017Q2").content.decode()
    assert "指标快照第 2 版" in page
    row = page.split('data-key="members_total"')[1].split("</tr>")[0]
    assert '<td class="num">2</td>' in row


@pytest.mark.slow  # loads the demo street
def test_the_demo_street_shows_the_articles_figures(client, db):
    """The same as the browser test, for machines without chromium."""
    call_command("load_demo", stdout=io.StringIO())
    client.login(username="leader", password="chunshu2017")
    q3 = client.get("/dashboard/").content.decode()
    assert 'id="street-rate">83.16%' in q3 and "2017年第3季度" in q3
    q1 = client.get("/dashboard/?quarter=2017Q1").content.decode()
    assert 'id="street-rate-rounded">≈ 74%' in q1
    members = QuarterFigures.objects.get(quarter="2017Q3", community=None).figures
    assert members["members_total"] == 5100


def test_staff_can_read_every_revision_in_the_admin_but_not_edit_it(client, sam, community1):
    MembershipFactory(enterprise=EnterpriseFactory(community=community1))
    compute_quarter_figures.delay(street().pk, "2017Q3")
    client.force_login(sam)
    assert client.get("/admin/dashboard/quarterfigures/").status_code == 200
    row = QuarterFigures.objects.get(quarter="2017Q3", community=None)
    page = client.get(f"/admin/dashboard/quarterfigures/{row.pk}/change/")
    assert page.status_code == 200 and "members_total" in page.content.decode()
    assert client.get("/admin/dashboard/quarterfigures/add/").status_code == 403


def test_a_real_worker_computes_the_figures(live_celery):
    MembershipFactory(enterprise=EnterpriseFactory(), joined_on=datetime.date(2016, 1, 1))
    compute_quarter_figures.delay(street().pk, "2017Q3")
    assert wait_for(lambda: QuarterFigures.objects.filter(quarter="2017Q3").count() == 8)
    row = QuarterFigures.objects.get(quarter="2017Q3", community=None)
    assert row.figures["members_total"] == 1 and row.revision == 1

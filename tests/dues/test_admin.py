"""The staff's union-funds pages, as staff use them."""

import datetime

import pytest

from chunshu_union.quarters import Quarter
from dues.models import Declaration, RateSnapshot, ZombieFlag
from dues.services import snapshots_recompute, zombies_flag
from enterprises.models import Status
from tests.factories import EnterpriseFactory, credit_code

from .helpers import declare
from .test_import import row, workbook


def test_staff_upload_preview_then_import(
    client, sam, tmp_path, django_capture_on_commit_callbacks
):
    a = EnterpriseFactory()
    path = workbook(tmp_path, [row(a), row(credit_code(9001), "未建会公司")])
    client.force_login(sam)
    with open(path, "rb") as upload:
        page = client.post("/admin/dues/declaration/upload/", {"file": upload})
    text = page.content.decode()
    assert page.status_code == 200 and "preview-counts" in text
    assert not Declaration.objects.exists()  # a preview writes nothing
    token = page.context["token"]
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/admin/dues/declaration/upload/", {"token": token}, follow=True)
    assert Declaration.objects.count() == 2
    assert Declaration.objects.unmatched().count() == 1
    assert "1" in done.content.decode()
    # The rates follow the import (queued; inline without a worker).
    street = RateSnapshot.objects.get(quarter="2017Q3", community=None)
    assert (street.declared, street.obligated, street.computed_by) == (1, 1, sam)
    # The token is spent: posting it again writes nothing more.
    client.post("/admin/dues/declaration/upload/", {"token": token})
    assert Declaration.objects.count() == 2


def test_a_faulty_file_shows_its_errors_and_offers_no_import(client, sam, tmp_path):
    a = EnterpriseFactory()
    path = workbook(tmp_path, [row(a, start="2017-09-30", end="2017-07-01")])
    client.force_login(sam)
    with open(path, "rb") as upload:
        page = client.post("/admin/dues/declaration/upload/", {"file": upload})
    text = page.content.decode()
    assert "preview-errors" in text and page.context["token"] is None
    assert "税款所属期止" in text
    assert not Declaration.objects.exists()


def test_a_token_from_elsewhere_is_refused(client, sam):
    client.force_login(sam)
    page = client.post(
        "/admin/dues/declaration/upload/", {"token": "../../etc/passwd"}, follow=True
    )
    assert page.status_code == 200
    assert not Declaration.objects.exists()


def test_unmatched_declarations_are_listed(client, sam):
    declare(None, "2017Q3", credit_code=credit_code(9001), taxpayer_name="未建会公司")
    declare(EnterpriseFactory(name="已建会公司"), "2017Q3")
    client.force_login(sam)
    text = client.get("/admin/dues/unmatcheddeclaration/").content.decode()
    assert "未建会公司" in text and "已建会公司" not in text


@pytest.fixture
def flagged(db):
    EnterpriseFactory(name="北京沉睡科技有限公司", union_founded_on=datetime.date(2015, 1, 1))
    paying = EnterpriseFactory(
        name="北京勤勉商贸有限公司", union_founded_on=datetime.date(2015, 1, 1)
    )
    for q in ("2016Q3", "2016Q4", "2017Q1", "2017Q2"):
        declare(paying, q)
    [flag] = zombies_flag(quarter=Quarter(2016, 4), n=2)
    return flag


def test_staff_resolve_a_zombie_and_the_denominator_follows(client, sam, flagged):
    client.force_login(sam)
    listing = client.get("/admin/dues/zombieflag/").content.decode()
    assert "北京沉睡科技有限公司" in listing
    url = f"/admin/dues/zombieflag/{flagged.pk}/resolve/"
    assert flagged.enterprise.name in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "resolution": "deregistered",
            "effective_on": "2017-05-02",
            "evidence": "工商注销公告截图",
        },
    )
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert (flagged.resolution, flagged.resolved_by) == ("deregistered", sam)
    assert flagged.enterprise.status_history.filter(status=Status.DEREGISTERED).exists()
    q2 = snapshots_recompute(quarter=Quarter(2017, 2)).figures[0]
    assert (q2.declared, q2.obligated) == (1, 1)


def test_a_resolution_without_evidence_is_refused_in_chinese(client, sam, flagged):
    client.force_login(sam)
    page = client.post(
        f"/admin/dues/zombieflag/{flagged.pk}/resolve/",
        {"resolution": "moved_out", "effective_on": "2017-05-02", "evidence": ""},
    )
    assert page.status_code == 200
    assert "该字段是必填项" in page.content.decode()
    flagged.refresh_from_db()
    assert flagged.is_open


def test_rates_and_gap_pages_show_computed_figures(client, sam, flagged):
    snapshots_recompute(quarter=Quarter(2017, 2))
    client.force_login(sam)
    rates = client.get("/admin/dues/ratesnapshot/rates/").content.decode()
    assert "50.00%" in rates and "2017Q2" in rates
    gap = client.get("/admin/dues/ratesnapshot/gap/", {"quarter": "2017Q2"}).content.decode()
    assert "北京沉睡科技有限公司" in gap
    bad = client.get("/admin/dues/ratesnapshot/gap/", {"quarter": "2017Q5"})
    assert bad.status_code == 200
    assert "2017Q5" in bad.content.decode()
    assert client.get("/admin/dues/ratesnapshot/").status_code == 200


def test_chairs_and_leaders_never_get_into_the_admin(client, alice, lee, flagged):
    for person in (alice, lee):
        client.force_login(person)
        for url in (
            "/admin/dues/declaration/upload/",
            f"/admin/dues/zombieflag/{flagged.pk}/resolve/",
            "/admin/dues/ratesnapshot/gap/",
        ):
            response = client.get(url)
            assert response.status_code in (302, 403), url
    assert ZombieFlag.objects.open().count() == 1


def test_recompute_now_records_who_asked(client, sam):
    declare(EnterpriseFactory(), "2017Q3")
    client.force_login(sam)
    response = client.post("/admin/dues/ratesnapshot/recompute/")
    assert response.status_code == 302
    street = RateSnapshot.objects.get(quarter="2017Q3", community=None)
    assert (street.declared, street.computed_by) == (1, sam)

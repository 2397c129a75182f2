"""The staff's union-funds pages, as staff use them."""

import datetime
from decimal import Decimal

import pytest

from accounts import roles
from accounts.models import Role
from chunshu_union.imports.models import State
from chunshu_union.quarters import Quarter
from dues.models import Declaration, DeclarationImport, RateSnapshot, ZombieFlag
from dues.services import snapshots_recompute, zombie_resolve, zombies_flag
from enterprises.models import Status
from tests.factories import EnterpriseFactory, another_street, credit_code, user
from tests.import_flow import act, job_url, upload

from .helpers import declare
from .test_import import row, workbook


def test_staff_upload_preview_then_import(
    client, sam, tmp_path, django_capture_on_commit_callbacks
):
    a = EnterpriseFactory()
    path = workbook(tmp_path, [row(a), row(credit_code(9001), "未建会公司")])
    client.force_login(sam)
    job = upload(client, django_capture_on_commit_callbacks, DeclarationImport, path)
    assert job.state == State.PREVIEWED and (job.created, job.invalid) == (2, 0)
    assert job.federation == sam.federation and job.created_by == sam
    assert not Declaration.objects.exists()  # a preview writes nothing
    text = client.get(job_url(job)).content.decode()
    assert "job-counts" in text and "confirm-form" in text
    new = client.get(job_url(job) + "rows/new/")
    assert "未建会公司" in new.content.decode()
    act(client, django_capture_on_commit_callbacks, job, "confirm")
    assert job.state == State.COMMITTED and job.rows_written == 2
    done = client.get(job_url(job))
    assert Declaration.objects.count() == 2
    assert Declaration.objects.unmatched().count() == 1
    assert "undo-form" in done.content.decode()
    assert not job.file  # the upload is deleted once written
    # The rates follow the import (queued; inline without a worker).
    street = RateSnapshot.objects.get(quarter="2017Q3", community=None)
    assert (street.declared, street.obligated, street.computed_by) == (1, 1, sam)
    # Confirming again writes nothing more.
    again = act(client, django_capture_on_commit_callbacks, job, "confirm")
    assert "不在待确认状态" in again.content.decode()
    assert Declaration.objects.count() == 2


def test_the_old_upload_address_leads_to_the_import_flow(client, sam):
    client.force_login(sam)
    response = client.get("/admin/dues/declaration/upload/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/dues/declarationimport/add/"


def test_a_faulty_file_shows_its_errors_and_writes_nothing_unless_told_to_skip(
    client, sam, tmp_path, django_capture_on_commit_callbacks
):
    a, b = EnterpriseFactory(), EnterpriseFactory()
    path = workbook(tmp_path, [row(a, start="2017-09-30", end="2017-07-01"), row(b)])
    client.force_login(sam)
    job = upload(client, django_capture_on_commit_callbacks, DeclarationImport, path)
    text = client.get(job_url(job)).content.decode()
    assert (job.state, job.invalid, job.created) == (State.PREVIEWED, 1, 1)
    assert "job-faults" in text and "税款所属期止" in text
    refused = act(client, django_capture_on_commit_callbacks, job, "confirm")
    assert job.state == State.PREVIEWED and "只导入正确的行" in refused.content.decode()
    assert not Declaration.objects.exists()
    act(client, django_capture_on_commit_callbacks, job, "confirm", skip_invalid="on")
    assert job.state == State.COMMITTED
    assert list(Declaration.objects.values_list("enterprise", flat=True)) == [b.pk]


def test_undo_puts_back_what_the_import_wrote_and_the_rates_follow(
    client, sam, tmp_path, django_capture_on_commit_callbacks
):
    a = EnterpriseFactory()
    declare(a, "2017Q3")
    before = Declaration.objects.get()
    new = EnterpriseFactory()
    path = workbook(tmp_path, [row(a, due="99"), row(new)])
    client.force_login(sam)
    job = upload(client, django_capture_on_commit_callbacks, DeclarationImport, path)
    assert (job.created, job.updated) == (1, 1)
    changed = client.get(job_url(job) + "rows/changed/").content.decode()
    assert "400.00 → 99.00" in changed
    act(client, django_capture_on_commit_callbacks, job, "confirm")
    assert Declaration.objects.count() == 2
    assert RateSnapshot.objects.get(quarter="2017Q3", community=None).declared == 2
    page = act(client, django_capture_on_commit_callbacks, job, "undo")
    assert job.state == State.UNDONE and job.undone_by == sam, page.content.decode()[:500]
    kept = Declaration.objects.get()
    assert (kept.pk, kept.amount_due, kept.updated_at) == (
        before.pk,
        Decimal("400.00"),
        before.updated_at,
    )
    street = RateSnapshot.objects.get(quarter="2017Q3", community=None, is_current=True)
    assert street.declared == 1 and street.revision == 2  # a frozen quarter: a new revision


def test_undo_is_refused_while_a_later_import_changed_the_same_declarations(
    client, sam, tmp_path, django_capture_on_commit_callbacks
):
    a = EnterpriseFactory()
    client.force_login(sam)
    capture = django_capture_on_commit_callbacks
    first = upload(client, capture, DeclarationImport, workbook(tmp_path, [row(a, due="10")]))
    act(client, capture, first, "confirm")
    later = tmp_path / "later"
    later.mkdir()
    second = upload(client, capture, DeclarationImport, workbook(later, [row(a, due="20")]))
    act(client, capture, second, "confirm")
    refused = act(client, capture, first, "undo")
    assert first.state == State.COMMITTED and "先撤销" in refused.content.decode()
    act(client, capture, second, "undo")
    act(client, capture, first, "undo")
    assert (second.state, first.state) == (State.UNDONE, State.UNDONE)
    assert not Declaration.objects.exists()


def test_another_streets_staff_and_chairs_cannot_open_an_import(
    client, sam, alice, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(sam)
    path = workbook(tmp_path, [row(EnterpriseFactory())])
    job = upload(client, django_capture_on_commit_callbacks, DeclarationImport, path)
    other = user("dora", Role.STAFF, federation=another_street().federation)
    other.groups.add(roles.group(roles.STAFF_GROUP))
    client.force_login(other)
    for view in ("job", "progress"):
        assert client.get(job_url(job, view)).status_code == 404
    assert client.post(job_url(job, "confirm")).status_code == 404
    client.force_login(alice)
    assert client.get(job_url(job)).status_code in (302, 403)
    job.refresh_from_db()
    assert job.state == State.PREVIEWED and not Declaration.objects.exists()


def test_unmatched_declarations_are_listed(client, sam):
    declare(None, "2017Q3", credit_code=credit_code(9001), taxpayer_name="未建会公司")
    declare(EnterpriseFactory(name="已建会公司"), "2017Q3")
    client.force_login(sam)
    text = client.get("/admin/dues/unmatcheddeclaration/").content.decode()
    assert "未建会公司" in text and "已建会公司" not in text


def test_the_declarations_list_filters_matched_and_unmatched(client, sam):
    declare(None, "2017Q3", credit_code=credit_code(9001), taxpayer_name="未建会公司")
    declare(EnterpriseFactory(name="已建会公司"), "2017Q3")
    client.force_login(sam)
    shown = {
        value: client.get(f"/admin/dues/declaration/?matched={value}").content.decode()
        for value in ("yes", "no")
    }
    assert "已建会公司" in shown["yes"] and "未建会公司" not in shown["yes"]
    assert "未建会公司" in shown["no"] and "已建会公司" not in shown["no"]


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


def test_the_zombie_list_filters_open_and_resolved_flags(client, sam, flagged):
    client.force_login(sam)
    name = flagged.enterprise.name
    assert name in client.get("/admin/dues/zombieflag/?state=open").content.decode()
    assert name not in client.get("/admin/dues/zombieflag/?state=resolved").content.decode()
    zombie_resolve(
        flag=flagged,
        by=sam,
        resolution="deregistered",
        effective_on=datetime.date(2017, 5, 2),
        evidence="工商注销公告截图",
    )
    assert name not in client.get("/admin/dues/zombieflag/?state=open").content.decode()
    assert name in client.get("/admin/dues/zombieflag/?state=resolved").content.decode()


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

"""The chair portal's roster pages, through the test client: alice chairs
community 1, bob community 2, sam is street staff, lee a leader."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from members.models import ImportBatch, Member
from tests import samples

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_uploads")]

ACME = samples.ACME


def upload(client, data, name="花名册.xlsx", **extra):
    file = SimpleUploadedFile(name, data)
    return client.post(reverse("portal:import_new"), {"file": file, **extra})


@pytest.fixture
def uploaded(client, alice, acme, django_capture_on_commit_callbacks):
    """alice uploads a roster with one faulty row; the check runs (Celery eager)."""
    client.force_login(alice)
    rows = [*samples.people(3, [ACME]), samples.person_row(9, ACME, 联系电话="12345")]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, samples.xlsx(rows))
    assert response.status_code == 302
    return ImportBatch.objects.get()


def test_upload_check_preview_shows_counts_and_faults(client, uploaded, private_uploads):
    assert uploaded.state == ImportBatch.State.PREVIEWED
    assert (uploaded.created, uploaded.invalid) == (3, 1)
    assert Member.objects.count() == 0  # nothing before confirming
    assert any(private_uploads.rglob("*.upload"))  # kept until confirm or cancel
    page = client.get(reverse("portal:import_detail", args=[uploaded.pk])).content.decode()
    assert "待确认" in page and "联系电话" in page
    assert '<td class="num">7</td>' in page  # the faulty row, as Excel numbers it
    assert "确认并写入" in page and "下载错误报告" in page


def test_confirm_all_or_nothing_refused_then_skip_invalid_writes(
    client, uploaded, django_capture_on_commit_callbacks, private_uploads
):
    url = reverse("portal:import_confirm", args=[uploaded.pk])
    response = client.post(url, follow=True)
    assert "错误行" in response.content.decode()
    assert Member.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"skip_invalid": "on"})
    uploaded.refresh_from_db()
    assert uploaded.state == ImportBatch.State.COMMITTED
    assert Member.objects.count() == 3
    assert not any(private_uploads.rglob("*.upload"))  # the file is gone once written


def test_cancel_discards_the_file_and_writes_nothing(client, uploaded, private_uploads):
    client.post(reverse("portal:import_cancel", args=[uploaded.pk]))
    uploaded.refresh_from_db()
    assert uploaded.state == ImportBatch.State.CANCELLED
    assert Member.objects.count() == 0
    assert not any(private_uploads.rglob("*.upload"))


def test_undo_from_the_portal(client, uploaded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:import_confirm", args=[uploaded.pk]), {"skip_invalid": "on"})
    assert Member.objects.count() == 3
    response = client.post(reverse("portal:import_undo", args=[uploaded.pk]), follow=True)
    assert "已撤销此次导入" in response.content.decode()
    assert Member.objects.count() == 0


def test_error_report_download(client, uploaded):
    response = client.get(reverse("portal:import_report", args=[uploaded.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=1).value == 7
    assert "联系电话" in sheet.cell(row=2, column=sheet.max_column).value


def test_preview_lists_each_kind(client, uploaded):
    new = client.get(reverse("portal:import_rows", args=[uploaded.pk, "new"])).content.decode()
    assert all(row["姓名"] in new for row in samples.people(3, [ACME]))
    assert "110101" in new and "********" in new  # masked, never the full number
    faulty = client.get(reverse("portal:import_rows", args=[uploaded.pk, "invalid"]))
    assert "联系电话" in faulty.content.decode()
    assert client.get(reverse("portal:import_rows", args=[uploaded.pk, "bogus"])).status_code == 404


def test_progress_fragment_polls_while_running_and_reloads_when_done(client, uploaded):
    url = reverse("portal:import_progress", args=[uploaded.pk])
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    ImportBatch.objects.filter(pk=uploaded.pk).update(
        state=ImportBatch.State.VALIDATING, rows_total=100, rows_validated=40, rows_read=40
    )
    running = client.get(url, HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in running
    body = running.content.decode()
    assert 'value="40"' in body and 'hx-trigger="every 1s"' in body


def test_another_chair_gets_404_on_every_import_url(client, uploaded, bob):
    client.force_login(bob)
    for name in ("import_detail", "import_progress", "import_report"):
        assert client.get(reverse(f"portal:{name}", args=[uploaded.pk])).status_code == 404
    assert client.get(reverse("portal:import_rows", args=[uploaded.pk, "new"])).status_code == 404
    for name in ("import_confirm", "import_cancel", "import_undo"):
        assert client.post(reverse(f"portal:{name}", args=[uploaded.pk])).status_code == 404
    assert uploaded.filename not in client.get(reverse("portal:import_list")).content.decode()
    uploaded.refresh_from_db()
    assert uploaded.state == ImportBatch.State.PREVIEWED


def test_leader_is_refused(client, lee):
    client.force_login(lee)
    assert client.get(reverse("portal:import_new")).status_code == 403
    assert client.get(reverse("portal:roster_template")).status_code == 403


def test_chair_cannot_import_into_another_community(
    client, alice, acme, bobs_enterprise, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    rows = [samples.person_row(1, bobs_enterprise.name)]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, samples.xlsx(rows), community=bobs_enterprise.community_id)
    batch = ImportBatch.objects.get()
    assert batch.community == alice.community
    assert batch.invalid == 1 and "不是本社区" in batch.errors[0]["message"]


def test_staff_choose_the_community(client, sam, acme, django_capture_on_commit_callbacks):
    client.force_login(sam)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, samples.xlsx(samples.people(2, [ACME])), community=acme.community_id)
    batch = ImportBatch.objects.get()
    assert (batch.community, batch.created) == (acme.community, 2)


def test_unreadable_upload_fails_with_a_sentence(client, alice, django_capture_on_commit_callbacks):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, b"PK\x03\x04 not really a workbook")
    batch = ImportBatch.objects.get()
    assert batch.state == ImportBatch.State.FAILED and "不完整" in batch.message
    page = client.get(reverse("portal:import_detail", args=[batch.pk])).content.decode()
    assert batch.message in page


def test_wrong_file_type_is_refused_by_the_form(client, alice):
    client.force_login(alice)
    response = upload(client, b"hello", name="notes.txt")
    assert "请上传Excel文件" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_template_has_drop_downs_and_a_text_id_column(client, alice, acme, bobs_enterprise):
    client.force_login(alice)
    response = client.get(reverse("portal:roster_template"))
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["会员花名册"]
    header = [c.value for c in sheet[3]]
    assert header[:3] == ["姓名", "身份证号", "性别"]
    assert sheet.cell(row=4, column=2).number_format == "@"
    lists = workbook["选项"]
    enterprise_column = header.index("所在企业") + 1
    names = [lists.cell(row=r, column=enterprise_column).value for r in range(1, 5)]
    assert ACME in names and bobs_enterprise.name not in names
    ranges = {str(dv.sqref).split(":")[0][:1] for dv in sheet.data_validations.dataValidation}
    assert {"C", "E", "H", "I", "J", "K", "L", "M"} <= ranges


def test_the_template_round_trips(client, alice, acme, django_capture_on_commit_callbacks):
    """A template filled in (as a chair would) imports without a fault."""
    client.force_login(alice)
    workbook = load_workbook(io.BytesIO(client.get(reverse("portal:roster_template")).content))
    sheet = workbook["会员花名册"]
    row = samples.person_row(4, ACME)
    for column, name in enumerate([c.value for c in sheet[3]], start=1):
        sheet.cell(row=4, column=column, value=row[name])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, buffer.getvalue())
    batch = ImportBatch.objects.get()
    assert (batch.created, batch.invalid) == (1, 0), batch.errors


def test_portal_home_lists_recent_imports(client, uploaded):
    page = client.get(reverse("portal:index")).content.decode()
    assert "花名册.xlsx" in page and "下载空白模板" in page


def test_staff_admin_lists_imports_and_undoes_them(
    client, sam, uploaded, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:import_confirm", args=[uploaded.pk]), {"skip_invalid": "on"})
    client.force_login(sam)
    listing = client.get(reverse("admin:members_importbatch_changelist")).content.decode()
    assert "花名册.xlsx" in listing
    add = client.get(reverse("admin:members_importbatch_add"))
    assert add["Location"] == reverse("portal:import_new")
    client.post(
        reverse("admin:members_importbatch_changelist"),
        {"action": "undo_imports", "_selected_action": [uploaded.pk]},
    )
    uploaded.refresh_from_db()
    assert uploaded.state == ImportBatch.State.UNDONE and Member.objects.count() == 0


def test_chairs_never_reach_the_admin(client, alice, uploaded):
    response = client.get(reverse("admin:members_importbatch_changelist"))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "login" in response["Location"]


def test_an_unexpected_error_fails_the_batch_with_a_sentence(
    client, alice, acme, django_capture_on_commit_callbacks, monkeypatch
):
    from members.roster import services

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(services, "roster_check", broken)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, samples.xlsx(samples.people(2, [ACME])))
    batch = ImportBatch.objects.get()
    assert batch.state == ImportBatch.State.FAILED
    assert "意外" in batch.message and "a bug" not in batch.message


def test_a_chair_uploads_an_ods_roster_from_wps_or_libreoffice(
    client, alice, acme, django_capture_on_commit_callbacks, private_uploads
):
    from tests.test_tabular_formats import ods_roster

    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, ods_roster(samples.people(2, [ACME])), name="花名册.ods")
    assert response.status_code == 302, response.content.decode()[:300]
    batch = ImportBatch.objects.get()
    assert (batch.state, batch.created) == (ImportBatch.State.PREVIEWED, 2)

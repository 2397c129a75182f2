"""Rosters a street can trust (issue 13, findings 5, 6 and 7): a chair's
roster never shows or moves another community's member, the database never
holds a full ID number from a faulty row, exports are logged, an ID number
is never put in a URL, and a batch keeps its faults small.

alice chairs community 1, bob community 2, sam is street staff; bob's
member 李四 works at bob's enterprise."""

import datetime
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AccessLog
from chunshu_union.imports.models import ImportRow
from chunshu_union.imports.upkeep import jobs_purge
from members.models import ImportBatch, Transfer, TransferRequest
from tests import samples
from tests.factories import EnterpriseFactory, MembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_uploads")]

ALICES = "北京椿树一号科技有限公司"  # the alices_enterprise fixture
EIGHTEEN_DIGITS = re.compile(r"[0-9]{17}[0-9Xx]")


def upload(client, rows, run, name="花名册.xlsx", **extra):
    file = SimpleUploadedFile(name, samples.xlsx(rows))
    with run(execute=True):
        response = client.post(reverse("portal:import_new"), {"file": file, **extra})
    assert response.status_code == 302, response.content.decode()[:500]
    return ImportBatch.objects.latest("pk")


def confirm(client, batch, run, **data):
    with run(execute=True):
        client.post(reverse("portal:import_confirm", args=[batch.pk]), data)
    batch.refresh_from_db()
    return batch


def row_for(member, enterprise_name, **overrides):
    """A roster row naming `member` by ID number, with alice's spelling."""
    return samples.person_row(
        1, enterprise_name, 身份证号=member.id_number, 性别="", 出生日期="", **overrides
    )


# --- finding 5: another community's member through a roster ---------------------------


@pytest.fixture
def alices_roster(
    client, alice, alices_enterprise, bobs_member, django_capture_on_commit_callbacks
):
    """alice uploads a one-row roster holding the ID number of bob's member,
    under another name and phone."""
    client.force_login(alice)
    rows = [row_for(bobs_member, ALICES, 姓名="王五", 联系电话="13912345678")]
    return upload(client, rows, django_capture_on_commit_callbacks)


def test_the_preview_shows_nothing_of_bobs_member(
    client, alices_roster, bobs_member, bobs_enterprise
):
    batch = alices_roster
    assert batch.state == ImportBatch.State.PREVIEWED
    pages = [client.get(reverse("portal:import_detail", args=[batch.pk])).content.decode()]
    for kind in ("new", "changed", "transferred", "elsewhere", "unchanged", "leaving", "invalid"):
        url = reverse("portal:import_rows", args=[batch.pk, kind])
        pages.append(client.get(url).content.decode())
    rows = ImportRow.objects.filter(job_model=batch.label(), job_id=batch.pk)
    assert rows.exists()  # the preview is stored, in its own table
    stored = json.dumps(
        [batch.preview, batch.errors, list(rows.values_list("data", flat=True))],
        ensure_ascii=False,
    )
    for text in [*pages, stored]:
        assert "李四" not in text
        assert bobs_enterprise.name not in text
        assert bobs_member.phone_masked not in text
        assert bobs_enterprise.community.name not in text
    elsewhere = pages[4]
    assert "另一社区" in elsewhere or "其他社区" in elsewhere
    assert "转会申请" in elsewhere
    assert "王五" in elsewhere  # what alice's own file says
    assert (batch.transferred, batch.updated, batch.elsewhere) == (0, 0, 1)


def test_confirming_changes_nothing_of_bobs_member_and_makes_a_pending_request(
    client,
    alice,
    alices_roster,
    bobs_member,
    bobs_enterprise,
    alices_enterprise,
    django_capture_on_commit_callbacks,
):
    batch = confirm(client, alices_roster, django_capture_on_commit_callbacks)
    assert batch.state == ImportBatch.State.COMMITTED
    bobs_member.refresh_from_db()
    assert bobs_member.name == "李四" and bobs_member.phone == "13800138000"
    assert bobs_member.open_membership().enterprise == bobs_enterprise
    assert not Transfer.objects.exists()
    request = TransferRequest.objects.get()
    assert request.state == TransferRequest.State.PENDING
    assert (request.member, request.from_enterprise, request.to_enterprise) == (
        bobs_member,
        bobs_enterprise,
        alices_enterprise,
    )
    assert (request.requested_by, request.batch, request.row, request.name_in_roster) == (
        alice,
        batch,
        4,
        "王五",
    )


@pytest.fixture
def pending_request(client, alices_roster, django_capture_on_commit_callbacks):
    confirm(client, alices_roster, django_capture_on_commit_callbacks)
    return TransferRequest.objects.get()


def test_sam_approves_in_the_admin_and_the_transfer_is_recorded(
    client, sam, pending_request, bobs_member, alices_enterprise, bobs_enterprise
):
    client.force_login(sam)
    page = client.get(
        reverse("admin:members_transferrequest_change", args=[pending_request.pk])
    ).content.decode()
    assert "李四" in page  # staff see whom they decide about
    url = reverse("admin:members_transferrequest_decide", args=[pending_request.pk, "approve"])
    response = client.post(url, {"on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    pending_request.refresh_from_db()
    assert (pending_request.state, pending_request.decided_by) == ("approved", sam)
    transfer = Transfer.objects.get()
    assert pending_request.transfer == transfer
    assert transfer.from_membership.enterprise == bobs_enterprise
    assert transfer.to_membership.enterprise == alices_enterprise
    assert transfer.from_membership.left_on == timezone.localdate()
    bobs_member.refresh_from_db()
    assert bobs_member.open_membership().enterprise == alices_enterprise
    assert bobs_member.name == "李四"  # approving moves the membership, not the fields
    # decided once: a second approval is refused with a sentence
    again = client.post(url, {"on": timezone.localdate().isoformat()})
    assert "已经处理" in again.content.decode()
    assert Transfer.objects.count() == 1


def test_sam_refuses_with_a_reason_and_nothing_moves(
    client, sam, pending_request, bobs_member, bobs_enterprise
):
    client.force_login(sam)
    url = reverse("admin:members_transferrequest_decide", args=[pending_request.pk, "refuse"])
    assert client.post(url, {"reason": ""}).status_code == 200  # the reason is required
    pending_request.refresh_from_db()
    assert pending_request.state == "pending"
    client.post(url, {"reason": "身份证号填错，请核对"})
    pending_request.refresh_from_db()
    assert (pending_request.state, pending_request.reason) == ("refused", "身份证号填错，请核对")
    assert bobs_member.open_membership().enterprise == bobs_enterprise
    assert not Transfer.objects.exists()


def test_a_transfer_is_not_approved_for_a_day_to_come(client, sam, pending_request):
    client.force_login(sam)
    url = reverse("admin:members_transferrequest_decide", args=[pending_request.pk, "approve"])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page = client.post(url, {"on": tomorrow.isoformat()}).content.decode()
    assert "不能晚于今天" in page
    pending_request.refresh_from_db()
    assert pending_request.state == "pending" and not Transfer.objects.exists()


def test_the_admin_action_approves_the_selected_requests(client, sam, pending_request):
    client.force_login(sam)
    client.post(
        reverse("admin:members_transferrequest_changelist"),
        {"action": "approve_selected", "_selected_action": [pending_request.pk]},
    )
    pending_request.refresh_from_db()
    assert pending_request.state == "approved" and Transfer.objects.count() == 1


def test_alice_sees_the_state_and_bob_gets_404(client, alice, bob, sam, pending_request):
    detail = reverse("portal:transfer_detail", args=[pending_request.pk])
    client.force_login(alice)
    page = client.get(detail).content.decode()
    assert "等待街道审批" in page and "李四" not in page
    assert "王五" in client.get(reverse("portal:transfer_list")).content.decode()
    batch_page = client.get(reverse("portal:import_detail", args=[pending_request.batch_id]))
    assert "等待街道审批" in batch_page.content.decode()

    client.force_login(sam)
    url = reverse("admin:members_transferrequest_decide", args=[pending_request.pk, "refuse"])
    client.post(url, {"reason": "此人仍在原单位工作"})

    client.force_login(alice)
    page = client.get(detail).content.decode()
    assert "已拒绝" in page and "此人仍在原单位工作" in page

    client.force_login(bob)
    assert client.get(detail).status_code == 404
    assert "王五" not in client.get(reverse("portal:transfer_list")).content.decode()


def test_chairs_cannot_decide_requests(client, alice, pending_request):
    client.force_login(alice)
    url = reverse("admin:members_transferrequest_decide", args=[pending_request.pk, "approve"])
    response = client.post(url, {"on": timezone.localdate().isoformat()})
    assert response.status_code in (302, 403)
    pending_request.refresh_from_db()
    assert pending_request.state == "pending"


def test_the_same_file_again_makes_no_second_request(
    client,
    alice,
    alices_enterprise,
    bobs_member,
    pending_request,
    django_capture_on_commit_callbacks,
):
    rows = [row_for(bobs_member, ALICES, 姓名="王五", 联系电话="13912345678")]
    again = upload(client, rows, django_capture_on_commit_callbacks)
    confirm(client, again, django_capture_on_commit_callbacks)
    assert again.state == ImportBatch.State.COMMITTED
    assert TransferRequest.objects.count() == 1


def test_undoing_the_import_refuses_its_pending_requests(
    client, alice, pending_request, bobs_member, bobs_enterprise
):
    client.post(reverse("portal:import_undo", args=[pending_request.batch_id]))
    pending_request.refresh_from_db()
    assert pending_request.state == "refused" and "撤销" in pending_request.reason
    assert bobs_member.open_membership().enterprise == bobs_enterprise


def test_a_member_of_the_same_community_at_another_enterprise_is_still_transferred(
    client, alice, alices_enterprise, community1, django_capture_on_commit_callbacks
):
    other = EnterpriseFactory(name="北京椿树三号餐饮有限公司", community=community1)
    member = MembershipFactory(enterprise=other, member__name="赵六").member
    client.force_login(alice)
    batch = upload(
        client, [row_for(member, ALICES, 姓名="赵六")], django_capture_on_commit_callbacks
    )
    assert (batch.transferred, batch.elsewhere) == (1, 0)
    confirm(client, batch, django_capture_on_commit_callbacks)
    assert member.open_membership().enterprise == alices_enterprise
    assert Transfer.objects.count() == 1 and not TransferRequest.objects.exists()


def test_the_command_with_a_community_makes_a_request_too(
    tmp_path, capsys, alices_enterprise, community1, bobs_member, bobs_enterprise
):
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(samples.xlsx([row_for(bobs_member, ALICES, 姓名="王五")]))
    call_command("import_roster", str(path), "--community", community1.name, "--json")
    result = json.loads(capsys.readouterr().out)
    assert (result["transferred"], result["transfer_requests"]) == (0, 1)
    assert bobs_member.open_membership().enterprise == bobs_enterprise
    request = TransferRequest.objects.get()
    assert request.requested_by is None and request.batch.community == community1


def test_someone_joining_again_shows_only_what_the_file_says(
    client, alice, alices_enterprise, bobs_enterprise, django_capture_on_commit_callbacks
):
    """A former member of bob's community (no open membership): alice's
    roster may take them in, but the preview does not read the old record."""
    old = MembershipFactory(
        enterprise=bobs_enterprise, member__name="孙七", left_on=datetime.date(2017, 1, 1)
    ).member
    client.force_login(alice)
    batch = upload(
        client, [row_for(old, ALICES, 姓名="孙小七")], django_capture_on_commit_callbacks
    )
    page = client.get(reverse("portal:import_rows", args=[batch.pk, "new"])).content.decode()
    assert "孙小七" in page and "孙七<" not in page and "138****8000" not in page


# --- finding 6: full ID numbers at rest, exports, URLs ---------------------------------

WRONG_CHECK = samples.id_number_for(77)[:17] + (
    "0" if samples.id_number_for(77)[17] != "0" else "1"
)


@pytest.fixture
def faulty_roster(client, alice, alices_enterprise, django_capture_on_commit_callbacks):
    """alice's roster: two good rows and one whose ID number has a wrong
    check character (all 18 characters, as a typo leaves them)."""
    client.force_login(alice)
    rows = [*samples.people(2, [ALICES]), samples.person_row(77, ALICES, 身份证号=WRONG_CHECK)]
    batch = upload(client, rows, django_capture_on_commit_callbacks)
    assert batch.invalid == 1
    return batch, [r["身份证号"] for r in rows]


def every_stored_text() -> str:
    """Every value of every column of every table, as text."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                chunks.extend(
                    v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in row
                )
    return "\n".join(chunks)


def test_no_full_id_number_in_the_database_after_a_faulty_roster(
    client, faulty_roster, django_capture_on_commit_callbacks
):
    batch, numbers = faulty_roster
    stored = every_stored_text()
    assert WRONG_CHECK in numbers
    for number in numbers:
        assert number not in stored
    # and still none once the valid rows are written, faulty row skipped
    confirm(client, batch, django_capture_on_commit_callbacks, skip_invalid="on")
    assert batch.state == ImportBatch.State.COMMITTED
    stored = every_stored_text()
    assert not any(number in stored for number in numbers)


def test_the_error_report_gives_alice_her_own_row_and_is_logged(client, alice, faulty_roster):
    batch, _numbers = faulty_roster
    response = client.get(reverse("portal:import_report", args=[batch.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c.value for c in sheet[2]]
    assert WRONG_CHECK in cells  # her file as she wrote it, so she can fix it
    assert "校验位" in cells[-1]
    log = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert (log.user, log.object_type, log.object_id) == (
        alice,
        "members.importbatch",
        str(batch.pk),
    )
    assert WRONG_CHECK not in log.detail


def test_cancelling_deletes_the_faulty_rows_and_the_file(client, faulty_roster, private_uploads):
    batch, _numbers = faulty_roster
    assert any(private_uploads.rglob("*.upload"))
    client.post(reverse("portal:import_cancel", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.CANCELLED
    response = client.get(reverse("portal:import_report", args=[batch.pk]), follow=True)
    assert "已删除" in response.content.decode()
    assert batch.faulty_rows == "" and not any(private_uploads.rglob("*.upload"))
    assert batch.errors  # the faults themselves (no ID number in them) stay as the record


def test_the_nightly_purge_ends_what_waited_too_long_and_is_idempotent(
    settings, faulty_roster, private_uploads
):
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.get(task="imports.purge").enabled
    batch, _numbers = faulty_roster
    settings.IMPORT_FILES_DAYS = 7
    assert jobs_purge(now=timezone.now() + datetime.timedelta(days=6)) == 0
    batch.refresh_from_db()
    assert batch.faulty_rows and batch.state == ImportBatch.State.PREVIEWED
    later = timezone.now() + datetime.timedelta(days=8)
    assert jobs_purge(now=later) == 1
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.CANCELLED and "7" in batch.message
    assert batch.faulty_rows == "" and not batch.file
    assert not any(private_uploads.rglob("*.upload"))
    assert jobs_purge(now=later) == 0


def test_rows_skipped_at_confirmation_stay_for_the_report_until_the_purge(
    client, faulty_roster, django_capture_on_commit_callbacks
):
    batch, _numbers = faulty_roster
    confirm(client, batch, django_capture_on_commit_callbacks, skip_invalid="on")
    assert batch.state == ImportBatch.State.COMMITTED and batch.faulty_rows
    assert client.get(reverse("portal:import_report", args=[batch.pk])).status_code == 200
    jobs_purge(now=timezone.now() + datetime.timedelta(days=8))
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.COMMITTED and batch.faulty_rows == ""


def test_a_failed_command_import_keeps_no_faulty_row(tmp_path, alices_enterprise, community1):
    path = tmp_path / "r.xlsx"
    path.write_bytes(samples.xlsx([samples.person_row(77, ALICES, 身份证号=WRONG_CHECK)]))
    with pytest.raises(SystemExit):
        call_command("import_roster", str(path), "--community", community1.name)
    batch = ImportBatch.objects.get()
    assert batch.state == ImportBatch.State.FAILED and batch.faulty_rows == ""
    assert WRONG_CHECK not in every_stored_text()


def test_the_portal_searches_an_id_number_by_post_never_in_a_url(client, alice, alices_member):
    client.force_login(alice)
    form = client.get(reverse("portal:member_list")).content.decode()
    assert re.search(r'<form class="search" method="post"', form)
    response = client.post(reverse("portal:member_list"), {"q": alices_member.id_number})
    assert response.status_code == 200 and "Location" not in response
    assert "张三" in response.content.decode()
    # a name typed in the same box becomes the ordinary (pageable) GET search
    by_name = client.post(reverse("portal:member_list"), {"q": "张"})
    assert by_name["Location"].endswith("?q=%E5%BC%A0")
    # a number put in the URL by hand is not searched
    typed = client.get(reverse("portal:member_list"), {"q": alices_member.id_number})
    assert "张三" not in typed.content.decode()


def test_the_admin_finds_an_id_number_by_post_and_redirects_without_it(client, sam, alices_member):
    client.force_login(sam)
    changelist = client.get(reverse("admin:members_member_changelist")).content.decode()
    assert 'id="find-by-id-number"' in changelist
    response = client.post(
        reverse("admin:members_member_find"), {"id_number": alices_member.id_number}
    )
    assert response.status_code == 302
    assert not EIGHTEEN_DIGITS.search(response["Location"])
    assert response["Location"] == reverse("admin:members_member_change", args=[alices_member.pk])
    # the changelist's search box (a GET) does not search by number
    typed = client.get(reverse("admin:members_member_changelist"), {"q": alices_member.id_number})
    assert "张三" not in typed.content.decode()
    assert client.get(reverse("admin:members_member_find")).status_code == 405


# --- finding 7: faults kept small, a cheap progress poll -------------------------------


def test_the_batch_keeps_the_first_faulty_rows_and_counts_the_rest(
    client, alice, alices_enterprise, settings, django_capture_on_commit_callbacks
):
    settings.ROSTER_FAULTY_ROWS_KEPT = 5
    client.force_login(alice)
    rows = [samples.person_row(n, ALICES, 联系电话="12345") for n in range(30)]
    batch = upload(client, rows, django_capture_on_commit_callbacks)
    assert sorted({f["row"] for f in batch.errors}) == [4, 5, 6, 7, 8]
    assert batch.invalid == 30 and batch.faults_total == 30
    assert batch.fault_counts == {"联系电话": 30}
    page = client.get(reverse("portal:import_detail", args=[batch.pk])).content.decode()
    assert 'id="faults-cut"' in page and "30" in page
    report = load_workbook(
        io.BytesIO(client.get(reverse("portal:import_report", args=[batch.pk])).content)
    )
    assert report.active.max_row == 6  # the header and the 5 rows kept


def test_the_progress_poll_reads_only_the_state_and_counters(
    client, alice, alices_enterprise, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    rows = [samples.person_row(n, ALICES, 联系电话="12345") for n in range(40)]
    batch = upload(client, rows, django_capture_on_commit_callbacks)
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportBatch.State.VALIDATING)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            reverse("portal:import_progress", args=[batch.pk]), HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200
    reads = [q["sql"] for q in queries.captured_queries if "members_importbatch" in q["sql"]]
    assert len(reads) == 1
    for column in ("preview", "errors", "faulty_rows", "fault_counts", "created_ranges"):
        assert f'"members_importbatch"."{column}"' not in reads[0]

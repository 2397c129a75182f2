"""The one import flow (chunshu_union.imports), the same for every
importer: each kind of import has its pages, a task delivered twice does
the work once, the nightly purge empties every kind, and an import from the
command line is recorded so that staff can undo it."""

import datetime
import io
import json

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from chunshu_union.imports import engine, upkeep
from chunshu_union.imports.models import ImportJob, State
from dues.models import Declaration, DeclarationImport
from members.models import ImportBatch
from services.models import SheetImport
from tests.factories import EnterpriseFactory
from tests.import_flow import act, job_url, upload

from .dues.test_import import row, workbook


def _upload_one_declaration(client, capture, tmp_path):
    """The admin's upload of a one-row declarations workbook, checked."""
    return upload(
        client, capture, DeclarationImport, workbook(tmp_path, [row(EnterpriseFactory())])
    )


def test_every_importer_is_a_job_of_the_one_flow_with_its_pages():
    models = set(upkeep.import_models())
    assert models == {ImportBatch, DeclarationImport, SheetImport}
    for model in models:
        assert issubclass(model, ImportJob) and engine.importer_for(model)
    # Rosters have the chairs' portal pages; the others the staff's admin.
    for model in (DeclarationImport, SheetImport):
        assert model in admin.site._registry


def test_a_check_or_a_commit_delivered_twice_does_the_work_once(
    client, sam, tmp_path, django_capture_on_commit_callbacks
):
    a = EnterpriseFactory()
    client.force_login(sam)
    capture = django_capture_on_commit_callbacks
    job = upload(client, capture, DeclarationImport, workbook(tmp_path, [row(a)]))
    engine.job_check(label=job.label(), pk=job.pk)  # redelivered: not pending any more
    job.refresh_from_db()
    assert job.state == State.PREVIEWED and job.created == 1
    act(client, capture, job, "confirm")
    engine.job_commit(label=job.label(), pk=job.pk)  # redelivered after the commit
    assert Declaration.objects.count() == 1 and job.state == State.COMMITTED


def test_the_nightly_purge_cancels_what_waited_too_long_whatever_its_kind(
    client, sam, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_UPLOAD_ROOT = tmp_path / "uploads"
    settings.IMPORT_FILES_DAYS = 7
    client.force_login(sam)
    job = _upload_one_declaration(client, django_capture_on_commit_callbacks, tmp_path)
    assert job.file and any((tmp_path / "uploads").rglob("*.upload"))
    assert upkeep.jobs_purge(now=timezone.now() + datetime.timedelta(days=6)) == 0
    assert upkeep.jobs_purge(now=timezone.now() + datetime.timedelta(days=8)) == 1
    job.refresh_from_db()
    assert job.state == State.CANCELLED and "7" in job.message and not job.file
    assert not any((tmp_path / "uploads").rglob("*.upload"))


def test_a_command_line_import_is_recorded_and_staff_can_undo_it(
    client, sam, tmp_path, django_capture_on_commit_callbacks
):
    path = workbook(tmp_path, [row(EnterpriseFactory())])
    out = io.StringIO()
    call_command("import_declarations", path, "--json", stdout=out)
    assert json.loads(out.getvalue())["created"] == 1  # the contract is unchanged
    job = DeclarationImport.objects.get()
    assert (job.state, job.created, job.file.name) == (State.COMMITTED, 1, "")
    client.force_login(sam)
    act(client, django_capture_on_commit_callbacks, job, "undo")
    assert job.state == State.UNDONE and not Declaration.objects.exists()


def test_a_dry_run_records_nothing(db, tmp_path):
    path = workbook(tmp_path, [row(EnterpriseFactory())])
    call_command("import_declarations", path, "--dry-run", stdout=io.StringIO())
    assert not DeclarationImport.objects.exists() and not Declaration.objects.exists()


def test_the_progress_poll_reloads_the_page_once_the_check_is_done(
    client, sam, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(sam)
    job = _upload_one_declaration(client, django_capture_on_commit_callbacks, tmp_path)
    polled = client.get(job_url(job, "progress"), headers={"HX-Request": "true"})
    assert polled.status_code == 200 and polled["HX-Refresh"] == "true"
    DeclarationImport.objects.filter(pk=job.pk).update(state=State.VALIDATING, rows_validated=1)
    running = client.get(job_url(job, "progress"), headers={"HX-Request": "true"})
    assert "HX-Refresh" not in running and "hx-get" in running.content.decode()


@pytest.mark.parametrize("state", [State.COMMITTED, State.UNDONE, State.CANCELLED])
def test_only_a_job_waiting_for_confirmation_can_be_confirmed(db, state):
    job = DeclarationImport.objects.create(filename="x.xlsx", state=state)
    with pytest.raises(ValidationError):
        engine.job_confirm(job=job)


def test_the_preview_lives_in_its_own_table_and_a_page_reads_only_its_rows(
    client, sam, tmp_path, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    """Issue 16: a batch's preview was JSON on its row, loaded whole to show
    any page of it; now the job keeps counts and each page is one query."""
    from chunshu_union.imports.models import ImportRow
    from tests.factories import credit_code

    rows = [row(credit_code(9000 + n), f"公司{n}") for n in range(150)]
    client.force_login(sam)
    job = upload(
        client, django_capture_on_commit_callbacks, DeclarationImport, workbook(tmp_path, rows)
    )
    assert job.preview == {"new": 150, "changed": 0}
    assert ImportRow.objects.filter(job_model=job.label(), job_id=job.pk).count() == 150
    with django_assert_max_num_queries(12):
        second = client.get(job_url(job) + "rows/new/?page=2").content.decode()
    assert "公司100" in second and "公司99<" not in second
    engine.job_cancel(job=job)  # closed unwritten: its preview goes with it
    assert not ImportRow.objects.filter(job_model=job.label(), job_id=job.pk).exists()

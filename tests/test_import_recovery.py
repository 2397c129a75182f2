"""Issue 16's findings on the import flow, reproduced: a commit that comes
back late writes what was previewed or nothing; a step the broker never
delivered, or that a dead worker left, is sent again or failed with a
reason, never left "checking" for ever; the broker or the cache being down
is no 500; a job that is not written can always be cancelled."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from chunshu_union.celery import app as celery_app
from chunshu_union.imports import engine, upkeep
from chunshu_union.imports.models import State
from dues.models import Declaration, DeclarationImport
from members.models import ImportBatch, Member
from members.roster.services import roster_import
from tests import samples
from tests.factories import EnterpriseFactory
from tests.import_flow import act, job_url, upload

from .dues.helpers import declare
from .dues.test_import import row, workbook

ACME = samples.ACME
LATER = datetime.timedelta(minutes=10)

pytestmark = pytest.mark.usefixtures("private_uploads")


def roster_upload(client, capture, rows) -> ImportBatch:
    roster = SimpleUploadedFile("花名册.xlsx", samples.xlsx(rows))
    with capture(execute=True):
        client.post(reverse("portal:import_new"), {"file": roster})
    return ImportBatch.objects.latest("pk")


def test_a_late_roster_commit_does_not_undo_an_import_made_in_between(
    client, alice, acme, django_capture_on_commit_callbacks
):
    """The review's replay: a commit that came back after its worker died
    reverted 1,000 phones an import in between had changed."""
    capture = django_capture_on_commit_callbacks
    roster_import(source=samples.xlsx(samples.people(3, [ACME])), filename="a.xlsx")
    client.force_login(alice)
    first = [samples.person_row(n, ACME, 联系电话=f"1390000000{n}") for n in range(3)]
    batch = roster_upload(client, capture, first)
    assert (batch.state, batch.updated) == (State.PREVIEWED, 3)
    with capture(execute=False) as late:  # confirmed; the worker dies before writing
        client.post(reverse("portal:import_confirm", args=[batch.pk]))
    newer = [samples.person_row(n, ACME, 联系电话=f"1370000000{n}") for n in range(3)]
    roster_import(source=samples.xlsx(newer), filename="newer.xlsx")
    for callback in late:  # the commit comes back
        callback()
    batch.refresh_from_db()
    assert batch.state == State.PREVIEWED and "数据已有更新" in batch.message
    phones = sorted(Member.objects.values_list("phone", flat=True))
    assert phones == ["13700000000", "13700000001", "13700000002"]  # the newer import stays
    # The preview now shows what confirming would change from the newer data.
    assert batch.updated == 3 and batch.created == 0


def test_a_late_declaration_commit_writes_nothing_over_newer_figures(
    client, sam, tmp_path, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    a = EnterpriseFactory()
    declare(a, "2017Q3")
    client.force_login(sam)
    job = upload(client, capture, DeclarationImport, workbook(tmp_path, [row(a, due="99")]))
    with capture(execute=False) as late:
        client.post(job_url(job, "confirm"))
    newer = tmp_path / "newer"
    newer.mkdir()
    from django.core.management import call_command

    call_command("import_declarations", workbook(newer, [row(a, due="50")]), stdout=None)
    for callback in late:
        callback()
    job.refresh_from_db()
    assert job.state == State.PREVIEWED and "数据已有更新" in job.message
    assert str(Declaration.objects.get().amount_due) == "50.00"


def test_a_commit_that_ran_is_never_redone_and_says_what_it_wrote(
    client, alice, acme, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    client.force_login(alice)
    batch = roster_upload(client, capture, samples.people(3, [ACME]))
    act_portal = reverse("portal:import_confirm", args=[batch.pk])
    with capture(execute=True):
        client.post(act_portal)
    batch.refresh_from_db()
    assert (batch.state, batch.rows_written, batch.created) == (State.COMMITTED, 3, 3)
    engine.job_commit(label=batch.label(), pk=batch.pk)  # redelivered an hour later
    batch.refresh_from_db()
    assert (batch.state, batch.rows_written, batch.created) == (State.COMMITTED, 3, 3)
    assert Member.objects.count() == 3


def test_the_reaper_sends_again_a_check_no_worker_took(
    client, sam, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(sam)
    path = workbook(tmp_path, [row(EnterpriseFactory())])
    with open(path, "rb") as handle, django_capture_on_commit_callbacks(execute=False):
        client.post("/admin/dues/declarationimport/add/", {"file": handle})  # never delivered
    job = DeclarationImport.objects.get()
    assert job.state == State.PENDING and job.heartbeat_at is None
    assert upkeep.jobs_reap(now=timezone.now()) == 0  # within the grace: still expected
    page = client.get(job_url(job, "progress")).content.decode()
    assert "后台服务暂时没有响应" not in page
    assert upkeep.jobs_reap(now=timezone.now() + LATER) == 1
    job.refresh_from_db()
    assert job.state == State.PREVIEWED and job.created == 1


def test_the_page_says_so_when_no_worker_takes_the_import(
    client, sam, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_QUEUE_GRACE_SECONDS = 0
    client.force_login(sam)
    path = workbook(tmp_path, [row(EnterpriseFactory())])
    with open(path, "rb") as handle, django_capture_on_commit_callbacks(execute=False):
        client.post("/admin/dues/declarationimport/add/", {"file": handle})
    job = DeclarationImport.objects.get()
    page = client.get(job_url(job)).content.decode()
    assert "后台服务暂时没有响应" in page and "cancel-form" in page


def test_a_check_a_dead_worker_left_is_retried_then_failed_with_a_reason(
    db, settings, tmp_path, client, sam, django_capture_on_commit_callbacks
):
    settings.IMPORT_MAX_ATTEMPTS = 2
    client.force_login(sam)
    path = workbook(tmp_path, [row(EnterpriseFactory())])
    job = upload(client, django_capture_on_commit_callbacks, DeclarationImport, path)
    dead = timezone.now() - LATER
    DeclarationImport.objects.filter(pk=job.pk).update(
        state=State.VALIDATING, heartbeat_at=dead, attempts=1
    )
    assert upkeep.jobs_reap() == 1  # retried: the check runs again
    job.refresh_from_db()
    assert job.state == State.PREVIEWED and job.attempts == 2
    DeclarationImport.objects.filter(pk=job.pk).update(
        state=State.VALIDATING, heartbeat_at=dead, attempts=2
    )
    assert upkeep.jobs_reap() == 1
    job.refresh_from_db()
    assert job.state == State.FAILED and "中断了 2 次" in job.message
    page = client.get(job_url(job)).content.decode()
    assert "retry-form" in page  # the file is kept: staff can try again
    act(client, django_capture_on_commit_callbacks, job, "retry")
    assert job.state == State.PREVIEWED


def test_a_live_check_is_left_alone_and_cannot_be_cancelled(db, client, sam, tmp_path):
    job = DeclarationImport.objects.create(
        filename="x.xlsx", state=State.VALIDATING, heartbeat_at=timezone.now()
    )
    assert upkeep.jobs_reap() == 0
    with pytest.raises(ValidationError):
        engine.job_cancel(job=job)
    DeclarationImport.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - LATER)
    engine.job_cancel(job=job)  # a dead worker's job can be
    job.refresh_from_db()
    assert job.state == State.CANCELLED


@pytest.fixture
def broker_down(settings):
    """A broker that refuses connections (a real closed port, no mock)."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url, conf.broker_transport_options
    conf.task_always_eager = False
    conf.broker_url = "redis://127.0.0.1:9/0"
    conf.broker_transport_options = {"max_retries": 0}
    celery_app._pool = None
    yield
    conf.task_always_eager, conf.broker_url, conf.broker_transport_options = saved
    celery_app._pool = None


def test_an_upload_while_the_broker_is_down_is_accepted_and_goes_on_later(
    client, sam, tmp_path, broker_down, django_capture_on_commit_callbacks
):
    client.force_login(sam)
    path = workbook(tmp_path, [row(EnterpriseFactory())])
    with open(path, "rb") as handle, django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/dues/declarationimport/add/", {"file": handle})
    assert response.status_code == 302  # not a 500
    job = DeclarationImport.objects.get()
    assert job.state == State.PENDING and job.file


def test_the_progress_poll_is_no_500_when_the_cache_is_down(client, sam, settings, db):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    job = DeclarationImport.objects.create(
        filename="x.xlsx", state=State.COMMITTING, rows_total=10, heartbeat_at=timezone.now()
    )
    client.force_login(sam)
    assert client.get(job_url(job, "progress")).status_code == 200

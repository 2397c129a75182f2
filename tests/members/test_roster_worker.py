"""With a real Celery worker (CI's PostgreSQL + Redis run): the upload is
checked and written by the worker, and the portal's progress reaches the
end. Skipped where no worker runs."""

import importlib
import time

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from members.models import ImportBatch, Member
from tests import samples

ACME = "北京椿树一号科技有限公司"


def wait_for(batch, states, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if batch.state in states:
            return batch
        time.sleep(0.3)
    raise AssertionError(f"batch still {batch.state}")


@pytest.mark.celery_worker
def test_the_worker_checks_then_writes(live_celery):
    from accounts.models import Role
    from chunshu_union.imports.engine import job_confirm
    from members.roster.services import import_batch_create
    from tests.factories import EnterpriseFactory, community, user

    importlib.import_module("enterprises.migrations.0002_street_and_communities").create(apps, None)
    EnterpriseFactory(name=ACME, community=community(1))
    chair = user("alice", Role.CHAIR, community(1))
    upload = SimpleUploadedFile("花名册.xlsx", samples.xlsx(samples.people(30, [ACME])))
    with transaction.atomic():
        batch = import_batch_create(upload=upload, community=chair.community, by=chair)
    wait_for(batch, {ImportBatch.State.PREVIEWED, ImportBatch.State.FAILED})
    assert (batch.state, batch.created, batch.rows_validated) == ("previewed", 30, 30)
    with transaction.atomic():
        job_confirm(job=batch)
    wait_for(batch, {ImportBatch.State.COMMITTED, ImportBatch.State.FAILED})
    assert batch.state == ImportBatch.State.COMMITTED and batch.rows_written == 30
    assert Member.objects.count() == 30

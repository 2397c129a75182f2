"""Uploads in S3-compatible object storage (docs/SCALING.md, "Uploads"):
with STORAGE_S3_* set, a chair's roster goes to the bucket, is checked and
written from there, and leaves nothing in the upload folder — what web
servers and workers on different machines need. moto's server mode stands in
for MinIO on 127.0.0.1 (a real HTTP S3 endpoint, started by the test)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.models import ImportBatch, Member
from tests import samples

boto3 = pytest.importorskip("boto3")
pytest.importorskip("storages")
pytest.importorskip("moto.server")

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_uploads")]

BUCKET = "chunshu-imports"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server on 127.0.0.1, for this module."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("moto's server did not start")
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def bucket(s3_endpoint, settings):
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGE_S3_BUCKET = BUCKET
    settings.STORAGE_S3_ENDPOINT_URL = s3_endpoint
    settings.STORAGE_S3_ACCESS_KEY = "test"
    settings.STORAGE_S3_SECRET_KEY = "test"
    settings.STORAGE_S3_PREFIX = "imports"
    yield client
    for listed in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=listed["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _objects(client) -> list[str]:
    return [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_a_roster_import_runs_through_object_storage(
    client, alice, acme, bucket, private_uploads, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    rows = samples.people(3, [samples.ACME])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal:import_new"),
            {"file": SimpleUploadedFile("花名册.xlsx", samples.xlsx(rows))},
        )
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    # Checked from the bucket: the preview is there, the folder is empty.
    assert batch.state == ImportBatch.State.PREVIEWED, batch.error
    assert batch.created == 3
    stored = _objects(bucket)
    assert len(stored) == 1 and stored[0].startswith("imports/") and stored[0].endswith(".upload")
    assert not private_uploads.exists() or not any(private_uploads.rglob("*.upload"))
    page = client.get(reverse("portal:import_detail", args=[batch.pk])).content.decode()
    assert "确认并写入" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.COMMITTED
    assert Member.objects.count() == 3
    assert _objects(bucket) == []  # written, then dropped from the bucket


def test_a_cancelled_upload_leaves_the_bucket(
    client, alice, acme, bucket, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("portal:import_new"),
            {
                "file": SimpleUploadedFile(
                    "花名册.xlsx", samples.xlsx(samples.people(2, [samples.ACME]))
                )
            },
        )
    batch = ImportBatch.objects.get()
    assert len(_objects(bucket)) == 1
    client.post(reverse("portal:import_cancel", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.CANCELLED
    assert _objects(bucket) == []
    assert Member.objects.count() == 0


def test_without_the_settings_uploads_stay_in_the_folder(
    client, alice, acme, private_uploads, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("portal:import_new"),
            {
                "file": SimpleUploadedFile(
                    "花名册.xlsx", samples.xlsx(samples.people(2, [samples.ACME]))
                )
            },
        )
    assert ImportBatch.objects.get().state == ImportBatch.State.PREVIEWED
    assert any(private_uploads.rglob("*.upload"))

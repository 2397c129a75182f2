"""The row every import lives in (abstract: each importer has its own table)."""

from __future__ import annotations

import datetime
import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chunshu_union.storage import import_s3_storage


class _PrivateUploads(FileSystemStorage):
    """Uploaded files hold personal data: kept under IMPORT_UPLOAD_ROOT,
    which no URL serves, and removed once the import is confirmed or
    cancelled. The folder is read from the settings at each use (tests and
    deployments move it)."""

    @property
    def base_location(self):
        return str(settings.IMPORT_UPLOAD_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    # With STORAGE_S3_BUCKET set, the same calls go to object storage
    # (chunshu_union.storage): web and workers on different machines.
    def _open(self, name, mode="rb"):
        s3 = import_s3_storage()
        return s3._open(name, mode) if s3 else super()._open(name, mode)

    def _save(self, name, content):
        s3 = import_s3_storage()
        return s3._save(name, content) if s3 else super()._save(name, content)

    def get_available_name(self, name, max_length=None):
        s3 = import_s3_storage()
        if s3:
            return s3.get_available_name(name, max_length=max_length)
        return super().get_available_name(name, max_length=max_length)

    def delete(self, name):
        s3 = import_s3_storage()
        return s3.delete(name) if s3 else super().delete(name)

    def exists(self, name):
        s3 = import_s3_storage()
        return s3.exists(name) if s3 else super().exists(name)

    def size(self, name):
        s3 = import_s3_storage()
        return s3.size(name) if s3 else super().size(name)

    def listdir(self, path):
        s3 = import_s3_storage()
        return s3.listdir(path) if s3 else super().listdir(path)


_private_uploads = _PrivateUploads()


def private_uploads():
    return _private_uploads


def upload_path(job, filename: str) -> str:
    """Never the uploader's file name (it may name a person): a random one,
    in a folder per importer and month."""
    return f"{job.upload_folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.upload"


class State(models.TextChoices):
    PENDING = "pending", pgettext_lazy("import state", "Waiting")
    VALIDATING = "validating", pgettext_lazy("import state", "Checking")
    PREVIEWED = "previewed", pgettext_lazy("import state", "Ready to confirm")
    COMMITTING = "committing", pgettext_lazy("import state", "Writing")
    COMMITTED = "committed", pgettext_lazy("import state", "Imported")
    FAILED = "failed", pgettext_lazy("import state", "Failed")
    CANCELLED = "cancelled", pgettext_lazy("import state", "Cancelled")
    UNDONE = "undone", pgettext_lazy("import state", "Undone")


RUNNING = (State.PENDING, State.VALIDATING, State.COMMITTING)


class ImportJobQuerySet(models.QuerySet):
    def light(self):
        """Without the columns that grow with the file (the preview, the
        faults): lists and pages that show a job's state and counts need
        none of them."""
        return self.defer(*self.model.BULKY_FIELDS)

    def for_progress(self):
        """Only what the progress poll shows, however large the job."""
        return self.only(*self.model.PROGRESS_FIELDS)


class ImportJob(models.Model):
    """One import of one file: who uploaded it, its state and progress, what
    the check found (counts, faults, preview) and what the commit wrote."""

    State = State

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    file = models.FileField(_("file"), upload_to=upload_path, storage=private_uploads, blank=True)
    filename = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True)
    skip_invalid = models.BooleanField(_("skip invalid rows"), default=False)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING, db_index=True
    )
    message = models.TextField(_("message"), blank=True)
    rows_total = models.PositiveIntegerField(_("rows in the file"), default=0)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_validated = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    created = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    invalid = models.PositiveIntegerField(_("faulty rows"), default=0)
    #: The faults found, each {row, column, message} (the first ones: an
    #: importer keeps as many as its pages need).
    errors = models.JSONField(_("faults"), default=list, blank=True)
    #: What the check found, per kind of row, for the preview pages.
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    #: When the current step (check or commit) was handed to the workers,
    #: and when a worker last showed it was working on it (empty: no worker
    #: has taken it yet). The reaper (upkeep.jobs_reap) sends again what no
    #: worker took, and retries or fails what a dead worker left.
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(
        _("last sign of work"), null=True, blank=True, editable=False
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    #: A digest of the database state the preview was made against: a
    #: commit writes only if it finds the same (engine.job_commit).
    preview_digest = models.CharField(max_length=64, blank=True, editable=False)
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ImportJobQuerySet.as_manager()

    #: Dotted path of the app's `engine.Importer` subclass for this table.
    importer_path: str = ""
    #: The folder its uploads wait in, under IMPORT_UPLOAD_ROOT.
    upload_folder: str = "imports"
    #: Columns that hold something of the uploaded file, emptied when the
    #: job no longer needs it (upkeep.jobs_purge).
    HOLDING_FIELDS: tuple[str, ...] = ("file",)
    #: Columns whose size follows the file's: never loaded to show a state.
    BULKY_FIELDS: tuple[str, ...] = ("errors", "preview")
    PROGRESS_FIELDS: tuple[str, ...] = (
        "id",
        "state",
        "queued_at",
        "heartbeat_at",
        "rows_total",
        "rows_read",
        "rows_validated",
        "rows_written",
        "invalid",
    )

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.filename} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.state in RUNNING

    @property
    def is_live(self) -> bool:
        """A worker is on it now (its heartbeat is recent)."""
        return (
            self.is_running
            and self.heartbeat_at is not None
            and (self.heartbeat_at >= timezone.now() - stale_after(self.state))
        )

    @classmethod
    def label(cls) -> str:
        return cls._meta.label


def stale_after(state: str) -> datetime.timedelta:
    """How long a step may show no sign of work before its worker is taken
    for dead. A check beats every few thousand rows; a commit writes in one
    transaction, silent until it ends, so it is given the task's hard time
    limit (a live commit cannot run longer)."""
    if state == State.COMMITTING:
        return datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    return datetime.timedelta(seconds=settings.IMPORT_STALE_SECONDS)


class ImportRow(models.Model):
    """One row of an import's preview (a new member, a changed declaration,
    a row of a sheet …), kept in its own table so that a page of the preview
    is one indexed query however large the file, and no list of imports
    ever loads them. `job` is the importer's model label and the job's id
    (every importer has its own job table)."""

    job_model = models.CharField(max_length=60)
    job_id = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=20)
    position = models.PositiveIntegerField()
    data = models.JSONField()

    class Meta:
        verbose_name = _("preview row")
        verbose_name_plural = _("preview rows")
        constraints = [
            models.UniqueConstraint(
                fields=["job_model", "job_id", "kind", "position"], name="import_row_position"
            )
        ]

    def __str__(self):
        return f"{self.job_model}:{self.job_id} {self.kind} {self.position}"

"""The life of an import job, the same for every importer.

An app describes its importer by subclassing `Importer`; these functions
move its jobs through their states. Every move is a conditional UPDATE
(`_claim`), because tasks are acknowledged late and may run twice: the
second run finds the job no longer in the state it expects and does
nothing."""

from __future__ import annotations

import datetime
import hashlib
import logging
from typing import Any

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from chunshu_union.tabular import FileRejected
from chunshu_union.tabular.reader import read_bytes
from chunshu_union.tabular.result import ImportResult

from .models import ImportJob, State

logger = logging.getLogger(__name__)


class Importer:
    """What one importer supplies to the flow. `check` reads and validates
    the file against the database and returns whatever the importer needs
    later (its "checked" object); nothing is written until `write`."""

    def check(self, job: ImportJob, data: bytes, progress) -> Any:
        """Raise FileRejected for a file that cannot be read at all.
        `progress(stage, n)`: stage "read" (n rows in the file) or
        "validated" (n rows checked so far)."""
        raise NotImplementedError

    def store(self, job: ImportJob, checked: Any) -> None:
        """Put the check's counts, faults and preview on the job (unsaved)."""
        raise NotImplementedError

    def write(self, job: ImportJob, checked: Any, *, progress) -> ImportResult:
        """Write in one transaction and mark the job committed, or leave it
        failed with a message and write nothing. `progress(n)`: rows
        written so far."""
        raise NotImplementedError

    def undo(self, job: ImportJob, *, by) -> None:
        """Put back what the job wrote, or raise ValidationError saying why
        it cannot be. The job is locked and committed when this runs."""
        raise ValidationError(_("This kind of import cannot be undone."))

    def committed(self, job: ImportJob, result: ImportResult) -> None:
        """After a commit that wrote (on the commit's own transaction)."""

    def undone(self, job: ImportJob) -> None:
        """After an undo."""

    def discard(self, job: ImportJob, *, keep_faulty_rows: bool) -> dict:
        """Columns to empty, besides the file, when the job lets its file
        go. Returns {field: empty value}."""
        return {}


def importer_for(job_or_model) -> Importer:
    return import_string(job_or_model.importer_path)()


def _model(label: str) -> type[ImportJob]:
    return apps.get_model(label)


def _claim(model, pk: int, from_states, to_state) -> bool:
    """Move a job between states only if no one else did."""
    return bool(model.objects.filter(pk=pk, state__in=from_states).update(state=to_state))


# --- upload and check ------------------------------------------------------------


def job_start(*, job: ImportJob, upload) -> ImportJob:
    """Keep the uploaded file on a new (unsaved) job and queue its check.
    The file is hashed now so that the same upload can be recognised."""
    data = read_bytes(upload)
    job.filename = (getattr(upload, "name", "") or job.filename or "upload")[-255:]
    job.file_sha256 = hashlib.sha256(data).hexdigest()
    job.state = State.PENDING
    job.file.save("upload", ContentFile(data), save=False)
    job.save()
    label, pk = job.label(), job.pk
    transaction.on_commit(lambda: _send("check", label, pk))
    return job


def _send(step: str, label: str, pk: int) -> None:
    (import_job_check if step == "check" else import_job_commit).delay(label, pk)


def job_check(*, label: str, pk: int) -> None:
    """The check of an uploaded file (a Celery task's body). Idempotent."""
    model = _model(label)
    if not _claim(model, pk, [State.PENDING, State.VALIDATING], State.VALIDATING):
        return
    job = model.objects.get(pk=pk)
    importer = importer_for(job)

    def progress(stage: str, n: int) -> None:
        if stage == "read":
            model.objects.filter(pk=pk).update(rows_total=n)
        else:
            model.objects.filter(pk=pk).update(rows_read=n, rows_validated=n)

    try:
        with job.file.open("rb") as handle:
            checked = importer.check(job, handle.read(), progress)
    except FileRejected as rejected:
        job_fail(job, rejected.message)
        return
    except Exception:
        # A bug, not the file: the uploader gets a sentence, the log the
        # traceback, and the job does not stay "checking" for ever.
        logger.exception("check of %s %s failed", label, pk)
        job_fail(job, unexpected_message())
        return
    importer.store(job, checked)
    job.state = State.PREVIEWED
    job.save()


def unexpected_message() -> str:
    return _(
        "The file could not be processed because of an unexpected error; nothing was written."
        " Please tell the street union."
    )


def job_fail(job: ImportJob, message: str) -> None:
    job.state = State.FAILED
    job.message = message
    job.save(update_fields=["state", "message"])
    job_discard(job)


def job_discard(job: ImportJob, *, keep_faulty_rows: bool = False) -> None:
    """Delete what a job holds of the file: the upload itself, and whatever
    else its importer keeps of it (unless asked to keep the faulty rows for
    an error report)."""
    if job.file:
        job.file.delete(save=False)
    cleared = {"file": "", **importer_for(job).discard(job, keep_faulty_rows=keep_faulty_rows)}
    type(job).objects.filter(pk=job.pk).update(**cleared)
    for name, value in cleared.items():
        setattr(job, name, value)


# --- confirm and commit ----------------------------------------------------------


def _written_key(job: ImportJob) -> str:
    return f"import-{job._meta.label_lower}-{job.pk}-written"


def rows_written(job: ImportJob) -> int:
    """Progress of the write, which happens inside a transaction that other
    connections cannot see into: kept in the cache while it runs."""
    if job.state == State.COMMITTING:
        return cache.get(_written_key(job), 0)
    return job.rows_written


def progress_of(job) -> dict:
    """Where a job stands, for its page and the poll."""
    total = job.rows_total or 0
    if job.state == State.COMMITTING:
        done, total = rows_written(job), max(job.rows_total - job.invalid, 1)
        stage = _("Writing")
    elif job.state in (State.PENDING, State.VALIDATING):
        done, stage = job.rows_validated, _("Reading and checking")
    else:
        done, stage = total, job.get_state_display()
    return {
        "stage": stage,
        "done": done,
        "total": total,
        "percent": min(100, round(100 * done / total)) if total else 0,
        "read": job.rows_read,
        "validated": job.rows_validated,
        "written": rows_written(job),
    }


def job_confirm(*, job: ImportJob, skip_invalid: bool = False) -> None:
    if job.state != State.PREVIEWED:
        raise ValidationError(_("This import is not waiting for confirmation."))
    if job.invalid and not skip_invalid:
        raise ValidationError(
            _(
                "The file has faulty rows: correct them and upload again, or choose to import"
                " only the valid rows."
            )
        )
    if job.invalid and job.invalid >= job.rows_total:
        raise ValidationError(_("No row of the file is valid; there is nothing to import."))
    model = type(job)
    model.objects.filter(pk=job.pk).update(skip_invalid=skip_invalid)
    if not _claim(model, job.pk, [State.PREVIEWED], State.COMMITTING):
        raise ValidationError(_("This import is not waiting for confirmation."))
    job.state, job.skip_invalid = State.COMMITTING, skip_invalid
    cache.set(_written_key(job), 0, 3600)
    label, pk = job.label(), job.pk
    transaction.on_commit(lambda: _send("commit", label, pk))


def job_commit(*, label: str, pk: int) -> None:
    """Write a confirmed job (a Celery task's body). The file is checked
    again, because the database may have changed since the preview."""
    model = _model(label)
    job = model.objects.get(pk=pk)
    if job.state != State.COMMITTING:
        return
    importer = importer_for(job)
    try:
        with job.file.open("rb") as handle:
            checked = importer.check(job, handle.read(), lambda stage, n: None)
    except (FileRejected, FileNotFoundError, ValueError) as error:
        job_fail(job, getattr(error, "message", _("The uploaded file is no longer there.")))
        return
    try:
        result = job_write(job=job, checked=checked, importer=importer)
    except Exception:
        logger.exception("commit of %s %s failed", label, pk)
        job_fail(job, unexpected_message())
        return
    if result.written:
        # The faulty rows the uploader chose to skip stay for the error report.
        job_discard(job, keep_faulty_rows=True)
    elif job.state == State.FAILED and job.invalid:
        # New faults since the preview (someone changed the data): show them again.
        job.state = State.PREVIEWED
        job.message = _("The data changed since the preview; please look at the preview again.")
        job.save(update_fields=["state", "message"])
    elif job.state == State.FAILED:
        job_discard(job)


def job_write(*, job: ImportJob, checked, importer: Importer | None = None) -> ImportResult:
    """Store the check on the job and write it (the commit task, and the
    command line, which checks and writes in one go)."""
    importer = importer or importer_for(job)
    importer.store(job, checked)
    key = _written_key(job)
    result = importer.write(job, checked, progress=lambda n: cache.set(key, n, 3600))
    if result.written:
        importer.committed(job, result)
    return result


# --- cancel and undo -------------------------------------------------------------


def job_cancel(*, job: ImportJob) -> None:
    model = type(job)
    if not _claim(model, job.pk, [State.PREVIEWED, State.FAILED, State.PENDING], State.CANCELLED):
        raise ValidationError(_("Only an import that has not been written can be cancelled."))
    job.refresh_from_db(fields=["state", "file"])
    job_discard(job)


@transaction.atomic
def job_undo(*, job: ImportJob, by=None) -> ImportJob:
    """Undo a committed job as one unit, or refuse with the reason."""
    model = type(job)
    job = model.objects.select_for_update().get(pk=job.pk)
    if job.state != State.COMMITTED:
        raise ValidationError(_("Only an import that was written can be undone."))
    importer = importer_for(job)
    importer.undo(job, by=by)
    job.state = State.UNDONE
    job.undone_at = timezone.now()
    job.undone_by = by
    job.save(update_fields=["state", "undone_at", "undone_by"])
    job_discard(job)
    importer.undone(job)
    return job


# --- purge -----------------------------------------------------------------------


def import_models() -> list[type[ImportJob]]:
    return [m for m in apps.get_models() if issubclass(m, ImportJob)]


def jobs_purge(*, now=None) -> int:
    """Delete the uploaded files (and whatever else of a file an importer
    keeps, e.g. a roster's sealed faulty rows) that jobs no longer need:
    those of closed jobs (their own services already do it, this catches
    any left behind) and, once IMPORT_FILES_DAYS have passed since the
    upload, of every job. A job still waiting for confirmation then is
    cancelled (its file is gone), one stuck in a working state fails.
    Idempotent: the nightly beat task; returns how many jobs it emptied."""
    now = now or timezone.now()
    deadline = now - datetime.timedelta(days=settings.IMPORT_FILES_DAYS)
    due = Q(state__in=[State.CANCELLED, State.FAILED, State.UNDONE]) | Q(created_at__lt=deadline)
    purged = 0
    for model in import_models():
        holding = Q()
        for name in model.HOLDING_FIELDS:
            holding |= ~Q(**{name: ""})
        for job in model.objects.filter(holding, due).only("id", "state", "file"):
            _close_abandoned(model, job)
            job_discard(job)
            purged += 1
    return purged


def _close_abandoned(model, job: ImportJob) -> None:
    if job.state in (State.PENDING, State.PREVIEWED):
        message = _(
            "This import was not confirmed within %(days)d days and was cancelled; the"
            " uploaded file was deleted. Please upload it again."
        ) % {"days": settings.IMPORT_FILES_DAYS}
        if _claim(model, job.pk, [job.state], State.CANCELLED):
            model.objects.filter(pk=job.pk).update(message=message)
    elif job.state in (State.VALIDATING, State.COMMITTING):
        if _claim(model, job.pk, [job.state], State.FAILED):
            model.objects.filter(pk=job.pk).update(message=unexpected_message())


# --- the background steps --------------------------------------------------------
# Tasks take the job's model label and id, are idempotent (the job's state
# says what is left to do) and acknowledge late, so a task whose worker died
# is run again without doing anything twice.


@shared_task(acks_late=True, reject_on_worker_lost=True, name="imports.check")
def import_job_check(label: str, pk: int) -> None:
    job_check(label=label, pk=pk)


@shared_task(acks_late=True, reject_on_worker_lost=True, name="imports.commit")
def import_job_commit(label: str, pk: int) -> None:
    job_commit(label=label, pk=pk)


@shared_task(acks_late=True, reject_on_worker_lost=True, name="imports.purge")
def import_jobs_purge() -> int:
    """Nightly (beat): uploads and kept faulty rows past IMPORT_FILES_DAYS,
    or of closed jobs, are deleted."""
    return jobs_purge()

"""The life of an import job, the same for every importer.

An app describes its importer by subclassing `Importer`; these functions
move its jobs through their states. Every move is a conditional UPDATE
(`claim`, `_take`), because tasks are acknowledged late and may run twice: the
second run finds the job no longer in the state it expects and does
nothing."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from kombu.exceptions import KombuError

from chunshu_union.cache import remember
from chunshu_union.tabular import FileRejected
from chunshu_union.tabular.reader import read_bytes
from chunshu_union.tabular.result import ImportResult

from .models import ImportJob, ImportRow, State, stale_after
from .selectors import written_key

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
        """Put the check's counts and faults on the job (unsaved)."""
        raise NotImplementedError

    def preview(self, checked: Any) -> dict[str, list[dict]]:
        """The rows the preview pages list, per kind ("new", "changed" …):
        only what the uploader may see (identifiers masked)."""
        return {}

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

    def fingerprint(self, checked: Any) -> str:
        """A digest of the database state the check compared the file with
        (the rows it would create, the values it would change): a commit
        writes only if it finds the same state as the preview did."""
        return ""

    def discard(self, job: ImportJob, *, keep_faulty_rows: bool) -> dict:
        """Columns to empty, besides the file, when the job lets its file
        go. Returns {field: empty value}."""
        return {}


def importer_for(job_or_model) -> Importer:
    return import_string(job_or_model.importer_path)()


def _model(label: str) -> type[ImportJob]:
    return apps.get_model(label)


def claim(model, pk: int, from_states, to_state) -> bool:
    """Move a job between states only if no one else did."""
    return bool(model.objects.filter(pk=pk, state__in=from_states).update(state=to_state))


def not_live(state: str, now) -> Q:
    """No worker is on the step: none took it yet, or its last sign of
    work is older than a live worker's would be."""
    return Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - stale_after(state))


def _take(model, pk: int, state: str, *, from_states=(), redelivered: bool = False) -> bool:
    """A worker takes a step: from `from_states`, or `state` itself when no
    worker is on it (a task delivered twice, or again after its worker
    died, finds it taken and does nothing). A task the broker gave back
    (`redelivered`: the worker that held it is gone — RabbitMQ does so when
    its connection drops, Redis after the visibility timeout, which is
    longer than any task may run) takes its step at once, without waiting
    for the dead worker's heartbeat to go stale, up to IMPORT_MAX_ATTEMPTS
    (a file that kills its worker each time is then failed by the reaper).
    Even then a commit is never written twice: it writes under the job's
    row lock, only while the job is still committing."""
    now = timezone.now()
    free = not_live(state, now)
    if redelivered:
        free |= Q(attempts__lt=settings.IMPORT_MAX_ATTEMPTS)
    eligible = Q(state__in=from_states) | (Q(state=state) & free)
    return bool(
        model.objects.filter(eligible, pk=pk).update(
            state=state, heartbeat_at=now, attempts=F("attempts") + 1
        )
    )


def _beat(model, pk: int, **fields) -> None:
    model.objects.filter(pk=pk).update(heartbeat_at=timezone.now(), **fields)


# --- upload and check ------------------------------------------------------------


def job_start(*, job: ImportJob, upload) -> ImportJob:
    """Keep the uploaded file on a new (unsaved) job and queue its check.
    The file is hashed now so that the same upload can be recognised."""
    data = read_bytes(upload)
    job.filename = (getattr(upload, "name", "") or job.filename or "upload")[-255:]
    job.file_sha256 = hashlib.sha256(data).hexdigest()
    job.state = State.PENDING
    job.queued_at = timezone.now()
    job.file.save("upload", ContentFile(data), save=False)
    job.save()
    _queue("check", job)
    return job


def _queue(step: str, job: ImportJob) -> None:
    """Hand a step to the workers once the job's row is committed: the row
    is the outbox. If the broker is down the step waits on the row, and the
    reaper sends it when the broker is back; the page says so."""
    label, pk = job.label(), job.pk
    transaction.on_commit(lambda: send_step(step, label, pk))


def send_step(step: str, label: str, pk: int) -> bool:
    task = import_job_check if step == "check" else import_job_commit
    try:
        task.delay(label, pk)
    except (KombuError, ConnectionError) as error:
        logger.warning("broker unreachable, %s of %s %s waits: %s", step, label, pk, error)
        return False
    return True


def job_check(*, label: str, pk: int, redelivered: bool = False) -> None:
    """The check of an uploaded file (a Celery task's body). Idempotent."""
    model = _model(label)
    if not _take(model, pk, State.VALIDATING, from_states=[State.PENDING], redelivered=redelivered):
        return
    job = model.objects.get(pk=pk)
    importer = importer_for(job)

    def progress(stage: str, n: int) -> None:
        if stage == "read":
            _beat(model, pk, rows_total=n)
        else:
            _beat(model, pk, rows_read=n, rows_validated=n)

    try:
        with job.file.open("rb") as handle:
            checked = importer.check(job, handle.read(), progress)
    except FileRejected as rejected:
        _fail_safely(job, rejected.message)
        return
    except Exception:
        # A bug or a fault of the system, not the file: the uploader gets a
        # sentence, the log the traceback, and the job does not stay
        # "checking" for ever. The file stays, so the job can be retried.
        logger.exception("check of %s %s failed", label, pk)
        _fail_safely(job, unexpected_message(), keep_file=True)
        return
    _store_preview(job, importer, checked)
    job.state = State.PREVIEWED
    job.heartbeat_at = None
    job.save()


def _store_preview(job: ImportJob, importer: Importer, checked) -> None:
    """The check's counts and faults on the job, its preview rows in their
    own table (the job keeps only how many of each kind), and the digest a
    commit compares with."""
    importer.store(job, checked)
    rows = importer.preview(checked)
    label = job.label()
    ImportRow.objects.filter(job_model=label, job_id=job.pk).delete()
    ImportRow.objects.bulk_create(
        (
            ImportRow(job_model=label, job_id=job.pk, kind=kind, position=n, data=item)
            for kind, items in rows.items()
            for n, item in enumerate(items)
        ),
        batch_size=5000,
    )
    job.preview = {kind: len(items) for kind, items in rows.items()}
    job.preview_digest = importer.fingerprint(checked)


def unexpected_message() -> str:
    return _(
        "The file could not be processed because of an unexpected error; nothing was written."
        " Please tell the street union."
    )


def job_fail(job: ImportJob, message: str, *, keep_file: bool = False) -> None:
    job.state = State.FAILED
    job.message = message
    job.heartbeat_at = None
    job.save(update_fields=["state", "message", "heartbeat_at"])
    if not keep_file:
        job_discard(job)


def job_refused(job: ImportJob, result: ImportResult, message: str) -> ImportResult:
    """What an importer's write returns when it wrote nothing: the job is
    failed with the reason (the file's faults, or a race it lost)."""
    job.state = State.FAILED
    job.message = message
    job.save()
    result.written = False
    return result


def _fail_safely(job: ImportJob, message: str, *, keep_file: bool = False) -> None:
    """Record a failure even when what failed was the database connection
    itself: on a broken connection, once more on a fresh one."""
    try:
        job_fail(job, message, keep_file=keep_file)
    except (OperationalError, InterfaceError):
        connection.close()
        job_fail(job, message, keep_file=keep_file)


def job_discard(job: ImportJob, *, keep_faulty_rows: bool = False) -> None:
    """Delete what a job holds of the file: the upload itself, and whatever
    else its importer keeps of it (unless asked to keep the faulty rows for
    an error report)."""
    if job.file:
        job.file.delete(save=False)
    if job.state != State.COMMITTED:  # closed unwritten (or undone): its preview is moot
        ImportRow.objects.filter(job_model=job.label(), job_id=job.pk).delete()
    cleared = {"file": "", **importer_for(job).discard(job, keep_faulty_rows=keep_faulty_rows)}
    type(job).objects.filter(pk=job.pk).update(**cleared)
    for name, value in cleared.items():
        setattr(job, name, value)


# --- confirm and commit ----------------------------------------------------------


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
    now = timezone.now()
    moved = model.objects.filter(pk=job.pk, state=State.PREVIEWED).update(
        state=State.COMMITTING,
        skip_invalid=skip_invalid,
        queued_at=now,
        heartbeat_at=None,
        attempts=0,
    )
    if not moved:
        raise ValidationError(_("This import is not waiting for confirmation."))
    job.state, job.skip_invalid, job.queued_at, job.heartbeat_at = (
        State.COMMITTING,
        skip_invalid,
        now,
        None,
    )
    remember(written_key(job), 0)
    _queue("commit", job)


def job_commit(*, label: str, pk: int, redelivered: bool = False) -> None:
    """Write a confirmed job (a Celery task's body). The file is checked
    again, because the database may have changed since the preview: if it
    has changed what the preview showed, nothing is written and the job
    goes back to its preview. Only one worker writes a job, once."""
    model = _model(label)
    if not _take(model, pk, State.COMMITTING, redelivered=redelivered):
        return
    job = model.objects.get(pk=pk)
    importer = importer_for(job)
    try:
        with job.file.open("rb") as handle:
            checked = importer.check(job, handle.read(), lambda stage, n: None)
    except (FileRejected, FileNotFoundError, ValueError) as error:
        _fail_safely(job, getattr(error, "message", _("The uploaded file is no longer there.")))
        return
    except Exception:
        logger.exception("commit check of %s %s failed", label, pk)
        _fail_safely(job, unexpected_message(), keep_file=True)
        return
    if importer.fingerprint(checked) != job.preview_digest:
        _back_to_preview(job, importer, checked)
        return
    try:
        with transaction.atomic():
            if not model.objects.select_for_update().filter(pk=pk, state=State.COMMITTING):
                return  # another worker finished it meanwhile: never written twice
            result = job_write(job=job, checked=checked, importer=importer)
    except Exception:
        logger.exception("commit of %s %s failed", label, pk)
        _fail_safely(job, unexpected_message(), keep_file=True)
        return
    if result.written:
        # The faulty rows the uploader chose to skip stay for the error report.
        job_discard(job, keep_faulty_rows=True)
    elif job.state == State.FAILED and job.invalid:
        # New faults since the preview (someone changed the data): show them again.
        _back_to_preview(job, importer, checked)
    elif job.state == State.FAILED:
        job_discard(job)


def _back_to_preview(job: ImportJob, importer: Importer, checked) -> None:
    """The data changed since the preview: show the new preview, write
    nothing; the uploader looks and confirms again."""
    _store_preview(job, importer, checked)
    job.state = State.PREVIEWED
    job.heartbeat_at = None
    job.message = _("The data changed since the preview; please look at the preview again.")
    job.save()


def job_run(*, job: ImportJob, checked) -> ImportResult:
    """The command line's check-and-write in one go, into a job saved
    beforehand (state *validating*, no file): it records what was written,
    so staff can undo it like an upload. No preview rows and no
    after-commit hook: the command does what its contract says and no more.
    A job that wrote nothing keeps nothing of the file."""
    importer = importer_for(job)
    importer.store(job, checked)
    result = importer.write(job, checked, progress=lambda n: None)
    if job.state == State.FAILED:
        job_discard(job)
    return result


def job_write(*, job: ImportJob, checked, importer: Importer | None = None) -> ImportResult:
    """Store the check on the job and write it, then the importer's
    after-commit hook (the commit task)."""
    importer = importer or importer_for(job)
    importer.store(job, checked)
    key = written_key(job)
    result = importer.write(job, checked, progress=lambda n: remember(key, n))
    if result.written:
        importer.committed(job, result)
    return result


# --- cancel and undo -------------------------------------------------------------


def job_cancel(*, job: ImportJob) -> None:
    """Cancel any job that has not been written and that no worker is on
    now (a step no worker took, or one a dead worker left, too)."""
    model = type(job)
    now = timezone.now()
    idle = Q(state__in=[State.PREVIEWED, State.FAILED, State.PENDING])
    for running in (State.PENDING, State.VALIDATING, State.COMMITTING):
        idle |= Q(state=running) & not_live(running, now)
    if not model.objects.filter(idle, pk=job.pk).update(state=State.CANCELLED, heartbeat_at=None):
        raise ValidationError(
            _(
                "Only an import that has not been written, and that is not being written right"
                " now, can be cancelled."
            )
        )
    job.refresh_from_db(fields=["state", "file"])
    job_discard(job)


def can_cancel(job: ImportJob) -> bool:
    return job.state in (State.PREVIEWED, State.FAILED, State.PENDING) or (
        job.is_running and not job.is_live
    )


def can_retry(job: ImportJob) -> bool:
    return job.state == State.FAILED and bool(job.file)


def job_retry(*, job: ImportJob) -> None:
    """Check again an upload whose check failed through no fault of the
    file (the system's), while its file is still kept."""
    model = type(job)
    if not job.file or job.state != State.FAILED:
        raise ValidationError(
            _("Only a failed import whose file is still kept can be tried again.")
        )
    moved = model.objects.filter(pk=job.pk, state=State.FAILED).update(
        state=State.PENDING, message="", queued_at=timezone.now(), heartbeat_at=None, attempts=0
    )
    if not moved:
        raise ValidationError(
            _("Only a failed import whose file is still kept can be tried again.")
        )
    job.state = State.PENDING
    _queue("check", job)


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


# --- the background steps --------------------------------------------------------
# Tasks take the job's model label and id, are idempotent (the job's state
# says what is left to do) and acknowledge late, so a task whose worker died
# is run again without doing anything twice.


def _redelivered(task) -> bool:
    return bool((task.request.delivery_info or {}).get("redelivered"))


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, name="imports.check")
def import_job_check(self, label: str, pk: int) -> None:
    job_check(label=label, pk=pk, redelivered=_redelivered(self))


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, name="imports.commit")
def import_job_commit(self, label: str, pk: int) -> None:
    job_commit(label=label, pk=pk, redelivered=_redelivered(self))

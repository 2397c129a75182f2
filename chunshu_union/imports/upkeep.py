"""The import flow's upkeep, run by beat: the reaper (every minute) sends
again the steps no worker took and retries or fails those a dead worker
left; the purge (nightly) deletes the files and kept rows jobs no longer
need. Both act only through the flow's own moves (`engine`)."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import engine
from .engine import claim, job_discard, not_live, unexpected_message
from .models import RUNNING, ImportJob, State, stale_after

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
        if claim(model, job.pk, [job.state], State.CANCELLED):
            model.objects.filter(pk=job.pk).update(message=message)
    elif job.state in (State.VALIDATING, State.COMMITTING):
        if claim(model, job.pk, [job.state], State.FAILED):
            model.objects.filter(pk=job.pk).update(message=unexpected_message())


# --- the reaper --------------------------------------------------------------------


def jobs_reap(*, now=None) -> int:
    """Every minute (beat): send again the steps no worker took (the broker
    was down, or lost them), and retry the steps a dead worker left — or,
    after IMPORT_MAX_ATTEMPTS, fail them with a reason. Returns how many
    jobs it acted on. Nothing it does can write a job twice: the workers
    take a step only if no live worker has it (`_take`)."""
    now = now or timezone.now()
    grace = now - datetime.timedelta(seconds=settings.IMPORT_QUEUE_GRACE_SECONDS)
    acted = 0
    for model in import_models():
        unsent = Q(heartbeat_at__isnull=True, queued_at__lt=grace) | Q(
            heartbeat_at__isnull=True, queued_at__isnull=True, created_at__lt=grace
        )
        for state in RUNNING:
            dead = Q(heartbeat_at__lt=now - stale_after(state))
            for job in model.objects.filter(unsent | dead, state=state).only(
                "id", "state", "attempts", "heartbeat_at", "file"
            ):
                acted += _reap(model, job, now)
    return acted


def _reap(model, job: ImportJob, now) -> int:
    step = "commit" if job.state == State.COMMITTING else "check"
    if job.heartbeat_at is not None and job.attempts >= settings.IMPORT_MAX_ATTEMPTS:
        message = _(
            "The work on this import was interrupted %(n)d times; nothing was written. Please"
            " try again, or tell the street union if it happens again."
        ) % {"n": job.attempts}
        failed = model.objects.filter(not_live(job.state, now), pk=job.pk, state=job.state).update(
            state=State.FAILED, message=message, heartbeat_at=None
        )
        return failed
    model.objects.filter(pk=job.pk, state=job.state).update(queued_at=now)
    # Through the module, so that what sends steps is one place to change.
    return int(engine.send_step(step, job.label(), job.pk))


@shared_task(acks_late=True, reject_on_worker_lost=True, name="imports.purge")
def import_jobs_purge() -> int:
    """Nightly (beat): uploads and kept faulty rows past IMPORT_FILES_DAYS,
    or of closed jobs, are deleted."""
    return jobs_purge()


@shared_task(acks_late=True, reject_on_worker_lost=True, name="imports.reap")
def import_jobs_reap() -> int:
    """Every minute (beat): steps no worker took are sent again, steps a
    dead worker left are retried or failed with a reason."""
    return jobs_reap()

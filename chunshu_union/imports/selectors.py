"""What the pages read of an import: where it stands (its progress, and
what to say when no worker is on it) and its preview rows, page by page."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from chunshu_union.cache import cached

from .models import ImportJob, ImportRow, State, stale_after


def written_key(job: ImportJob) -> str:
    return f"import-{job._meta.label_lower}-{job.pk}-written"


def rows_written(job: ImportJob) -> int:
    """Progress of the write, which happens inside a transaction that other
    connections cannot see into: kept in the cache while it runs."""
    if job.state == State.COMMITTING:
        return cached(written_key(job), 0)
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
        "waiting": _waiting(job),
        "done": done,
        "total": total,
        "percent": min(100, round(100 * done / total)) if total else 0,
        "read": job.rows_read,
        "validated": job.rows_validated,
        "written": rows_written(job),
    }


def _waiting(job) -> str:
    """What the page says when no worker has taken the step for a while:
    never a promise of progress that nothing is making."""
    if not job.is_running or job.queued_at is None:
        return ""
    now = timezone.now()
    if job.heartbeat_at is None:
        grace = datetime.timedelta(seconds=settings.IMPORT_QUEUE_GRACE_SECONDS)
        if job.queued_at < now - grace:
            return _(
                "The background service is not answering at the moment; the import waits and"
                " will go on by itself when it is back."
            )
    elif job.heartbeat_at < now - stale_after(job.state):
        return _(
            "The work on this import was interrupted; it will be tried again shortly, or you"
            " can cancel it."
        )
    return ""


def preview_count(job: ImportJob, kind: str) -> int:
    value = (job.preview or {}).get(kind, 0)
    return len(value) if isinstance(value, list) else value  # a list: kept before the table


def preview_rows(job: ImportJob, kind: str):
    """The preview rows of one kind, in file order, for a Paginator: a
    queryset of their data (or the list an import made before the rows had
    their own table)."""
    value = (job.preview or {}).get(kind)
    if isinstance(value, list):
        return value
    return (
        ImportRow.objects.filter(job_model=job.label(), job_id=job.pk, kind=kind)
        .order_by("position")
        .values_list("data", flat=True)
    )

"""Background work on rosters. Tasks take the batch id, are idempotent
(the batch's state says what is left to do) and acknowledge late, so a task
whose worker died is run again without doing anything twice."""

from celery import shared_task

from .roster.services import import_batch_check, import_batch_commit, import_batches_purge


@shared_task(acks_late=True, reject_on_worker_lost=True)
def roster_check_task(batch_id: int) -> None:
    import_batch_check(batch_id=batch_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def roster_commit_task(batch_id: int) -> None:
    import_batch_commit(batch_id=batch_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, name="members.purge_roster_uploads")
def purge_roster_uploads() -> int:
    """Nightly (beat): uploaded rosters and sealed faulty rows past
    ROSTER_ERROR_ROWS_DAYS, or of closed batches, are deleted."""
    return import_batches_purge()

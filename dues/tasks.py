"""Background jobs of union funds. They take quarter strings, call a
service, are idempotent (an unchanged recomputation adds nothing, an open
flag is not flagged twice), acknowledge late, and hold a database lock while
they write, so two runs at once (beat and a manual run, or a redelivery)
serialise instead of doubling anything. Scheduled by django-celery-beat
(migration 0002_schedules)."""

from celery import shared_task
from django.contrib.auth import get_user_model

from chunshu_union.quarters import Quarter

from .services import snapshots_recompute, snapshots_recompute_all, zombies_flag


def _user(user_id: int | None):
    if user_id is None:
        return None  # the scheduler
    return get_user_model().objects.filter(pk=user_id).first()


@shared_task(acks_late=True, reject_on_worker_lost=True, name="dues.recompute_rates")
def recompute_rates(quarter: str | None = None, by_id: int | None = None) -> dict:
    """One quarter, or every quarter with declarations; `by_id` is the user
    who asked (recorded on new revisions). Returns counts."""
    by = _user(by_id)
    if quarter:
        outcome = snapshots_recompute(quarter=Quarter.parse(quarter), by=by)
    else:
        outcome = snapshots_recompute_all(by=by)
    return {
        "created": len(outcome.created),
        "updated": len(outcome.updated),
        "unchanged": outcome.unchanged,
    }


@shared_task(acks_late=True, reject_on_worker_lost=True, name="dues.flag_zombies")
def flag_zombies(quarter: str | None = None, by_id: int | None = None) -> list[str]:
    """Flag as of `quarter` (default: the last complete quarter). Returns
    the credit codes of the open flags."""
    flags = zombies_flag(quarter=Quarter.parse(quarter) if quarter else None, by=_user(by_id))
    return sorted(f.enterprise.credit_code for f in flags)

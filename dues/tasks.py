"""Background jobs of union funds. They take quarter strings, call a
service, are idempotent (an unchanged recomputation adds nothing, an open
flag is not flagged twice), acknowledge late, and hold a database lock while
they write, so two runs at once (beat and a manual run, or a redelivery)
serialise instead of doubling anything. Scheduled by django-celery-beat
(migration 0002_schedules)."""

from celery import shared_task

from chunshu_union.quarters import Quarter

from .services import snapshots_recompute, snapshots_recompute_all, zombies_flag


@shared_task(acks_late=True, reject_on_worker_lost=True, name="dues.recompute_rates")
def recompute_rates(quarter: str | None = None) -> dict:
    """One quarter, or every quarter with declarations. Returns counts."""
    if quarter:
        outcome = snapshots_recompute(quarter=Quarter.parse(quarter))
    else:
        outcome = snapshots_recompute_all()
    return {
        "created": len(outcome.created),
        "updated": len(outcome.updated),
        "unchanged": outcome.unchanged,
    }


@shared_task(acks_late=True, reject_on_worker_lost=True, name="dues.flag_zombies")
def flag_zombies(quarter: str | None = None) -> list[str]:
    """Flag as of `quarter` (default: the last complete quarter). Returns
    the credit codes of the open flags."""
    flags = zombies_flag(quarter=Quarter.parse(quarter) if quarter else None)
    return sorted(f.enterprise.credit_code for f in flags)

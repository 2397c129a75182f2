"""Background jobs of the dashboard: they take ids, are idempotent (an
unchanged recomputation adds nothing) and acknowledge late, so a worker that
dies mid-way has its job run again rather than lost. Scheduled by
django-celery-beat: `nightly` runs the night's one chain (rates → zombies →
figures, migration 0003_nightly_chain), `refresh_dashboard` just after each
quarter ends (0002_schedules)."""

from celery import shared_task

from chunshu_union.quarters import Quarter
from enterprises.models import Federation

from .services import dashboard_refresh, nightly_refresh, quarter_figures_compute


@shared_task(acks_late=True, reject_on_worker_lost=True, name="dashboard.compute_quarter")
def compute_quarter_figures(federation_id: int, quarter: str) -> int:
    """One quarter of one street; returns the revision of the street's figures."""
    federation = Federation.objects.get(pk=federation_id)
    snapshots = quarter_figures_compute(federation=federation, quarter=Quarter.parse(quarter))
    return snapshots[0].revision


@shared_task(acks_late=True, reject_on_worker_lost=True, name="dashboard.refresh")
def refresh_dashboard(federation_id: int | None = None) -> list[str]:
    """Nightly (or after a declarations import): every quarter of one street,
    or of every street when no id is given."""
    federations = Federation.objects.all()
    if federation_id is not None:
        federations = federations.filter(pk=federation_id)
    done = []
    for federation in federations:
        done += [str(q) for q in dashboard_refresh(federation=federation)]
    return done


@shared_task(acks_late=True, reject_on_worker_lost=True, name="dashboard.nightly")
def nightly() -> dict:
    """Every night: the union funds' rates, then the zombie flags, then the
    dashboard's figures, one after the other (`nightly_refresh`)."""
    return nightly_refresh()

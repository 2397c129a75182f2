"""Computing and storing the dashboard's quarter snapshots."""

from __future__ import annotations

import json
import logging

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from chunshu_union.quarters import Quarter
from dues.selectors import quarters_with_data, zombie_counts_for_scope
from enterprises.models import Community, Federation
from services.selectors import quarter_figures as services_quarter_figures

from . import figures as counting
from .models import QuarterFigures

logger = logging.getLogger(__name__)


def _plain(value):
    """JSON-ready copy (Decimal → "12.50", dates → ISO) so that a stored
    snapshot compares equal to a freshly computed one."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def services_figures(quarter: Quarter, community_id: int | None) -> dict:
    """The services' figures (visits, aid, welfare, events, the service
    menu, bargaining), as the services part computes them."""
    return _plain(services_quarter_figures(quarter, community_id=community_id))


def quarter_figures_store(
    *, federation: Federation, community: Community | None, quarter: Quarter, figures: dict
) -> tuple[QuarterFigures, bool]:
    """Keep `figures` as the current snapshot of the scope. Unchanged figures
    keep the current revision (recomputing is idempotent); changed ones add
    a new revision and retire the old, which stays for the record. Returns
    the current snapshot and whether a revision was added."""
    figures = _plain(figures)
    current = (
        QuarterFigures.objects.select_for_update()
        .filter(federation=federation, community=community, quarter=str(quarter), is_current=True)
        .order_by("pk")  # the default ordering joins Community: no FOR UPDATE on PostgreSQL
        .first()
    )
    if current is not None and current.figures == figures:
        return current, False
    revision = 1
    if current is not None:
        revision = current.revision + 1
        current.is_current = False
        current.save(update_fields=["is_current"])
        logger.info("dashboard: %s %s revised to r%s", quarter, community or "street", revision)
    snapshot = QuarterFigures.objects.create(
        federation=federation,
        community=community,
        quarter=str(quarter),
        figures=figures,
        revision=revision,
        computed_at=timezone.now(),
    )
    return snapshot, True


@transaction.atomic
def quarter_figures_compute(*, federation: Federation, quarter: Quarter) -> list[QuarterFigures]:
    """Count one quarter's figures for the street and each community and
    store them (see `quarter_figures_store`). Returns the current snapshots,
    the street first."""
    # Two runs for the same street (beat and a manual run, or a redelivered
    # task) wait for each other here instead of both adding a revision.
    Federation.objects.select_for_update().filter(pk=federation.pk).exists()
    communities = list(Community.objects.filter(federation=federation).order_by("position"))
    counts = counting.quarter_counts(federation.pk, quarter, [c.pk for c in communities])
    snapshots = []
    for community in [None, *communities]:
        community_id = community.pk if community else None
        figures = {
            **counts[community_id],
            "services": services_figures(quarter, community_id),
            "zombies": zombie_counts_for_scope(quarter, federation.pk, community_id),
        }
        snapshot, _added = quarter_figures_store(
            federation=federation, community=community, quarter=quarter, figures=figures
        )
        snapshots.append(snapshot)
    return snapshots


def quarters_to_compute() -> list[Quarter]:
    """The quarters the union-funds snapshots cover; without them (yet), the
    last eight complete quarters and the current one."""
    return quarters_with_data() or Quarter.current().last_n(9)


def dashboard_refresh(*, federation: Federation) -> list[Quarter]:
    """Recompute every quarter of the street, each in its own transaction."""
    quarters = quarters_to_compute()
    for quarter in quarters:
        quarter_figures_compute(federation=federation, quarter=quarter)
    return quarters

"""Storing the dashboard's quarter snapshots. The dashboard counts nothing
itself: it assembles each app's `<noun>_figures_for_quarter` selector and
keeps the result as a revisioned snapshot (`chunshu_union.revisions`)."""

from __future__ import annotations

import json
import logging

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder

from chunshu_union.locks import job_lock
from chunshu_union.quarters import Quarter
from chunshu_union.revisions import revision_add
from dues.selectors import quarters_with_data, zombie_figures_for_quarter
from dues.services import snapshots_recompute_all, zombies_flag
from enterprises.models import Community, Federation
from enterprises.selectors import enterprise_figures_for_quarter
from members.selectors import member_figures_for_quarter
from services.selectors import services_figures_for_quarter

from .models import QuarterFigures

logger = logging.getLogger(__name__)


def _plain(value):
    """JSON-ready copy (Decimal → "12.50", dates → ISO) so that a stored
    snapshot compares equal to a freshly computed one."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def quarter_figures_store(
    *, federation: Federation, community: Community | None, quarter: Quarter, figures: dict
) -> tuple[QuarterFigures, bool]:
    """Keep `figures` as the current snapshot of the scope. Unchanged figures
    keep the current revision (recomputing is idempotent); changed ones add
    a new revision and retire the old, which stays for the record. Returns
    the current snapshot and whether a revision was added. Runs under the
    job's lock (`quarter_figures_compute`)."""
    figures = _plain(figures)
    current = (
        QuarterFigures.objects.current()
        .filter(federation=federation, community=community, quarter=str(quarter))
        .order_by("pk")
        .first()
    )
    if current is not None and current.figures == figures:
        return current, False
    snapshot = revision_add(
        QuarterFigures,
        current=current,
        federation=federation,
        community=community,
        quarter=str(quarter),
        figures=figures,
    )
    if current is not None:
        logger.info(
            "dashboard: %s %s revised to r%s", quarter, community or "street", snapshot.revision
        )
    return snapshot, True


def quarter_figures_compute(*, federation: Federation, quarter: Quarter) -> list[QuarterFigures]:
    """Assemble one quarter's figures for the street and each community from
    the apps' selectors and store them (see `quarter_figures_store`).
    Returns the current snapshots, the street first."""
    # Two runs (beat and a manual run, or a redelivered task) wait for each
    # other here instead of both adding a revision.
    with job_lock("dashboard.figures"):
        communities = list(Community.objects.filter(federation=federation).order_by("position"))
        ids = [c.pk for c in communities]
        members = member_figures_for_quarter(federation.pk, quarter, ids)
        enterprises = enterprise_figures_for_quarter(federation.pk, quarter, ids)
        snapshots = []
        for community in [None, *communities]:
            community_id = community.pk if community else None
            figures = {
                **members[community_id],
                **enterprises[community_id],
                "services": services_figures_for_quarter(quarter, community_id=community_id),
                "zombies": zombie_figures_for_quarter(quarter, federation.pk, community_id),
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


def nightly_refresh() -> dict:
    """The night's one chain, in order: the union funds' rates, then the
    zombie flags, then every street's dashboard figures, which hold the
    flags' counts, so that the figures never read the previous night's
    flags. A zombie run that cannot assess (no declarations for the quarter
    yet) does not keep the figures from being computed."""
    rates = snapshots_recompute_all()
    try:
        flags = len(zombies_flag())
    except ValidationError as refused:
        logger.warning("nightly: zombies not assessed: %s", " ".join(refused.messages))
        flags = None
    figures = {}
    for federation in Federation.objects.order_by("pk"):
        figures[federation.pk] = [str(q) for q in dashboard_refresh(federation=federation)]
    return {
        "rates": {"created": len(rates.created), "updated": len(rates.updated)},
        "open_flags": flags,
        "figures": figures,
    }

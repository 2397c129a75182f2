"""Operations on union funds: quarter snapshots (with frozen revisions),
zombie flagging and resolving. Keyword-only, atomic, returning what they made."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from chunshu_union.locks import job_lock
from chunshu_union.quarters import Quarter
from chunshu_union.revisions import revision_add
from enterprises.models import Enterprise, EnterpriseStatus, Federation, Status
from enterprises.services import enterprise_set_status
from members.services import enterprise_members_close

from . import zombies
from .models import Declaration, RateSnapshot, Resolution, ZombieFlag
from .rates import (
    ScopeFigures,
    declarations_match,
    quarters_with_declarations,
    rate_figures_for_quarter,
)

_COUNTS = ("obligated", "declared", "zero_declared")
_LISTS = (("obligated_ids", "obligated"), ("declared_ids", "declared"), ("zero_ids", "zero"))


@dataclass
class RecomputeOutcome:
    created: list[RateSnapshot] = field(default_factory=list)  # first snapshots, new revisions
    updated: list[RateSnapshot] = field(default_factory=list)  # open quarters, rewritten
    unchanged: int = 0
    figures: list[ScopeFigures] = field(default_factory=list)


def snapshots_recompute(
    *, quarter: Quarter, by=None, today: datetime.date | None = None
) -> RecomputeOutcome:
    """Recompute `quarter` for every street and store it.

    A quarter still running is rewritten in place; once it has ended its
    snapshot is frozen, and figures that differ later (late declarations, a
    resolution dated back) make a new revision that records who, when and
    what changed. Identical figures create nothing."""
    today = today or timezone.localdate()
    closed = quarter.last_day < today
    outcome = RecomputeOutcome()
    with job_lock("dues.rates"):
        declarations_match()
        for federation in Federation.objects.order_by("pk"):
            figures = rate_figures_for_quarter(quarter, federation)
            outcome.figures.extend(figures)
            current = {
                s.scope_key: s
                for s in RateSnapshot.objects.filter(
                    federation=federation, quarter=str(quarter), is_current=True
                )
            }
            for scope in figures:
                _store(scope, current.get(scope.scope_key), closed, by, outcome)
    return outcome


def snapshots_recompute_all(*, by=None, today: datetime.date | None = None) -> RecomputeOutcome:
    """Every quarter that has declarations."""
    total = RecomputeOutcome()
    for quarter in quarters_with_declarations():
        one = snapshots_recompute(quarter=quarter, by=by, today=today)
        total.created += one.created
        total.updated += one.updated
        total.unchanged += one.unchanged
        total.figures += one.figures
    return total


def _values(scope: ScopeFigures) -> dict:
    return {
        "obligated": scope.obligated,
        "declared": scope.declared,
        "zero_declared": scope.zero_declared,
        "rate": scope.rate,
        "obligated_ids": scope.obligated_ids,
        "declared_ids": scope.declared_ids,
        "zero_ids": scope.zero_ids,
    }


def _same(snapshot: RateSnapshot, scope: ScopeFigures) -> bool:
    return all(getattr(snapshot, name) == getattr(scope, name) for name in _COUNTS) and all(
        set(getattr(snapshot, name)) == set(getattr(scope, name)) for name, _label in _LISTS
    )


def _changes(snapshot: RateSnapshot, scope: ScopeFigures) -> dict:
    """What a new revision changes: each figure old → new, and the
    enterprises that entered or left each list."""
    changes: dict = {
        name: [getattr(snapshot, name), getattr(scope, name)]
        for name in (*_COUNTS, "rate")
        if getattr(snapshot, name) != getattr(scope, name)
    }
    if "rate" in changes:
        changes["rate"] = [None if v is None else str(v) for v in changes["rate"]]
    for name, label in _LISTS:
        old, new = set(getattr(snapshot, name)), set(getattr(scope, name))
        if old != new:
            changes[f"{label}_added"] = sorted(new - old)
            changes[f"{label}_removed"] = sorted(old - new)
    changes["previous_revision"] = snapshot.revision
    return changes


def _store(scope: ScopeFigures, current, closed: bool, by, outcome: RecomputeOutcome) -> None:
    now = timezone.now()
    if current is not None and _same(current, scope):
        if closed and not current.frozen:
            current.frozen = True
            current.save(update_fields=["frozen"])
        outcome.unchanged += 1
        return
    if current is not None and not current.frozen:
        for name, value in _values(scope).items():
            setattr(current, name, value)
        current.frozen, current.computed_at, current.computed_by = closed, now, by
        current.save(update_fields=[*_values(scope), "frozen", "computed_at", "computed_by"])
        outcome.updated.append(current)
        return
    outcome.created.append(
        revision_add(
            RateSnapshot,
            current=current,
            federation_id=scope.federation_id,
            community_id=scope.community_id,
            scope_key=scope.scope_key,
            quarter=str(scope.quarter),
            frozen=closed,
            changes=_changes(current, scope) if current is not None else {},
            computed_at=now,
            computed_by=by,
            **_values(scope),
        )
    )


# Zombies -----------------------------------------------------------------


def zombies_flag(
    *,
    quarter: Quarter | None = None,
    n: int | None = None,
    by=None,
    today: datetime.date | None = None,
) -> list[ZombieFlag]:
    """Flag every obligated enterprise with no declaration in each of the
    `n` complete quarters up to `quarter` (default: the last complete one).

    Idempotent: an enterprise already flagged and not yet resolved keeps its
    one open flag (its reasons and score are brought up to date). A new flag
    writes "suspected dormant" into the enterprise's status history, dated
    the day after the assessed quarter. Returns the open flags of this run.

    A quarter whose tax export has not been imported yet is not assessed:
    everyone would look silent. By default the job therefore assesses the
    last complete quarter that has declarations on record."""
    today = today or timezone.localdate()
    n = n or settings.ZOMBIE_QUARTERS
    if quarter is None:
        quarter = _default_assessed_quarter(today)
        if quarter is None:
            return []
    if quarter.last_day >= today:
        raise ValidationError(
            _("%(quarter)s has not ended yet; only complete quarters can be assessed.")
            % {"quarter": quarter}
        )
    if not Declaration.objects.ending_in(quarter).exists():
        raise ValidationError(
            _(
                "No declarations for %(quarter)s have been imported yet; import the tax"
                " bureau's export for that quarter before looking for zombies."
            )
            % {"quarter": quarter}
        )
    with job_lock("dues.zombies"):
        assessed = zombies.assess(quarter=quarter, n=n)
        existing = {
            f.enterprise_id: f
            for f in ZombieFlag.objects.open().filter(
                enterprise_id__in=[a.enterprise_id for a in assessed]
            )
        }
        flagged_on = min(quarter.next().first_day, today)
        new, changed = [], []
        for a in assessed:
            flag = existing.get(a.enterprise_id)
            if flag is None:
                new.append(
                    ZombieFlag(
                        enterprise_id=a.enterprise_id,
                        quarter=str(quarter),
                        flagged_on=flagged_on,
                        missing_quarters=a.missing_quarters,
                        reasons=a.reasons,
                        score=a.score,
                    )
                )
            elif (flag.score, flag.reasons) != (a.score, a.reasons):
                flag.score, flag.reasons = a.score, a.reasons
                changed.append(flag)
        ZombieFlag.objects.bulk_create(new, batch_size=2000)
        ZombieFlag.objects.bulk_update(changed, ["score", "reasons"], batch_size=2000)
        _mark_suspected([f.enterprise_id for f in new], flagged_on, quarter, n, by)
        return list(
            ZombieFlag.objects.open()
            .filter(enterprise_id__in=[a.enterprise_id for a in assessed])
            .select_related("enterprise")
        )


def _default_assessed_quarter(today: datetime.date) -> Quarter | None:
    """The last complete quarter, or the last one with declarations if the
    tax export for the later ones is not in yet."""
    latest = Declaration.objects.aggregate(last=Max("period_end"))["last"]
    if latest is None:
        return None
    return min(Quarter.last_complete(today), Quarter.containing(latest))


def _mark_suspected(ids: list[int], flagged_on, quarter, n, by) -> None:
    """The status history entries of the new flags, and the current status
    brought in step with the history (one UPDATE, not a loop)."""
    reason = _("No declaration in the %(n)d quarters up to %(quarter)s") % {
        "n": n,
        "quarter": quarter,
    }
    EnterpriseStatus.objects.bulk_create(
        (
            EnterpriseStatus(
                enterprise_id=pk,
                status=Status.SUSPECTED_DORMANT,
                effective_on=flagged_on,
                reason=reason,
                recorded_by=by,
            )
            for pk in ids
        ),
        batch_size=2000,
    )
    latest = (
        EnterpriseStatus.objects.filter(
            enterprise=OuterRef("pk"), effective_on__lte=timezone.localdate()
        )
        .order_by("-effective_on", "-pk")
        .values("status")[:1]
    )
    for start in range(0, len(ids), 2000):
        Enterprise.objects.filter(pk__in=ids[start : start + 2000]).update(
            status=Subquery(latest), updated_at=timezone.now()
        )


#: What each resolution writes into the enterprise's status history.
RESOLUTION_STATUS = {
    Resolution.STILL_ACTIVE: Status.VERIFIED_ACTIVE,
    Resolution.MOVED_OUT: Status.MOVED_OUT,
    Resolution.DEREGISTERED: Status.DEREGISTERED,
    Resolution.UNREACHABLE: Status.UNREACHABLE,
}


@transaction.atomic
def zombie_resolve(
    *,
    flag: ZombieFlag,
    resolution: str,
    effective_on: datetime.date,
    evidence: str,
    by,
    today: datetime.date | None = None,
    members_action: str = "hold",
) -> ZombieFlag:
    """Record what a visit found. Moved out and deregistered take the
    enterprise out of the denominator from `effective_on` (the next
    recomputation makes new revisions of the quarters that changed), and
    its members in good standing are held at the community (`members_action`
    "hold", the default) or their memberships end ("end"), through
    members.services.enterprise_members_close; `flag.members_closed` says
    how many."""
    today = today or timezone.localdate()
    flag = ZombieFlag.objects.select_for_update().select_related("enterprise").get(pk=flag.pk)
    if flag.resolution:
        raise ValidationError(_("This flag has already been resolved."))
    if resolution not in RESOLUTION_STATUS:
        raise ValidationError(_("Choose what the visit found."))
    if effective_on > today:
        raise ValidationError(_("The effective date cannot be in the future."))
    founded = flag.enterprise.union_founded_on
    if founded and effective_on < founded:
        raise ValidationError(
            _("The effective date is before the union was founded (%(day)s).") % {"day": founded}
        )
    if not (evidence or "").strip():
        raise ValidationError(
            _("Please give the evidence (what was seen, who was spoken to, which document).")
        )
    entry = enterprise_set_status(
        enterprise=flag.enterprise,
        status=RESOLUTION_STATUS[resolution],
        effective_on=effective_on,
        reason=_("Suspected zombie resolved: %(what)s") % {"what": Resolution(resolution).label},
        evidence=evidence.strip(),
        by=by,
    )
    flag.members_closed = 0
    if RESOLUTION_STATUS[resolution] in (Status.MOVED_OUT, Status.DEREGISTERED):
        flag.members_closed = enterprise_members_close(
            enterprise=flag.enterprise, on=effective_on, action=members_action or "hold", by=by
        )
    flag.resolution = resolution
    flag.resolved_on = effective_on
    flag.evidence = evidence.strip()
    flag.resolved_by = by
    flag.resolved_at = timezone.now()
    flag.status_entry = entry
    flag.save(update_fields=ZombieFlag.RESOLUTION_FIELDS)
    return flag

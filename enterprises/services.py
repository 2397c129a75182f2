"""Operations on enterprises that touch more than one row."""

import datetime

from django.db import transaction
from django.utils import timezone

from .models import Enterprise, EnterpriseStatus, Status


@transaction.atomic
def enterprise_set_status(
    *,
    enterprise: Enterprise,
    status: str,
    effective_on: datetime.date,
    reason: str = "",
    evidence: str = "",
    by=None,
) -> EnterpriseStatus:
    """Append a status change and bring the enterprise's current status in
    step with the history (a change dated in the future is not yet current)."""
    entry = EnterpriseStatus.objects.create(
        enterprise=enterprise,
        status=status,
        effective_on=effective_on,
        reason=reason,
        evidence=evidence,
        recorded_by=by,
    )
    enterprise_refresh_status(enterprise=enterprise)
    return entry


def enterprise_refresh_status(*, enterprise: Enterprise) -> str:
    today = timezone.localdate()
    current = (
        enterprise.status_history.filter(effective_on__lte=today)
        .order_by("-effective_on", "-pk")
        .values_list("status", flat=True)
        .first()
    ) or Status.ACTIVE
    if enterprise.status != current:
        enterprise.status = current
        enterprise.save(update_fields=["status", "updated_at"])
    return current

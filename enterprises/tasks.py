from celery import shared_task
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Enterprise, EnterpriseStatus, Status
from .services import enterprise_refresh_status


@shared_task(acks_late=True)
def refresh_statuses() -> int:
    """Nightly: a status change dated in the future becomes current when its
    day comes. Idempotent; returns how many enterprises changed.

    One query finds the enterprises whose stored status differs from the one
    their history puts in force today (`status_on`); only those are touched."""
    stale = (
        Enterprise.objects.filter(pk__in=EnterpriseStatus.objects.values("enterprise_id"))
        .status_on(timezone.localdate())
        .annotate(in_force=Coalesce("status_on_day", Value(Status.ACTIVE)))
        .exclude(in_force=F("status"))
    )
    changed = 0
    for enterprise in stale.iterator():
        before = enterprise.status
        if enterprise_refresh_status(enterprise=enterprise) != before:
            changed += 1
    return changed

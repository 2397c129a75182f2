from celery import shared_task

from .models import Enterprise, EnterpriseStatus
from .services import enterprise_refresh_status


@shared_task(acks_late=True)
def refresh_statuses() -> int:
    """Nightly: a status change dated in the future becomes current when its
    day comes. Idempotent; returns how many enterprises changed."""
    changed = 0
    ids = EnterpriseStatus.objects.values_list("enterprise_id", flat=True).distinct()
    for enterprise in Enterprise.objects.filter(pk__in=ids).iterator():
        before = enterprise.status
        if enterprise_refresh_status(enterprise=enterprise) != before:
            changed += 1
    return changed

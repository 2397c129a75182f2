"""Nightly: decided applications past JOIN_KEEP_DAYS are deleted, as the
form's consent promises."""

from celery import shared_task

from .services import applications_purge


@shared_task(acks_late=True, name="joining.purge")
def purge() -> int:
    return applications_purge()

"""Sending notices in the background: a task takes a notice's id, and the
service sends it at most once (notices.services.notice_send)."""

from celery import shared_task
from django.conf import settings

from . import sms
from .services import Deferred, _queue, notice_send, notices_due


@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, name="notices.send", max_retries=None
)
def send_notice(self, notice_id: int) -> str:
    try:
        return notice_send(notice_id=notice_id).state
    except Deferred as deferred:
        if not self.request.is_eager:  # eager (dev, tests): the beat task sends it later
            _queue(notice_id, eta=deferred.until)
        return "deferred"
    except sms.TemporaryFailure as error:
        if self.request.is_eager:
            return "queued"  # eager (dev, tests): the beat task tries again
        countdown = settings.NOTICE_RETRY_SECONDS * 2 ** min(self.request.retries, 6)
        raise self.retry(exc=error, countdown=countdown) from error


@shared_task(acks_late=True, name="notices.send_due")
def send_due() -> int:
    """Every few minutes: queue again what waits and is due."""
    ids = notices_due()
    for notice_id in ids:
        _queue(notice_id)
    return len(ids)

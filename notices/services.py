"""The one way to tell someone something: `notify(...)`.

    notify(kind="join_approved", key=f"application:{pk}", phone=phone,
           context={...}, federation_id=...)

records one Notice per channel of the kind (notices.kinds) and hands each
that leaves the system to a Celery task once the caller's transaction
commits. Asked twice with the same kind, key and recipient, it returns the
notices of the first time: a retried request, a re-run job or a double
click never sends twice. The task (`notice_send`) takes the notice's row
lock and moves it queued → sending before anything goes out, so two workers
holding the same notice cannot both send it.

What people are spared: an SMS to a phone that opted out is withheld; an SMS
asked for in the quiet hours (NOTICE_QUIET_HOURS, Beijing time) waits for
the morning; past NOTICE_DAILY_CAP messages to one recipient in a day, the
rest wait for the next day. Deferred, never dropped.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import socket

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chunshu_union import crypto
from chunshu_union.masks import mask_phone

from . import sms
from .kinds import KINDS
from .models import SENDABLE, Channel, Notice, SmsOptOut, State

logger = logging.getLogger(__name__)


def phone_digest(phone: str) -> str:
    return crypto.digest(f"phone:{phone}")


def email_digest(address: str) -> str:
    return crypto.digest(f"email:{address.strip().lower()}")


def render(kind: str, context: dict) -> tuple[str, str, list[str]]:
    """(subject, text, SMS parameters) of `kind` with `context`, in Chinese."""
    spec = KINDS[kind]
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(spec.subject) % context if "%(" in str(spec.subject) else str(spec.subject)
        body = str(spec.body) % context
        params = [str(context[name]) for name in spec.params]
    return subject, body.strip(), params


def notify(
    *,
    kind: str,
    key: str,
    context: dict,
    user=None,
    phone: str = "",
    federation_id: int | None = None,
    link: str = "",
    channels: tuple[str, ...] | None = None,
) -> list[Notice]:
    """Record (and, after the commit, send) `kind` to `user` (in the system,
    and by email when they have an address) or to `phone` (SMS)."""
    spec = KINDS[kind]
    subject, body, params = render(kind, context)
    if federation_id is None and user is not None:
        federation_id = user.federation_id or (
            user.community.federation_id if user.community_id else None
        )
    made = []
    for channel in channels or spec.channels:
        recipient = _recipient(channel, user, phone)
        if recipient is None:
            continue  # no address for this channel: nothing to record
        label, digest, sealed = recipient
        notice = _record(
            idempotency_key=f"{kind}:{key}:{channel}:{digest[:16]}",
            kind=kind,
            channel=channel,
            recipient_user=user if channel != Channel.SMS else None,
            recipient_label=label,
            recipient_digest=digest,
            recipient_sealed=sealed,
            federation_id=federation_id,
            subject=subject[:200],
            body=body,
            params=params,
            link=link,
        )
        if notice is not None:
            made.append(notice)
    return made


def _recipient(channel: str, user, phone: str):
    if channel == Channel.SMS:
        if not phone:
            return None
        return mask_phone(phone), phone_digest(phone), crypto.encrypt(phone)
    if user is None:
        return None
    if channel == Channel.SYSTEM:
        return (user.get_full_name() or user.get_username()), f"user:{user.pk}", ""
    if channel == Channel.EMAIL and user.email:
        return user.email, email_digest(user.email), crypto.encrypt(user.email)
    return None


def _record(**fields) -> Notice | None:
    """The notice with this idempotency key: created (and queued for after
    the commit) or, when it exists already, None."""
    key = fields["idempotency_key"]
    if Notice.objects.filter(idempotency_key=key).exists():
        return None
    delivered = fields["channel"] == Channel.SYSTEM
    if delivered:
        fields |= {"state": State.SENT, "sent_at": timezone.now()}
    try:
        with transaction.atomic():
            notice = Notice.objects.create(**fields)
    except IntegrityError:
        return None  # the same notice, asked for at the same moment elsewhere
    if not delivered:
        transaction.on_commit(lambda: _queue(notice.pk))
    return notice


def _queue(notice_id: int, eta: datetime.datetime | None = None) -> None:
    from .tasks import send_notice  # the task module imports this one

    try:
        send_notice.apply_async(args=[notice_id], eta=eta)
    except Exception as error:  # the broker is down: the beat task sends it later
        logger.warning("notice %s not queued (%s); notices.send_due will", notice_id, error)


# --- Sending (the task's side) ----------------------------------------------------


class Deferred(Exception):
    def __init__(self, until: datetime.datetime):
        super().__init__(until)
        self.until = until


def notice_send(*, notice_id: int) -> Notice:
    """Send one notice at most once. Raises sms.TemporaryFailure (the task
    retries) or Deferred (the task comes back at `until`)."""
    notice, claimed = _claim(notice_id)
    if not claimed:
        return notice
    try:
        provider_id = _deliver(notice)
    except sms.TemporaryFailure as error:
        _after(notice, State.QUEUED if _may_retry(notice) else State.FAILED, error=str(error))
        raise
    except Exception as error:
        _after(notice, State.FAILED, error=str(error) or type(error).__name__)
        logger.warning("notice %s failed: %s", notice.pk, error)
        return notice
    _after(notice, State.SENT, provider_id=provider_id)
    return notice


def _may_retry(notice: Notice) -> bool:
    return notice.attempts < settings.NOTICE_MAX_ATTEMPTS


@transaction.atomic
def _claim(notice_id: int) -> tuple[Notice, bool]:
    """Lock the row and move it to `sending` (True: this worker sends it),
    or say why not now."""
    notice = Notice.objects.select_for_update().get(pk=notice_id)
    if notice.state not in SENDABLE:
        return notice, False  # sent, sending elsewhere, failed or withheld: never again
    now = timezone.now()
    if notice.send_after and notice.send_after > now:
        raise Deferred(notice.send_after)
    if (
        notice.channel == Channel.SMS
        and SmsOptOut.objects.filter(phone_digest=notice.recipient_digest).exists()
    ):
        notice.state = State.WITHHELD
        notice.save(update_fields=["state"])
        return notice, False
    until = _not_before(notice, now)
    if until is not None:
        notice.state, notice.send_after = State.DEFERRED, until
        notice.save(update_fields=["state", "send_after"])
        transaction.on_commit(lambda: _queue(notice.pk, eta=until))
        return notice, False
    notice.state = State.SENDING
    notice.attempts += 1
    notice.save(update_fields=["state", "attempts"])
    return notice, True


def _not_before(notice: Notice, now: datetime.datetime) -> datetime.datetime | None:
    """When a notice leaving now would come in the quiet hours (SMS) or past
    the recipient's daily cap: the moment it may leave instead."""
    local = timezone.localtime(now)
    if notice.channel == Channel.SMS and in_quiet_hours(local):
        return quiet_hours_end(local)
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    sent_today = Notice.objects.filter(
        recipient_digest=notice.recipient_digest,
        channel=notice.channel,
        state__in=(State.SENT, State.SENDING),
        sent_at__gte=day_start,
    ).count()
    if sent_today >= settings.NOTICE_DAILY_CAP:
        morning = settings.NOTICE_QUIET_HOURS[1]
        return (day_start + datetime.timedelta(days=1)).replace(hour=morning)
    return None


def in_quiet_hours(local: datetime.datetime) -> bool:
    start, end = settings.NOTICE_QUIET_HOURS
    if start > end:  # over midnight, 21–8
        return local.hour >= start or local.hour < end
    return start <= local.hour < end


def quiet_hours_end(local: datetime.datetime) -> datetime.datetime:
    end = settings.NOTICE_QUIET_HOURS[1]
    morning = local.replace(hour=end, minute=0, second=0, microsecond=0)
    return morning if morning > local else morning + datetime.timedelta(days=1)


def _deliver(notice: Notice) -> str:
    address = crypto.decrypt(notice.recipient_sealed)
    if notice.channel == Channel.SMS:
        return sms.backend().send(
            phone=address, kind=notice.kind, params=notice.params, text=notice.body
        )
    message = EmailMessage(subject=notice.subject, body=_with_link(notice), to=[address])
    try:
        message.send()
    except smtplib.SMTPResponseException as error:
        if 400 <= error.smtp_code < 500:
            raise sms.TemporaryFailure(f"SMTP {error.smtp_code}") from error
        raise
    except (ConnectionRefusedError, socket.gaierror) as error:
        raise sms.TemporaryFailure(str(error)) from error
    return "email"


def _with_link(notice: Notice) -> str:
    if notice.link and settings.NOTICE_SITE_URL:
        return f"{notice.body}\n\n{settings.NOTICE_SITE_URL.rstrip('/')}{notice.link}"
    return notice.body


def _after(notice: Notice, state: str, *, error: str = "", provider_id: str = "") -> None:
    notice.state = state
    fields = ["state"]
    if state == State.SENT:
        notice.sent_at, notice.provider_id = timezone.now(), provider_id[:100]
        fields += ["sent_at", "provider_id"]
    if error:
        notice.last_error = error[:300]
        fields.append("last_error")
    notice.save(update_fields=fields)


def notices_due(*, now: datetime.datetime | None = None) -> list[int]:
    """Notices waiting whose time has come (their task was lost, or the
    broker was down): ids to queue again. A notice left `sending` past
    NOTICE_SENDING_STALE_SECONDS (its worker died mid-send) is failed, not
    resent: it may have left."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.NOTICE_SENDING_STALE_SECONDS)
    Notice.objects.filter(state=State.SENDING, created_at__lt=stale, sent_at__isnull=True).update(
        state=State.FAILED, last_error="worker stopped while sending; not resent"
    )
    grace = now - datetime.timedelta(seconds=60)
    waiting = Notice.objects.filter(state__in=SENDABLE, created_at__lt=grace)
    return list(waiting.filter(send_after__isnull=True).values_list("pk", flat=True)[:500]) + list(
        waiting.filter(send_after__lte=now).values_list("pk", flat=True)[:500]
    )


# --- What people choose, and what they have read -----------------------------------


@transaction.atomic
def sms_opt_out(*, phone: str, by=None, note: str = "") -> SmsOptOut:
    phone = (phone or "").strip()
    if not (phone.isdigit() and len(phone) == 11):
        raise ValidationError({"phone": _("Enter an 11-digit mobile number.")})
    opt_out, _created = SmsOptOut.objects.get_or_create(
        phone_digest=phone_digest(phone),
        defaults={"phone_masked": mask_phone(phone), "note": note[:200], "created_by": by},
    )
    return opt_out


@transaction.atomic
def sms_opt_in(*, phone: str) -> int:
    deleted, _detail = SmsOptOut.objects.filter(phone_digest=phone_digest(phone)).delete()
    return deleted


def notice_mark_read(*, notice: Notice, user) -> Notice:
    if notice.recipient_user_id == user.pk and notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice

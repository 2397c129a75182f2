"""A notice is one message to one recipient on one channel, recorded from
the moment it is asked for: who (a user, or a phone kept sealed and shown
masked), which template, its state and its times. The idempotency key is
unique: asking twice for the same notice returns the first."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chunshu_union import access


class Channel(models.TextChoices):
    SYSTEM = "system", _("In the system")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class State(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("notice state", "Queued")
    DEFERRED = "deferred", pgettext_lazy("notice state", "Deferred")
    SENDING = "sending", pgettext_lazy("notice state", "Sending")
    SENT = "sent", pgettext_lazy("notice state", "Sent")
    FAILED = "failed", pgettext_lazy("notice state", "Failed")
    WITHHELD = "withheld", pgettext_lazy("notice state", "Withheld (opted out)")


#: States a worker may still send from.
SENDABLE = (State.QUEUED, State.DEFERRED)


class NoticeQuerySet(models.QuerySet):
    def for_user(self, user):
        """Street staff see the notices of their street (and those bound to
        no street); anyone else sees only the in-system notices addressed
        to them."""
        return access.addressed(
            self,
            user,
            recipient="recipient_user",
            only=Q(channel=Channel.SYSTEM),
            street="federation",
            unassigned=Q(federation__isnull=True),
        )

    def inbox(self, user):
        return self.filter(recipient_user=user, channel=Channel.SYSTEM).order_by("-created_at")


class Notice(models.Model):
    kind = models.CharField(_("template"), max_length=40, db_index=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.QUEUED, db_index=True
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
    )
    #: What a list shows: a masked phone, an address, a user's name.
    recipient_label = models.CharField(_("recipient"), max_length=120, blank=True)
    #: A keyed digest of the phone or address: the daily cap and the opt-out.
    recipient_digest = models.CharField(max_length=64, blank=True, db_index=True)
    #: The phone or address itself, encrypted (chunshu_union.crypto).
    recipient_sealed = models.TextField(blank=True)
    federation = models.ForeignKey(
        "enterprises.Federation",
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    #: The template's parameters as sent to an SMS gateway (pre-approved templates).
    params = models.JSONField(default=list, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    send_after = models.DateTimeField(_("not before"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "send_after"], name="notice_due")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(channel="system") | Q(recipient_user__isnull=False),
                name="notice_system_has_user",
            ),
        ]

    def __str__(self):
        return f"{self.subject} → {self.recipient_label}"


class SmsOptOut(models.Model):
    """A phone that gets no SMS from us: a member's or an enterprise union
    chair's choice, kept by its digest (the number itself is not needed to
    refuse it)."""

    phone_digest = models.CharField(max_length=64, unique=True)
    phone_masked = models.CharField(_("phone"), max_length=20)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("SMS opt-out")
        verbose_name_plural = _("SMS opt-outs")
        ordering = ["-created_at"]

    def __str__(self):
        return self.phone_masked

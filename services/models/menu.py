"""The service menu (菜单式服务) and enterprises' requests from it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chunshu_union import access


class ServiceOffer(models.Model):
    """菜单式服务: one entry of the catalogue (特需建家, 午间共享圈 …)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("service offer")
        verbose_name_plural = _("service menu")
        ordering = ["name"]

    def __str__(self):
        return self.name


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    FULFILLED = "fulfilled", _("Fulfilled")
    DECLINED = "declined", _("Declined")


class ServiceRequestQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, community="community")


class ServiceRequest(models.Model):
    """An enterprise asks for a menu service through its community; the
    street accepts, fulfils, and the enterprise rates it 1–5."""

    offer = models.ForeignKey(
        ServiceOffer, verbose_name=_("service"), on_delete=models.PROTECT, related_name="requests"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    community = models.ForeignKey(
        "enterprises.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    requested_on = models.DateField(_("requested on"), db_index=True)
    need = models.TextField(_("what is needed"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    fulfilled_on = models.DateField(_("fulfilled on"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rating = models.PositiveSmallIntegerField(_("rating (1–5)"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-requested_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True)
                | (Q(rating__gte=1) & Q(rating__lte=5) & Q(status=RequestStatus.FULFILLED)),
                name="service_rating_1_to_5_when_fulfilled",
                violation_error_message=_("Only a fulfilled request is rated, from 1 to 5."),
            ),
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.FULFILLED) | Q(fulfilled_on__isnull=False),
                name="service_fulfilled_has_date",
                violation_error_message=_("A fulfilled request has its date."),
            ),
        ]

    def __str__(self):
        return f"{self.offer} · {self.enterprise}"

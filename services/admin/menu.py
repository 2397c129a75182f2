"""The service menu and service requests."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chunshu_union.admin_mixins import ScopedModelAdmin
from services import services
from services.models import RequestStatus, ServiceOffer, ServiceRequest

from .common import check_by_running


@admin.register(ServiceOffer)
class ServiceOfferAdmin(ScopedModelAdmin):
    unscoped_because = "the service menu is a catalogue every street shares"
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]


class ServiceRequestForm(forms.ModelForm):
    class Meta:
        model = ServiceRequest
        fields = ["offer", "enterprise", "requested_on", "need", "rating", "comment"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if self.instance.pk is None:
            check_by_running(self, lambda: _request(self.request_user, data))
        elif data.get("rating") is not None:
            check_by_running(self, lambda: _rate(self.request_user, self.instance, data))
        return data


def _rate(user, request_obj, data) -> ServiceRequest:
    return services.service_request_rate(
        request=request_obj, by=user, rating=data["rating"], comment=data.get("comment", "")
    )


def _request(user, data) -> ServiceRequest:
    return services.service_request_create(
        offer=data["offer"],
        enterprise=data["enterprise"],
        by=user,
        requested_on=data["requested_on"],
        need=data.get("need", ""),
    )


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ScopedModelAdmin):
    form = ServiceRequestForm
    list_display = [
        "offer",
        "enterprise",
        "community",
        "requested_on",
        "status",
        "fulfilled_on",
        "rating",
    ]
    list_filter = ["status", "offer", "community", "rating"]
    search_fields = ["enterprise__name", "need", "comment"]
    list_select_related = ["offer", "enterprise", "community"]
    autocomplete_fields = ["enterprise"]
    date_hierarchy = "requested_on"
    actions = ["accept_today", "fulfil_today"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["offer", "enterprise", "requested_on", "need"]
        return [
            "offer",
            "enterprise",
            "community",
            "requested_on",
            "need",
            "status",
            "accepted_on",
            "fulfilled_on",
            "handled_by",
            "rating",
            "comment",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fixed = [
            "offer",
            "enterprise",
            "community",
            "requested_on",
            "need",
            "status",
            "accepted_on",
            "fulfilled_on",
            "handled_by",
        ]
        # The enterprise's rating is recorded once the service is delivered.
        return fixed if obj.status == RequestStatus.FULFILLED else [*fixed, "rating", "comment"]

    def save_model(self, request, obj, form, change):
        if change:
            if form.cleaned_data.get("rating") is not None:
                _rate(request.user, obj, form.cleaned_data)
            return
        created = _request(request.user, form.cleaned_data)
        obj.__dict__.update(created.__dict__)
        obj._state.adding = False

    def _apply(self, request, queryset, run):
        done, refused = 0, []
        for item in queryset:
            try:
                run(item)
                done += 1
            except ValidationError as error:
                refused.append(f"{item}：{error.messages[0]}")
        if done:
            self.message_user(request, _("%(n)d request(s) updated.") % {"n": done})
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description=_("Accept the selected requests (today)"))
    def accept_today(self, request, queryset):
        today = timezone.localdate()
        self._apply(
            request,
            queryset.filter(status=RequestStatus.REQUESTED),
            lambda r: services.service_request_accept(request=r, by=request.user, on=today),
        )

    @admin.action(description=_("Mark the selected requests fulfilled (today)"))
    def fulfil_today(self, request, queryset):
        today = timezone.localdate()
        self._apply(
            request,
            queryset.filter(status=RequestStatus.ACCEPTED),
            lambda r: services.service_request_fulfil(request=r, by=request.user, on=today),
        )

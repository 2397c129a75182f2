"""The service menu and service requests."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chunshu_union.admin_mixins import ScopedModelAdmin, ServiceAdminMixin, ServiceForm
from services import services
from services.models import RequestStatus, ServiceOffer, ServiceRequest


@admin.register(ServiceOffer)
class ServiceOfferAdmin(ScopedModelAdmin):
    unscoped_because = "the service menu is a catalogue every street shares"
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]


class ServiceRequestForm(ServiceForm):
    class Meta:
        model = ServiceRequest
        fields = ["offer", "enterprise", "requested_on", "need", "rating", "comment"]


class StepDateForm(ActionForm):
    """The action bar's date: when the selected requests were accepted or
    fulfilled (today when left empty)."""

    on = forms.DateField(
        label=_("date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ServiceAdminMixin, ScopedModelAdmin):
    form = ServiceRequestForm
    action_form = StepDateForm
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
    actions = ["accept", "fulfil"]

    #: Fixed once a request is made; only the rating and its comment are
    #: typed afterwards, once the service is delivered.
    fixed_fields = [
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

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["offer", "enterprise", "requested_on", "need"]
        return [*self.fixed_fields, "rating", "comment"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.status == RequestStatus.FULFILLED:
            return self.fixed_fields
        return [*self.fixed_fields, "rating", "comment"]

    def run_service(self, request, obj, data):
        if obj.pk is None:
            return services.service_request_create(
                offer=data["offer"],
                enterprise=data["enterprise"],
                by=request.user,
                requested_on=data["requested_on"],
                need=data.get("need", ""),
            )
        if data.get("rating") is not None:
            return services.service_request_rate(
                request=obj, by=request.user, rating=data["rating"], comment=data.get("comment", "")
            )
        return None

    def save_without_service(self, request, obj, form, change):
        pass  # the steps are actions; only the rating is typed here

    def _step(self, request, queryset, start, service):
        """The selected requests that stand at `start` moved one step on by
        `service`, on the date typed in the action bar (today when left
        empty); one line for those done, one per refusal."""
        form = StepDateForm(request.POST)
        form.fields["action"].choices = self.get_action_choices(request)
        form.is_valid()
        on = form.cleaned_data.get("on") or timezone.localdate()
        done, refused = 0, []
        for item in queryset.filter(status=start):
            try:
                service(request=item, by=request.user, on=on)
                done += 1
            except ValidationError as error:
                refused.append(f"{item}：{error.messages[0]}")
        if done:
            self.message_user(request, _("%(n)d request(s) updated.") % {"n": done})
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description=_("Accept the selected requests (on the date given, else today)"))
    def accept(self, request, queryset):
        self._step(request, queryset, RequestStatus.REQUESTED, services.service_request_accept)

    @admin.action(
        description=_("Mark the selected requests fulfilled (on the date given, else today)")
    )
    def fulfil(self, request, queryset):
        self._step(request, queryset, RequestStatus.ACCEPTED, services.service_request_fulfil)

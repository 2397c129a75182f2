"""Contact assignments, visits, findings and the "two 2s" page."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chunshu_union import access
from chunshu_union.admin_mixins import (
    ScopedModelAdmin,
    ScopedTabularInline,
    ServiceAdminMixin,
    ServiceForm,
)
from chunshu_union.quarters import Quarter
from enterprises.models import Enterprise
from services import selectors, services
from services.models import Assignment, Finding, Visit


@admin.register(Assignment)
class AssignmentAdmin(ScopedModelAdmin):
    list_display = ["cadre", "community", "enterprise", "since", "until"]
    list_filter = ["community", "cadre"]
    search_fields = ["enterprise__name", "cadre__username", "cadre__last_name"]
    list_select_related = ["cadre", "community", "enterprise"]
    autocomplete_fields = ["enterprise"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cadre":
            kwargs["queryset"] = selectors.cadres()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class FindingForm(forms.ModelForm):
    """Closing a finding keeps finding_close's rules: not before the visit,
    not in the future."""

    class Meta:
        model = Finding
        fields = ["kind", "description", "follow_up", "closed_on"]

    def clean_closed_on(self):
        closed_on = self.cleaned_data.get("closed_on")
        visit = getattr(self.instance, "visit", None) if self.instance.visit_id else None
        if closed_on and closed_on > timezone.localdate():
            raise ValidationError(_("The date is in the future."))
        if closed_on and visit and closed_on < visit.visited_on:
            raise ValidationError(_("A finding cannot be closed before the visit that found it."))
        return closed_on


class FindingInline(ScopedTabularInline):
    model = Finding
    form = FindingForm
    extra = 1
    fields = ["kind", "description", "follow_up", "closed_on"]
    can_delete = False


class VisitForm(ServiceForm):
    class Meta:
        model = Visit
        fields = ["visitor", "visited_on", "enterprise", "community", "summary"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "community" in self.fields:
            # An enterprise visit takes the enterprise's community.
            self.fields["community"].required = False
            self.fields["community"].help_text = _(
                "For a community visit; an enterprise visit takes its enterprise's community."
            )


@admin.register(Visit)
class VisitAdmin(ServiceAdminMixin, ScopedModelAdmin):
    form = VisitForm
    list_display = ["visited_on", "kind", "visitor", "community", "enterprise", "open_findings"]
    list_filter = ["kind", "community", "visitor", ("visited_on", admin.DateFieldListFilter)]
    search_fields = ["enterprise__name", "summary", "findings__description"]
    date_hierarchy = "visited_on"
    list_select_related = ["visitor", "community", "enterprise"]
    autocomplete_fields = ["enterprise"]
    inlines = [FindingInline]

    def get_readonly_fields(self, request, obj=None):
        return ["visitor", "visited_on", "enterprise", "community"] if obj else []

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_open=Count("findings", filter=Q(findings__closed_on__isnull=True)))
        )

    @admin.display(description=_("open findings"), ordering="n_open")
    def open_findings(self, obj):
        return obj.n_open

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "visitor":
            kwargs["queryset"] = selectors.cadres()
            kwargs["initial"] = request.user.pk
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def run_service(self, request, obj, data):
        if obj.pk is not None:
            return None  # only the summary is edited afterwards
        return services.visit_record(
            by=request.user,
            visitor=data.get("visitor") or request.user,
            visited_on=data["visited_on"],
            enterprise=data.get("enterprise"),
            community=data.get("community"),
            summary=data.get("summary", ""),
        )

    def save_without_service(self, request, obj, form, change):
        obj.save(update_fields=["summary"])

    admin_views = (("two-twos/", "two_twos_view", "services_visit_two_twos"),)

    def two_twos_view(self, request):
        """The "two 2s" per cadre for a quarter, who is behind this week and
        month, and the enterprises not visited in the last 12 months."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        street = access.bound_street(request.user)
        # Without a quarter in the address: the latest with visits, as the
        # dashboard opens on the latest with figures.
        quarter = selectors.two_twos_latest_quarter(federation_id=street, today=today)
        try:
            quarter = Quarter.parse(request.GET.get("quarter") or quarter)
        except ValueError as error:
            messages.error(request, str(error))
        rows = selectors.two_twos(
            quarter.first_day, quarter.last_day, federation_id=street, today=today
        )
        year_ago = today - datetime.timedelta(days=365)
        stale = selectors.enterprises_not_visited_since(year_ago) & self._enterprises(request)
        context = self.page_context(
            request,
            _("The two 2s"),
            quarter=quarter,
            previous=quarter.previous(),
            next=quarter.next(),
            rows=rows,
            compliance=selectors.two_twos_compliance(rows),
            behind=selectors.two_twos_behind(day=today, federation_id=street),
            stale=stale.select_related("community")[:500],
            stale_count=stale.count(),
            year_ago=year_ago,
        )
        return TemplateResponse(request, "services/admin/two_twos.html", context)

    @staticmethod
    def _enterprises(request):
        return Enterprise.objects.for_user(request.user)


@admin.register(Finding)
class FindingAdmin(ScopedModelAdmin):
    form = FindingForm
    list_display = ["description_short", "kind", "visit", "closed_on"]
    list_filter = ["kind", ("closed_on", admin.EmptyFieldListFilter), "visit__community"]
    search_fields = ["description", "follow_up", "visit__enterprise__name"]
    list_select_related = ["visit__enterprise", "visit__community"]
    readonly_fields = ["visit", "kind", "description"]
    fields = ["visit", "kind", "description", "follow_up", "closed_on"]

    def has_add_permission(self, request):
        return False  # findings are added on their visit

    @admin.display(description=_("description"))
    def description_short(self, obj):
        return obj.description[:40]

"""Events, their attendance and their sign-in sheet."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from chunshu_union.admin_exports import ExportAdminMixin
from chunshu_union.admin_mixins import ScopedModelAdmin, ScopedTabularInline
from services.models import Attendance, Event

from . import exports
from .sheets import SheetImportAdminMixin


class AttendanceInline(ScopedTabularInline):
    model = Attendance
    extra = 0
    fields = ["member", "registered_on", "attended"]
    autocomplete_fields = ["member"]


@admin.register(Event)
class EventAdmin(ExportAdminMixin, SheetImportAdminMixin, ScopedModelAdmin):
    # The events as listed, or their attendance (one row per member).
    resource_classes = [exports.EventResource, exports.AttendanceResource]
    list_display = ["title", "kind", "starts_on", "ends_on", "community", "registered", "attended"]
    list_filter = ["kind", "community", ("starts_on", admin.DateFieldListFilter)]
    search_fields = ["title", "place"]
    date_hierarchy = "starts_on"
    filter_horizontal = ["buildings"]
    inlines = [AttendanceInline]

    def get_queryset(self, request):
        from django.db.models import Count, Q

        return (
            super()
            .get_queryset(request)
            .select_related("community")
            .annotate(
                n_registered=Count("attendances"),
                n_attended=Count("attendances", filter=Q(attendances__attended=True)),
            )
        )

    @admin.display(description=_("registered"), ordering="n_registered")
    def registered(self, obj):
        return obj.n_registered

    @admin.display(description=_("attended"), ordering="n_attended")
    def attended(self, obj):
        return obj.n_attended

    sheet_field = "event"

"""What the admin's "Export" button writes for welfare and events
(chunshu_union.admin_exports: scoped, masked, escaped, logged). A member is
exported by name and the stored mask of the ID number, never the number."""

from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from chunshu_union.admin_exports import ExportResource
from services.models import Attendance, Event, Handout, WelfareBatch


class WelfareBatchResource(ExportResource):
    handed_out = Field(attribute="handed_out", column_name=_("handed out"))

    class Meta:
        model = WelfareBatch
        fields = ["name", "item", "campaign", "received_on", "quantity", "stock", "handed_out"]
        export_order = fields


class HandoutResource(ExportResource):
    class Meta:
        model = Handout
        fields = [
            "batch",
            "batch__item",
            "member__name",
            "member__id_masked",
            "enterprise",
            "community",
            "quantity",
            "handed_on",
        ]
        export_order = fields


class EventResource(ExportResource):
    registered = Field(attribute="n_registered", column_name=_("registered"))
    attended = Field(attribute="n_attended", column_name=_("attended"))

    class Meta:
        model = Event
        fields = [
            "title",
            "kind",
            "starts_on",
            "ends_on",
            "community",
            "place",
            "capacity",
            "registered",
            "attended",
        ]
        export_order = fields


class AttendanceResource(ExportResource):
    """Offered on the events list: the attendance of the events listed
    (as filtered), one row per member."""

    class Meta:
        model = Attendance
        fields = [
            "event__title",
            "event__starts_on",
            "member__name",
            "member__id_masked",
            "registered_on",
            "attended",
        ]
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        return (
            Attendance.objects.for_user(self.user)
            .filter(event__in=queryset.order_by().values("pk"))
            .select_related("event", "member")
            .order_by("event__starts_on", "event_id", "member__name")
        )

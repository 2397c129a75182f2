"""Events, their attendance (members and people who are not members), their
notes and attachments, and their sign-in sheet."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from accounts.models import AccessLog
from accounts.services import access_log_record
from chunshu_union import access
from chunshu_union.admin_exports import ExportAdminMixin
from chunshu_union.admin_mixins import ScopedModelAdmin, ScopedTabularInline
from services.models import Attendance, Event
from services.models.events import EventAttachment, EventNote
from services.services import events as event_services

from . import exports
from .common import AttachmentInline, private_file_response
from .sheets import SheetImportAdminMixin


class AttendanceFormSet(BaseInlineFormSet):
    def clean(self):
        """New rows past the event's capacity are refused, as the service
        refuses them (the portal and the sheet go through it)."""
        super().clean()
        event = self.instance
        if event is None or event.capacity is None:
            return
        kept = 0
        for f in self.forms:
            data = getattr(f, "cleaned_data", None) or {}
            if not data.get("DELETE") and (f.instance.pk or f.has_changed()):
                kept += 1
        if kept > event.capacity:
            raise ValidationError(
                _("“%(title)s” is full: all %(capacity)s places are taken.")
                % {"title": event.title, "capacity": event.capacity},
                code="full",
            )


class AttendanceInline(ScopedTabularInline):
    """A member, or (member left empty) a person who is not a member."""

    model = Attendance
    formset = AttendanceFormSet
    extra = 0
    fields = [
        "member",
        "guest_name",
        "guest_phone",
        "guest_employer",
        "registered_on",
        "attended",
    ]
    autocomplete_fields = ["member"]


class EventNoteInline(ScopedTabularInline):
    model = EventNote
    extra = 1
    fields = ["text", "written_by", "written_at"]
    readonly_fields = ["written_by", "written_at"]

    def has_change_permission(self, request, obj=None):
        return False


class EventAttachmentForm(forms.ModelForm):
    class Meta:
        model = EventAttachment
        fields = ["file", "description"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and not getattr(self.instance, "pk", None):
            event_services.aid_attachment_check(upload)
        return upload


class EventAttachmentInline(AttachmentInline):
    model = EventAttachment
    form = EventAttachmentForm


@admin.register(Event)
class EventAdmin(ExportAdminMixin, SheetImportAdminMixin, ScopedModelAdmin):
    # The events as listed, or their attendance (one row per member).
    resource_classes = [exports.EventResource, exports.AttendanceResource]
    list_display = [
        "title",
        "kind",
        "starts_on",
        "ends_on",
        "community",
        "capacity",
        "registered",
        "guests",
        "attended",
    ]
    list_filter = ["kind", "community", ("starts_on", admin.DateFieldListFilter)]
    search_fields = ["title", "place"]
    date_hierarchy = "starts_on"
    filter_horizontal = ["buildings"]
    inlines = [AttendanceInline, EventNoteInline, EventAttachmentInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("community")
            .annotate(
                n_registered=Count("attendances", filter=Q(attendances__member__isnull=False)),
                n_guests=Count("attendances", filter=Q(attendances__member__isnull=True)),
                n_attended=Count("attendances", filter=Q(attendances__attended=True)),
            )
        )

    @admin.display(description=_("members registered"), ordering="n_registered")
    def registered(self, obj):
        return obj.n_registered

    @admin.display(description=_("not members"), ordering="n_guests")
    def guests(self, obj):
        return obj.n_guests

    @admin.display(description=_("attended"), ordering="n_attended")
    def attended(self, obj):
        return obj.n_attended

    sheet_field = "event"

    def save_formset(self, request, form, formset, change):
        if formset.model is EventNote:
            for note_form in formset.forms:
                data = note_form.cleaned_data
                if data and data.get("text") and not note_form.instance.pk:
                    event_services.event_note_add(
                        event=form.instance, by=request.user, text=data["text"]
                    )
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return None
        if formset.model is EventAttachment:
            for attachment_form in formset.forms:
                data = attachment_form.cleaned_data
                if data and data.get("file") and not attachment_form.instance.pk:
                    event_services.event_attach(
                        event=form.instance,
                        by=request.user,
                        upload=data["file"],
                        description=data.get("description", ""),
                    )
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return None
        return super().save_formset(request, form, formset, change)

    admin_views = (
        *SheetImportAdminMixin.admin_views,
        ("attachment/<int:pk>/", "download_view", "services_eventattachment_download"),
    )

    def download_view(self, request, pk: int):
        """Photos and signed sheets are never web-served (MEDIA_ROOT has no
        URL): only this view hands them out, to those who see the event's
        people, and every download is logged."""
        if not access.can_see_personal_data(request.user):
            raise Http404
        attachment = get_object_or_404(EventAttachment.objects.for_user(request.user), pk=pk)
        access_log_record(
            user=request.user,
            action=AccessLog.Action.UNMASK,
            obj=attachment.event,
            detail=f"event attachment {attachment.pk}",
        )
        return private_file_response(attachment, as_attachment=not attachment.is_image)

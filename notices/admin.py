"""Staff's lists: every notice sent or waiting (the record of who was told
what, when, by which channel), and the phones that get no SMS."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chunshu_union import access
from chunshu_union.admin_mixins import (
    ReadOnlyMixin,
    ScopedModelAdmin,
    ServiceAdminMixin,
    ServiceForm,
)

from . import services
from .models import Notice, SmsOptOut


class StaffOnlyMixin:
    """Street staff, whatever their groups: notices are the street's
    record of its own messages, not a register to give rights over."""

    def has_module_permission(self, request):
        return access.is_street_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return access.is_street_staff(request.user)


@admin.register(Notice)
class NoticeAdmin(StaffOnlyMixin, ReadOnlyMixin, ScopedModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "channel",
        "recipient_label",
        "state",
        "attempts",
        "sent_at",
        "last_error",
    ]
    list_filter = ["channel", "state", "kind"]
    search_fields = ["subject", "recipient_label"]
    date_hierarchy = "created_at"
    fields = [
        "kind",
        "channel",
        "recipient_label",
        "subject",
        "body",
        "state",
        "attempts",
        "send_after",
        "created_at",
        "sent_at",
        "read_at",
        "last_error",
    ]
    readonly_fields = fields


class OptOutForm(ServiceForm):
    phone = forms.CharField(label=_("Mobile number"), max_length=20)

    class Meta:
        model = SmsOptOut
        fields = ["note"]

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not (phone.isdigit() and len(phone) == 11):
            raise ValidationError(_("Enter an 11-digit mobile number."))
        return phone


@admin.register(SmsOptOut)
class SmsOptOutAdmin(StaffOnlyMixin, ServiceAdminMixin, ScopedModelAdmin):
    """A phone's choice holds on every street; only its mask is shown."""

    unscoped_because = "a phone's choice not to get SMS holds on every street"
    form = OptOutForm
    list_display = ["phone_masked", "note", "created_at", "created_by"]
    search_fields = ["note"]

    def has_add_permission(self, request):
        return access.is_street_staff(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return access.is_street_staff(request.user)

    def run_service(self, request, obj, data):
        return services.sms_opt_out(phone=data["phone"], by=request.user, note=data["note"])

"""What several sub-domains' admins share."""

from django.contrib import admin
from django.http import FileResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from chunshu_union.admin_mixins import ScopedModelAdmin, ScopedTabularInline
from members.models import Member


class MemberScopedAdmin(ScopedModelAdmin):
    """Member choices in forms come from the scoped member list."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "member":
            kwargs["queryset"] = Member.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AttachmentInline(ScopedTabularInline):
    """A record's private files (an aid case's, an event's): added with a
    description, never changed; each links to its admin's download view,
    named `<app>_<model>_download`, which checks access and logs."""

    extra = 1
    fields = ["file", "description", "download", "content_type", "size", "uploaded_by"]
    readonly_fields = ["download", "content_type", "size", "uploaded_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields

    @admin.display(description=_("download"))
    def download(self, obj):
        if not obj.pk:
            return "-"
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)


def private_file_response(attachment, *, as_attachment: bool = True) -> FileResponse:
    """An attachment's file handed out by its admin's download view (after
    that view's access check and log): never guessed as another type by the
    browser, saved under its original name unless shown inline."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=as_attachment,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response

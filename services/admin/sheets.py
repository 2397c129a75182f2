"""Sign-off sheets (a welfare batch's handouts) and sign-in sheets (an
event's attendance) in the one import flow: the batch's and the event's
pages link to the upload, and each upload has its page with the preview,
the confirmation and undo (chunshu_union.imports.admin)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chunshu_union import access
from chunshu_union.imports.admin import ImportJobAdmin, ImportUploadForm

from ..models import Event, SheetImport, SheetKind, WelfareBatch

#: The right each kind of sheet needs, as the handout and attendance pages do.
PERMISSION = {
    SheetKind.HANDOUTS: "services.add_handout",
    SheetKind.ATTENDANCE: "services.add_attendance",
}


class SheetUploadForm(ImportUploadForm):
    welfare_batch = forms.ModelChoiceField(
        label=_("welfare batch"), queryset=WelfareBatch.objects.none(), required=False
    )
    event = forms.ModelChoiceField(label=_("event"), queryset=Event.objects.none(), required=False)
    handed_on = forms.DateField(
        label=_("date for rows without one"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["welfare_batch"].queryset = WelfareBatch.objects.for_user(user)
        self.fields["event"].queryset = Event.objects.for_user(user)

    def clean(self):
        data = super().clean()
        batch, event = data.get("welfare_batch"), data.get("event")
        if (batch is None) == (event is None):
            raise forms.ValidationError(
                _("Choose the welfare batch of a sign-off sheet or the event of a sign-in sheet.")
            )
        data["kind"] = SheetKind.HANDOUTS if batch else SheetKind.ATTENDANCE
        if not self.user.has_perm(PERMISSION[data["kind"]]):
            raise forms.ValidationError(_("You may not record these."))
        if event is not None:
            data["handed_on"] = None
        return data


@admin.register(SheetImport)
class SheetImportAdmin(ImportJobAdmin):
    upload_form = SheetUploadForm
    upload_intro = _(
        "A sheet lists 姓名 and 身份证号 (and a date); each row must be a member of the"
        " street with that name."
    )
    list_display = ["created_at", "kind", "target_shown", *ImportJobAdmin.list_display[1:]]
    list_filter = ["state", "kind"]
    list_select_related = ["created_by", "welfare_batch", "event"]
    preview_kinds = (
        (
            "new",
            _("Rows to record"),
            [
                (_("row"), "row"),
                (_("name"), "name"),
                (_("ID number"), "id_masked"),
                (_("date"), "day"),
                (_("attended"), "attended"),
            ],
        ),
    )

    @admin.display(description=_("for"))
    def target_shown(self, obj):
        return obj.target

    def new_job(self, request, data):
        return SheetImport(
            kind=data["kind"],
            federation_id=access.bound_street(request.user),
            welfare_batch=data.get("welfare_batch"),
            event=data.get("event"),
            handed_on=data.get("handed_on"),
        )

    def has_add_permission(self, request):
        user = request.user
        return user.has_perm("services.add_sheetimport") and any(
            user.has_perm(right) for right in PERMISSION.values()
        )


class SheetImportAdminMixin:
    """A "import a sheet" button on an object's admin page (a welfare
    batch's sign-off sheet, an event's sign-in sheet), leading to the
    upload with the object chosen."""

    change_form_template = "services/admin/sheet_change_form.html"
    sheet_field: str = ""

    admin_views = (("<int:pk>/import/", "import_view", "{app}_{model}_import"),)

    def import_view(self, request, pk: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        upload = reverse("admin:services_sheetimport_add")
        return redirect(f"{upload}?{self.sheet_field}={obj.pk}")

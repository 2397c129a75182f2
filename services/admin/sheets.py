"""The "import a sheet" page of a welfare batch (sign-off sheet) and of an
event (sign-in sheet)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _


class SheetForm(forms.Form):
    file = forms.FileField(label=_("sheet (Excel or CSV)"))
    handed_on = forms.DateField(
        label=_("date for rows without one"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    dry_run = forms.BooleanField(label=_("check only, write nothing"), required=False)


def sheet_import_view(model_admin, request, obj, run, *, with_date: bool):
    """Upload a sign-off or sign-in sheet for `obj`: all or nothing, every
    fault listed with its row and column, the same importer as the command."""
    from chunshu_union.tabular import FileRejected

    form = SheetForm(request.POST or None, request.FILES or None)
    if not with_date:
        del form.fields["handed_on"]
    result = rejected = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = run(upload, form.cleaned_data)
        except FileRejected as error:
            rejected = error.message
        else:
            if result.written:
                messages.success(
                    request,
                    _("Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.")
                    % result.as_dict(),
                )
                return redirect(f"admin:services_{obj._meta.model_name}_change", obj.pk)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Import a sheet: %(name)s") % {"name": obj},
        "form": form,
        "result": result,
        "rejected": rejected,
        "opts": model_admin.model._meta,
        "original": obj,
    }
    return TemplateResponse(request, "services/admin/sheet_import.html", context)


class SheetImportAdminMixin:
    """An "import a sheet" page on an object's admin page (a welfare batch's
    sign-off sheet, an event's sign-in sheet). Subclasses name the permission
    the import needs and run it in `run_sheet_import`."""

    change_form_template = "services/admin/sheet_change_form.html"
    sheet_permission: str = ""
    sheet_with_date = False

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<int:pk>/import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{opts.app_label}_{opts.model_name}_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request, pk: int):
        if not self.has_view_permission(request) or not request.user.has_perm(
            self.sheet_permission
        ):
            raise PermissionDenied
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        return sheet_import_view(
            self,
            request,
            obj,
            lambda upload, data: self.run_sheet_import(request, obj, upload, data),
            with_date=self.sheet_with_date,
        )

    def run_sheet_import(self, request, obj, upload, data):  # pragma: no cover - abstract
        raise NotImplementedError

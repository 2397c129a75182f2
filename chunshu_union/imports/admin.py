"""The staff's pages of an importer, the same for each: the list of its
imports, an upload page ("add"), and each import's page, which shows the
progress while the check or the write runs (polled by htmx), then the
preview, the faults and the buttons to confirm, cancel or undo."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from chunshu_union.admin_mixins import ScopedModelAdmin

from . import engine, selectors

SPREADSHEET_SUFFIXES = (".xlsx", ".xls", ".ods", ".csv")


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("Excel (.xlsx, .xls), OpenDocument (.ods) or CSV."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(SPREADSHEET_SUFFIXES):
            raise forms.ValidationError(
                _(
                    "Please upload an Excel file (.xlsx or .xls), an OpenDocument spreadsheet"
                    " (.ods) or a CSV file."
                )
            )
        return upload


class ConfirmForm(forms.Form):
    skip_invalid = forms.BooleanField(
        label=_("Import only the valid rows, and take the faulty ones back as an error report"),
        required=False,
    )


class ImportJobAdmin(ScopedModelAdmin):
    """Subclass per importer: set `upload_form` (with the importer's own
    fields), `new_job()` (the unsaved job for a valid form), `upload_intro`
    and `preview_kinds` ((key in job.preview, title, [(column title, key
    in a row)]))."""

    upload_form = ImportUploadForm
    upload_intro = ""
    preview_kinds: tuple = ()
    job_template = "imports/admin/job.html"
    upload_template = "imports/admin/upload.html"
    list_display = [
        "created_at",
        "filename",
        "created_by",
        "state",
        "created",
        "updated",
        "unchanged",
        "invalid",
        "open_link",
    ]
    list_filter = ["state"]
    search_fields = ["filename", "file_sha256"]
    list_select_related = ["created_by"]
    preview_page = 100

    def new_job(self, request, data: dict):
        raise NotImplementedError

    def get_queryset(self, request):
        # The list needs counts, not the columns that grow with the file.
        return super().get_queryset(request).light()

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("import"))
    def open_link(self, obj):
        return format_html('<a href="{}">{}</a>', self._url("job", obj.pk), gettext("open"))

    # --- urls ------------------------------------------------------------------

    def _name(self, view: str) -> str:
        meta = self.model._meta
        return f"{meta.app_label}_{meta.model_name}_{view}"

    def _url(self, view: str, pk: int | None = None) -> str:
        return reverse(f"admin:{self._name(view)}", args=[] if pk is None else [pk])

    def get_urls(self):
        wrap = self.admin_site.admin_view
        views = [
            ("<int:pk>/", self.job_view, "job"),
            ("<int:pk>/progress/", self.progress_view, "progress"),
            ("<int:pk>/rows/<str:kind>/", self.rows_view, "rows"),
            ("<int:pk>/confirm/", require_POST(self.confirm_view), "confirm"),
            ("<int:pk>/cancel/", require_POST(self.cancel_view), "cancel"),
            ("<int:pk>/undo/", require_POST(self.undo_view), "undo"),
            ("<int:pk>/retry/", require_POST(self.retry_view), "retry"),
        ]
        return [
            *(path(route, wrap(view), name=self._name(name)) for route, view, name in views),
            *super().get_urls(),
        ]

    # --- upload --------------------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = self.upload_form(
            request.POST or None,
            request.FILES or None,
            user=request.user,
            initial=request.GET.dict(),  # e.g. ?event=… from the event's page
        )
        if request.method == "POST" and form.is_valid():
            job = self.new_job(request, form.cleaned_data)
            job.created_by = request.user
            engine.job_start(job=job, upload=form.cleaned_data["file"])
            return redirect(self._url("job", job.pk))
        context = self.page_context(
            request,
            gettext("Upload: %(what)s") % {"what": self.model._meta.verbose_name},
            form=form,
            intro=self.upload_intro,
        )
        return TemplateResponse(request, self.upload_template, context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        try:
            pk = int(object_id)
        except ValueError:
            raise Http404 from None
        return redirect(self._url("job", self._job(request, pk).pk))

    # --- one import ------------------------------------------------------------------

    def _job(self, request, pk: int, *, light: bool = True):
        """Another street's import is a 404, never a 403."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = super().get_queryset(request)
        return get_object_or_404(rows.light() if light else rows, pk=pk)

    def job_view(self, request, pk: int):
        job = self._job(request, pk, light=False)
        context = self.page_context(
            request,
            str(job),
            job=job,
            progress=selectors.progress_of(job),
            urls={
                name: self._url(name, job.pk)
                for name in ("progress", "confirm", "cancel", "undo", "retry")
            },
            can_cancel=engine.can_cancel(job),
            can_retry=engine.can_retry(job),
            upload_url=self._url("add"),
            list_url=self._url("changelist"),
            kinds=[
                {
                    "key": key,
                    "title": title,
                    "columns": columns,
                    "count": selectors.preview_count(job, key),
                    "url": reverse(f"admin:{self._name('rows')}", args=[job.pk, key]),
                }
                for key, title, columns in self.preview_kinds
            ],
            first_faults=(job.errors or [])[:50],
            confirm_form=ConfirmForm(),
            can_write=self.has_add_permission(request),
            **self.job_context(job),
        )
        return TemplateResponse(request, self.job_template, context)

    def job_context(self, job) -> dict:
        """What an importer adds to its job's page (counts, notes)."""
        return {}

    def progress_view(self, request, pk: int):
        job = self._job(request, pk)
        response = TemplateResponse(
            request,
            "imports/admin/_progress.html",
            {
                "job": job,
                "progress": selectors.progress_of(job),
                "progress_url": self._url("progress", pk),
            },
        )
        if not job.is_running and request.headers.get("HX-Request"):
            response["HX-Refresh"] = "true"
        return response

    def rows_view(self, request, pk: int, kind: str):
        kinds = {key: (title, columns) for key, title, columns in self.preview_kinds}
        if kind not in kinds:
            raise Http404
        job = self._job(request, pk, light=False)
        title, columns = kinds[kind]
        rows = selectors.preview_rows(job, kind)
        page = Paginator(rows, self.preview_page).get_page(request.GET.get("page"))
        context = self.page_context(
            request,
            f"{title} · {job}",
            job=job,
            titles=[column_title for column_title, _key in columns],
            table=[[_cell(row.get(key)) for _title, key in columns] for row in page],
            page=page,
            job_url=self._url("job", pk),
        )
        return TemplateResponse(request, "imports/admin/rows.html", context)

    def _act(self, request, pk: int, act, done: str):
        if not self.has_add_permission(request):
            raise PermissionDenied
        job = self._job(request, pk)
        try:
            act(job)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done)
        return redirect(self._url("job", pk))

    def confirm_view(self, request, pk: int):
        form = ConfirmForm(request.POST)
        skip = form.is_valid() and form.cleaned_data["skip_invalid"]
        return self._act(
            request,
            pk,
            lambda job: engine.job_confirm(job=job, skip_invalid=skip),
            gettext("Confirmed: the import is being written."),
        )

    def cancel_view(self, request, pk: int):
        return self._act(
            request,
            pk,
            lambda job: engine.job_cancel(job=job),
            gettext("The import was cancelled; nothing was written."),
        )

    def retry_view(self, request, pk: int):
        return self._act(
            request,
            pk,
            lambda job: engine.job_retry(job=job),
            gettext("The file is being checked again."),
        )

    def undo_view(self, request, pk: int):
        return self._act(
            request,
            pk,
            lambda job: engine.job_undo(job=job, by=request.user),
            gettext("The import was undone."),
        )


def _cell(value) -> str:
    """A preview cell as text; a list of changes as "field: before → after"."""
    if isinstance(value, list):
        return "；".join(
            f"{c['field']}：{c.get('before') or '—'} → {c.get('after') or '—'}" for c in value
        )
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else str(value)

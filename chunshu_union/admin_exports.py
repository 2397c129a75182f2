"""The admin's "Export" button: small tables to Excel (.xlsx) or CSV,
through django-import-export, kept like every other export of ours.

- **Scoped**: the rows are the admin's own changelist — `get_queryset()`
  (the `for_user` scoping) narrowed by the filters and search the user has
  applied (import-export's `get_export_queryset`).
- **Permitted**: only a user who may view the model exports it; the button
  is not shown to anyone else and the URL answers 403.
- **Masked**: a resource names its personal columns (`masked`, a column and
  its mask); they are written masked unless `access.can_see_personal_data`
  says the user is entitled. A member's ID number is never a column in
  clear: resources export the stored mask (DESIGN: the number is shown in
  clear only on a member's own page).
- **Safe cells**: every cell, header included, goes through
  `chunshu_union.tabular.export` (a cell starting like a formula is text).
- **Logged**: each export sends `export_made`; the accounts app records it
  in the access log. An export nobody would log is refused.
- Chinese column headers (the models' verbose names); export only — our
  importers have their own flow, so no import view or button exists.

This module imports no app: it knows models only through the admins and
resources that use it.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable

import openpyxl
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import (
    BadRequest,
    FieldDoesNotExist,
    ImproperlyConfigured,
    PermissionDenied,
)
from django.db import models
from django.dispatch import Signal
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.resources import ModelResource
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from unfold.contrib.import_export.forms import ExportForm

from . import access
from .tabular.export import append_row, safe_csv_value

#: Sent after every admin export, before the file leaves: sender the model
#: exported, `user`, `rows` (how many), `file_format` ("xlsx" or "csv").
#: Connected in accounts (the access log); a receiver that fails stops the
#: export.
export_made = Signal()


class SafeXLSX(XLSX):
    """Each cell written by `append_row`: a value that starts like a formula
    is stored as text, exactly as typed (no apostrophe is added)."""

    def export_data(self, dataset, **kwargs):
        book = openpyxl.Workbook()
        sheet = book.active
        append_row(sheet, [_xlsx_value(header) for header in dataset.headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row in dataset:
            append_row(sheet, [_xlsx_value(value) for value in row])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


class SafeCSV(CSV):
    """A value that starts like a formula gets a leading apostrophe (a CSV
    cell has no type to say "text"). UTF-8 with a BOM, so that Excel on a
    Chinese Windows reads it as UTF-8 rather than GBK."""

    def export_data(self, dataset, **kwargs):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([safe_csv_value(str(header)) for header in dataset.headers])
        for row in dataset:
            writer.writerow([safe_csv_value(_csv_text(value)) for value in row])
        return out.getvalue()


def _xlsx_value(value):
    # openpyxl refuses control characters that a pasted name may carry.
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _csv_text(value) -> str:
    return "" if value is None else str(value)


class ExportResource(ModelResource):
    """A model's columns for the admin export. Subclasses list the columns
    in `Meta.fields` (a relation is written as its row's name; a path such
    as `member__id_masked` reaches further) and, in `masked`, the personal
    ones with their mask. Each header is the verbose name of the field the
    column reads, unless the resource declares the column with its own."""

    #: Column name → mask, applied unless the user is entitled.
    masked: dict[str, Callable[[str], str]] = {}

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        # No user (import-export builds a resource bare to list its
        # columns): nobody is entitled.
        self.user = user
        self.entitled = user is not None and access.can_see_personal_data(user)
        for name, field in self.fields.items():
            if field.column_name == name:
                field.column_name = _verbose_name(self._meta.model, field.attribute or name)

    @classmethod
    def get_display_name(cls):
        """The export form's choice when an admin offers several."""
        return force_str(cls._meta.model._meta.verbose_name_plural)

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        field = super().field_from_django_field(field_name, django_field, readonly)
        field.attribute = field_name  # a related row by its name, not its id
        return field

    def get_user_visible_fields(self):
        return self.get_export_fields()

    def get_export_headers(self, selected_fields=None):
        return [force_str(f.column_name) for f in self.get_export_fields(selected_fields)]

    def export_field(self, field, instance, **kwargs):
        name = self.get_field_name(field)
        dehydrate = field.get_dehydrate_method(name)
        if callable(dehydrate) or hasattr(self, dehydrate):
            value = super().export_field(field, instance, **kwargs)
        else:
            value = _present(self._meta.model, field.attribute or name, field.get_value(instance))
        if name in self.masked and not self.entitled and value:
            return self.masked[name](str(value))
        return value


def _model_field(model, path: str):
    field = None
    for name in path.split("__"):
        if model is None:
            return None
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None  # a property or a method: no field behind it
        model = field.related_model
    return field


def _verbose_name(model, path: str) -> str:
    field = _model_field(model, path)
    return getattr(field, "verbose_name", path) if field is not None else path


def _present(model, path: str, value):
    """A value as a reader of the sheet wants it: a choice's label, 是/否,
    a related row's name, a local time; numbers and dates keep their type."""
    if value is None:
        return ""
    if isinstance(value, models.Manager):
        return "、".join(str(row) for row in value.all())
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, bool):
        return force_str(_("Yes") if value else _("No"))
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    field = _model_field(model, path)
    if field is not None and field.choices:
        return force_str(dict(field.flatchoices).get(value, value))
    return value


class ExportAdminMixin(ExportMixin):
    """Put before the ModelAdmin class: `class XAdmin(ExportAdminMixin,
    ScopedModelAdmin)`, with `resource_classes = [XResource]`."""

    export_form_class = ExportForm  # unfold's look; no column picking
    formats = [SafeXLSX, SafeCSV]
    to_encoding = "utf-8-sig"

    @property
    def export_formats(self):
        return self.formats

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def get_export_queryset(self, request):
        try:
            return super().get_export_queryset(request)
        except IncorrectLookupParameters:
            # The list itself answers such a link with its "?e=1" page.
            raise BadRequest("Unknown filter.") from None

    def get_valid_export_item_pks(self, request):
        # Only through a posted selection: kept to the scoped rows.
        return self.get_export_queryset(request).values_list("pk", flat=True)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        """import-export's, with native values for every format (only text
        is escaped, a number stays a number) and the export logged."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        if not export_made.has_listeners():
            raise ImproperlyConfigured("An admin export must be logged: connect export_made.")
        resource = self.choose_export_resource_class(kwargs.get("export_form"), request)
        data = self.get_data_for_export(request, queryset, force_native_type=True, **kwargs)
        content = file_format.export_data(data)
        encoding = kwargs.get("encoding")
        if not file_format.is_binary() and encoding:
            content = content.encode(encoding)
        export_made.send(
            sender=resource._meta.model,  # an event list may export its attendance
            user=request.user,
            rows=len(data),
            file_format=file_format.get_extension(),
        )
        return content

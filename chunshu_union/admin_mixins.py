"""What every admin page of ours shares: the rows, the choices in its forms
and in its list filters go through the same `for_user` scoping as the
portal and the API (chunshu_union.access); and every record with a rule is
written through its service (`ServiceAdminMixin`), never by the admin."""

import copy

from django import forms
from django.contrib import messages
from django.contrib.admin import RelatedFieldListFilter, SimpleListFilter, display
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models, transaction
from django.http import HttpResponseRedirect
from django.urls import path
from unfold.admin import ModelAdmin, StackedInline, TabularInline

from . import access


def _scopable(model) -> bool:
    return hasattr(model._default_manager, "for_user") or model is get_user_model()


def _scoped(qs, user):
    """Rows and choices through `for_user`, accounts through
    `access.accounts`; a catalogue every street shares stays whole."""
    if hasattr(qs, "for_user"):
        return qs.for_user(user)
    return access.accounts(qs, user) if qs.model is get_user_model() else qs


class ScopedRelatedFilter(RelatedFieldListFilter):
    """A list filter offers only the related rows the user may see (another
    street's welfare batch or cadre is not even a name in the sidebar)."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        rows = _scoped(field.related_model._default_manager.all(), request.user)
        if ordering:
            rows = rows.order_by(*ordering)
        return [(row.pk, str(row)) for row in rows]


class ChoiceFilter(SimpleListFilter):
    """A list filter of a few named choices, each a condition on the rows:
    `conditions` holds (value in the URL, label, Q); no choice, every row.
    (Not `choices`: that is SimpleListFilter's own method.)"""

    conditions: tuple = ()

    def lookups(self, request, model_admin):
        return [(value, label) for value, label, _condition in self.conditions]

    def queryset(self, request, queryset):
        for value, _label, condition in self.conditions:
            if self.value() == value:
                return queryset.filter(condition)
        return queryset


class ScopedAdminMixin:
    #: Nothing is hard-deleted (DESIGN): leaving ends a membership, a status
    #: change supersedes another. An admin that truly needs deletion says so.
    allow_delete = False
    #: The rows are listed through the model's `for_user`, which every model
    #: that belongs to a street must have: an admin without it fails loudly
    #: (tests/test_url_access.py opens every list) unless it says here why its
    #: rows belong to no street (a catalogue shared by every street).
    unscoped_because = ""

    def has_delete_permission(self, request, obj=None):
        return self.allow_delete and super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        return rows if self.unscoped_because else rows.for_user(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = _scoped(field.queryset, request.user)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = _scoped(field.queryset, request.user)
        return field

    def get_list_filter(self, request):
        return [self._scoped_filter(entry) for entry in super().get_list_filter(request)]

    def _scoped_filter(self, entry):
        if isinstance(entry, str):
            field = get_fields_from_path(self.model, entry)[-1]
            if field.is_relation and _scopable(field.related_model):
                return (entry, ScopedRelatedFilter)
        return entry


class ReadOnlyMixin:
    """Rows that come from outside (the tax bureau) or from the computation,
    and logs: shown, never added, edited or deleted by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def count_column(relation: str, description):
    """A sortable changelist column counting each row's `relation`, for an
    admin with `CountColumnsMixin` (which adds the count to its queryset)."""

    @display(description=description, ordering=f"n_{relation}")
    def column(self, obj):
        return getattr(obj, f"n_{relation}")

    column.counted = relation
    return column


class CountColumnsMixin:
    """Annotates the count behind each `count_column` declared on the admin
    class itself, so a changelist of counts stays one query."""

    def get_queryset(self, request):
        counted = {
            value.counted
            for value in vars(type(self)).values()
            if callable(value) and hasattr(value, "counted")
        }
        return (
            super()
            .get_queryset(request)
            .annotate(**{f"n_{relation}": models.Count(relation) for relation in counted})
        )


class ScopedModelAdmin(ScopedAdminMixin, ModelAdmin):
    list_per_page = 50
    show_full_result_count = False
    #: The admin's own pages beside Django's: (route, the name of the view
    #: method, the URL's name; "{app}" and "{model}" in it stand for the
    #: model's app label and model name). Each goes through
    #: `admin_site.admin_view` (a signed-in staff account), and comes before
    #: Django's own routes so that "<pk>/..." is not read as an object's page.
    admin_views: tuple[tuple[str, str, str], ...] = ()

    def page_context(self, request, title, **extra) -> dict:
        """The context of one of `admin_views`' pages: the admin's frame
        (sidebar, user menu), its title and the model's breadcrumbs."""
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            **extra,
        }

    def get_urls(self):
        opts = self.model._meta
        return [
            *(
                path(
                    route,
                    self.admin_site.admin_view(getattr(self, view)),
                    name=name.format(app=opts.app_label, model=opts.model_name),
                )
                for route, view, name in self.admin_views
            ),
            *super().get_urls(),
        ]


class ScopedTabularInline(ScopedAdminMixin, TabularInline):
    pass


class ScopedStackedInline(ScopedAdminMixin, StackedInline):
    pass


# --- The one bridge from an admin page to a service --------------------------


class ServiceForm(forms.ModelForm):
    """The form of an admin page whose records a service writes: its
    `clean()` asks the service, so a refusal is an error on the form.
    `ServiceAdminMixin.get_form` fills in the two attributes below."""

    service_admin = None
    request = None

    def clean(self):
        data = super().clean()
        if self.service_admin is not None and not self.errors:
            self.service_admin.service_check(self.request, self.instance, data, form=self)
        return data


class _DryRun(Exception):
    pass


class ServiceRefused(Exception):
    """The service refused the real write although the check had let it
    through (something changed in between); the admin's transaction is
    rolled back and the page says why."""

    def __init__(self, refused: ValidationError):
        super().__init__(refused)
        self.refused = refused


class ServiceAdminMixin:
    """One bridge from an admin page to the service that writes its records
    (handouts, visits, aid cases, service requests, 京卡 changes,
    verifications, transfers, agreements, API tokens …).

    A subclass says once, in `run_service`, how the form's data becomes a
    call of its service. The mixin calls it twice, the same way:

    1. **Check** — in the form's `clean()`, inside a savepoint that is
       always rolled back. A `ValidationError` becomes an error on the
       form, shown in Chinese beside the posted data; nothing is written.
    2. **Write** — in `save_model()`, for real; the admin then goes on with
       the row the service returned (its inlines hang from it, the log and
       the redirect name it).

    Why a rolled-back run rather than a separate `*_check` function per
    service: the service stays the one statement of its rules, so the form
    can never disagree with it (a check function would be a second copy to
    keep in step, and for most rules — stock, one handout per batch, who
    may do which step — the write itself is the check). It costs one
    rolled-back transaction per save typed by hand. And because the check
    writes nothing, a form that fails later (a model constraint, an inline)
    leaves nothing behind: the old habit of running the service for real in
    `clean()` saved a verification and then showed "…already exists" for
    it, and a retry saved another.

    Should the write be refused although the check passed (another person
    got there in between), the whole admin transaction is rolled back and
    the add page comes back with the refusal as a message.

    `run_service(request, obj, data)` returns the record the service made
    or changed; or None when this save goes through no service (an edit of
    a free-text field), and then `save_without_service` saves — by default
    as the admin would. In the check, `obj` and the model instances in
    `data` are copies, so what the rolled-back run changes in memory (a
    member's stamp, a case's status) does not leak into the real one.
    """

    form = ServiceForm

    def run_service(self, request, obj, data: dict):  # pragma: no cover - abstract
        raise NotImplementedError

    def save_without_service(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not issubclass(form, ServiceForm):
            raise ImproperlyConfigured(
                f"{type(self).__name__}.form must be a chunshu_union.admin_mixins.ServiceForm."
            )
        # get_form builds a new class for each request, so these are this
        # request's alone.
        form.service_admin, form.request = self, request
        return form

    def service_check(self, request, obj, data: dict, *, form) -> None:
        try:
            with transaction.atomic():
                self.run_service(request, copy.copy(obj), _copies(data))
                raise _DryRun
        except _DryRun:
            pass
        except ValidationError as refused:
            form.add_error(None, _fitting(refused, form))

    def save_model(self, request, obj, form, change):
        try:
            made = self.run_service(request, obj, form.cleaned_data)
        except ValidationError as refused:
            raise ServiceRefused(refused) from refused
        if made is None:
            self.save_without_service(request, obj, form, change)
        else:
            _adopt(obj, made)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as error:
            # Raised inside the admin's transaction, which it rolled back.
            self.message_user(request, " ".join(error.refused.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def _copies(data: dict) -> dict:
    return {
        name: copy.copy(value) if isinstance(value, models.Model) else value
        for name, value in data.items()
    }


def _fitting(refused: ValidationError, form):
    """A refusal that names fields goes beside them when the form has them
    all; otherwise its sentences go at the top of the form."""
    if hasattr(refused, "error_dict") and not set(refused.error_dict) <= set(form.fields):
        return refused.messages
    return refused


def _adopt(obj, made) -> None:
    """`obj` (the form's instance) becomes the row the service wrote."""
    if type(made) is not type(obj):
        raise TypeError(f"run_service returned a {type(made).__name__}, not a {type(obj).__name__}")
    for field in made._meta.concrete_fields:
        setattr(obj, field.attname, getattr(made, field.attname))
    obj._state.adding = False
    obj._state.db = made._state.db

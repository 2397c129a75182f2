"""What every admin page of ours shares: the rows, the choices in its forms
and in its list filters go through the same `for_user` scoping as the
portal and the API (chunshu_union.access)."""

from django.contrib.admin import RelatedFieldListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth import get_user_model
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


class ScopedModelAdmin(ScopedAdminMixin, ModelAdmin):
    list_per_page = 50
    show_full_result_count = False


class ScopedTabularInline(ScopedAdminMixin, TabularInline):
    pass


class ScopedStackedInline(ScopedAdminMixin, StackedInline):
    pass

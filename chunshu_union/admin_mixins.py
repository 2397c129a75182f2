"""What every admin page of ours shares: the rows and the choices in its
forms go through the same scoping functions as the portal and the API."""

from unfold.admin import ModelAdmin, StackedInline, TabularInline


def _scoped(qs, user):
    return qs.for_user(user) if hasattr(qs, "for_user") else qs


class ScopedAdminMixin:
    #: Nothing is hard-deleted (DESIGN): leaving ends a membership, a status
    #: change supersedes another. An admin that truly needs deletion says so.
    allow_delete = False

    def has_delete_permission(self, request, obj=None):
        return self.allow_delete and super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = _scoped(field.queryset, request.user)
        return field


class ScopedModelAdmin(ScopedAdminMixin, ModelAdmin):
    list_per_page = 50
    show_full_result_count = False


class ScopedTabularInline(ScopedAdminMixin, TabularInline):
    pass


class ScopedStackedInline(ScopedAdminMixin, StackedInline):
    pass

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from .models import AccessLog, ApiToken, User
from .tokens import api_token_create

admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin, ModelAdmin):
    pass


@admin.register(User)
class UserAdmin(BaseUserAdmin, ModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ["username", "last_name", "first_name", "role", "community", "is_active"]
    list_filter = ["role", "community", "is_active"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Role"), {"fields": ["role", "federation", "community"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "password1", "password2", "role", "community"]}),
    ]


@admin.register(AccessLog)
class AccessLogAdmin(ModelAdmin):
    list_display = ["at", "user", "action", "object_type", "object_id", "detail"]
    list_filter = ["action", "object_type"]
    search_fields = ["user__username", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(ModelAdmin):
    """Staff make a token for another system; the key is shown once."""

    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at"]
    fields = ["user", "name", "expires_at"]
    readonly_fields = []

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        token, key = api_token_create(
            user=obj.user, name=obj.name, lifetime=obj.expires_at - timezone.now()
        )
        obj.pk = token.pk
        messages.warning(
            request,
            _(
                "The key of token “%(name)s” is %(key)s — copy it now: it is not stored and will not be shown again."
            )
            % {"name": token.name, "key": key},
        )

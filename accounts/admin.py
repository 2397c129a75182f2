"""Accounts in the admin. Users, groups and rights are the superuser's
alone, whatever model permissions an account holds: a staff member who is
not a superuser does not see these pages at all (403), changes their own
password at /admin/password_change/ (which asks for the old one), and
makes, sees and revokes only their own API tokens."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from chunshu_union.admin_mixins import ReadOnlyMixin, ServiceAdminMixin, ServiceForm

from . import roles
from .models import AccessLog, ApiToken, User
from .tokens import DEFAULT_LIFETIME, api_token_create, api_token_revoke, may_manage_tokens_of

admin.site.unregister(Group)


class SuperuserOnly:
    """Managing accounts and rights is for superusers, never a model
    permission a staff account could be given."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Group)
class GroupAdmin(SuperuserOnly, BaseGroupAdmin, ModelAdmin):
    """The groups of accounts/roles.py keep the rights the code gives them
    (a change here would come undone at the next migrate): their name and
    rights are shown read-only and they are not deleted. A superuser may add
    other groups freely."""

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.name in _code_groups():
            return ["name", "permissions"]
        return []

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.name in _code_groups():
            return False
        return super().has_delete_permission(request, obj)


def _code_groups() -> set[str]:
    return {rights.name for rights in roles.GROUPS}


@admin.register(User)
class UserAdmin(SuperuserOnly, BaseUserAdmin, ModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ["username", "last_name", "first_name", "role", "community", "is_active"]
    list_filter = ["role", "community", "is_active", "is_superuser", "groups"]
    # is_staff is left out: it follows the role (User.save).
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["last_name", "first_name", "email"]}),
        (_("Role"), {"fields": ["role", "federation", "community"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"fields": ["username", "password1", "password2", "role", "federation", "community"]},
        ),
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:  # a new staff member can work at once
            form.instance.groups.add(*roles.groups_for_role(form.instance.role))


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = ["at", "user", "action", "object_type", "object_id", "detail"]
    list_filter = ["action", "object_type"]
    search_fields = ["user__username", "object_id"]
    date_hierarchy = "at"


class ApiTokenForm(ServiceForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name", "expires_at"]

    def clean_expires_at(self):
        expires_at = self.cleaned_data["expires_at"]
        if expires_at <= timezone.now():
            raise forms.ValidationError(_("The expiry must be in the future."))
        return expires_at


@admin.register(ApiToken)
class ApiTokenAdmin(ServiceAdminMixin, ModelAdmin):
    """A token for another system. Each staff member makes, sees and revokes
    their own; a superuser also those of other accounts (service accounts).
    The key is shown once, on the page that answers the form: it is never
    stored, logged, or put in a cookie or the session (it travels from the
    service to that page on the request alone)."""

    form = ApiTokenForm
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at"]
    shown_fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at"]

    def get_queryset(self, request):
        tokens = super().get_queryset(request).select_related("user")
        return tokens if request.user.is_superuser else tokens.filter(user=request.user)

    def get_fields(self, request, obj=None):
        if obj is not None:
            return self.shown_fields
        # Only a superuser chooses whose token it is; anyone else's is theirs.
        return (
            ["user", "name", "expires_at"] if request.user.is_superuser else ["name", "expires_at"]
        )

    def get_readonly_fields(self, request, obj=None):
        return self.shown_fields if obj is not None else []

    def get_changeform_initial_data(self, request):
        return {"user": request.user.pk, "expires_at": timezone.now() + DEFAULT_LIFETIME}

    def has_module_permission(self, request):
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request) and (
            obj is None or may_manage_tokens_of(request.user, obj.user)
        )

    def has_add_permission(self, request):
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def run_service(self, request, obj, data):
        token, request._api_token_key = api_token_create(
            user=data.get("user") or request.user,
            name=data["name"],
            lifetime=data["expires_at"] - timezone.now(),
            by=request.user,
        )
        return token

    def response_add(self, request, obj, post_url_continue=None):
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("API token made"),
            "opts": self.opts,
            "token": obj,
            "key": request._api_token_key,
        }
        response = TemplateResponse(request, "admin/accounts/apitoken/made.html", context)
        add_never_cache_headers(response)  # the key must not sit in any cache
        return response

    def delete_model(self, request, obj):
        api_token_revoke(token=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for token in queryset.select_related("user"):
            api_token_revoke(token=token, by=request.user)

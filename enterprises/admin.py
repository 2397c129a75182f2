from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from chunshu_union.admin_mixins import ScopedModelAdmin, ScopedTabularInline
from members.models import Membership

from .models import Building, Community, Enterprise, EnterpriseStatus, Federation
from .services import enterprise_refresh_status


@admin.register(Federation)
class FederationAdmin(ScopedModelAdmin):
    list_display = ["name", "founded_on"]


@admin.register(Community)
class CommunityAdmin(ScopedModelAdmin):
    list_display = ["name", "federation", "enterprise_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n=Count("enterprises"))

    @admin.display(description=_("enterprises"), ordering="n")
    def enterprise_count(self, obj):
        return obj.n


@admin.register(Building)
class BuildingAdmin(ScopedModelAdmin):
    list_display = ["name", "federation"]
    search_fields = ["name"]


class StatusInline(ScopedTabularInline):
    """The history is append-only: old entries are read-only, a new one is
    added below them."""

    model = EnterpriseStatus
    extra = 0
    fields = ["status", "effective_on", "reason", "evidence", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_by", "recorded_at"]
    ordering = ["-effective_on", "-pk"]
    can_delete = False
    verbose_name = _("status change")

    def has_change_permission(self, request, obj=None):
        return False


class OpenMembershipInline(ScopedTabularInline):
    model = Membership
    extra = 0
    fields = ["member_name", "member_id", "joined_on"]
    readonly_fields = ["member_name", "member_id", "joined_on"]
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("current members")
    max_num = 0

    def get_queryset(self, request):
        return super().get_queryset(request).filter(left_on__isnull=True).select_related("member")

    @admin.display(description=_("name"))
    def member_name(self, obj):
        return obj.member.name

    @admin.display(description=_("ID number"))
    def member_id(self, obj):
        return obj.member.id_masked


@admin.register(Enterprise)
class EnterpriseAdmin(ScopedModelAdmin):
    list_display = [
        "name",
        "credit_code",
        "community",
        "building",
        "status",
        "headcount",
        "open_members",
    ]
    list_filter = ["community", "status", "building", "ownership"]
    search_fields = ["name", "=credit_code", "union_chair"]
    list_select_related = ["community", "building"]
    readonly_fields = ["status", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {"fields": ["name", "credit_code", "community", "building", "ownership", "headcount"]},
        ),
        (_("Union"), {"fields": ["union_founded_on", "union_chair", "union_chair_phone"]}),
        (_("Status"), {"fields": ["status", "created_at", "updated_at"]}),
    ]
    inlines = [StatusInline, OpenMembershipInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_open=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
        )

    @admin.display(description=_("members"), ordering="n_open")
    def open_members(self, obj):
        return obj.n_open

    def save_formset(self, request, form, formset, change):
        if formset.model is EnterpriseStatus:
            for entry in formset.save(commit=False):
                entry.recorded_by = request.user
                entry.save()
            enterprise_refresh_status(enterprise=form.instance)
            return
        super().save_formset(request, form, formset, change)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and not obj.status_history.exists():
            EnterpriseStatus.objects.create(
                enterprise=obj,
                status=obj.status,
                effective_on=obj.union_founded_on or obj.created_at.date(),
                reason=_("Created in the admin"),
                recorded_by=request.user,
            )

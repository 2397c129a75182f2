from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from chunshu_union.admin_exports import ExportAdminMixin
from chunshu_union.admin_mixins import (
    CountColumnsMixin,
    ScopedModelAdmin,
    ScopedTabularInline,
    ServiceAdminMixin,
    ServiceForm,
    count_column,
)
from chunshu_union.paginator import EstimatedCountPaginator

from . import admin_exports
from .models import (
    AffairsDisclosure,
    Building,
    CollectiveAgreement,
    Community,
    CongressSession,
    Enterprise,
    EnterpriseStatus,
    Federation,
    WorkerCongress,
)
from .registers import agreement_check, agreement_record
from .services import enterprise_refresh_status


@admin.register(Federation)
class FederationAdmin(ScopedModelAdmin):
    list_display = ["name", "founded_on"]


@admin.register(Community)
class CommunityAdmin(CountColumnsMixin, ScopedModelAdmin):
    list_display = ["name", "federation", "enterprise_count"]
    search_fields = ["name"]
    enterprise_count = count_column("enterprises", _("enterprises"))


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


@admin.register(Enterprise)
class EnterpriseAdmin(ExportAdminMixin, ScopedModelAdmin):
    resource_classes = [admin_exports.EnterpriseResource]
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
    # A city's million enterprises: the planner's estimate past 100,000 rows
    # instead of COUNT(*), and no second, unfiltered count (docs/SCALING.md).
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    readonly_fields = ["status", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {"fields": ["name", "credit_code", "community", "building", "ownership", "headcount"]},
        ),
        (_("Union"), {"fields": ["union_founded_on", "union_chair", "union_chair_phone"]}),
        (_("Status"), {"fields": ["status", "created_at", "updated_at"]}),
    ]
    # members/admin.py adds the current members below the history: the
    # enterprises app sits below members and does not import it.
    inlines = [StatusInline]

    def get_queryset(self, request):
        # A count per row, not a GROUP BY over every membership: PostgreSQL
        # then sorts and cuts the page first and counts the members of its
        # 50 enterprises only, and the changelist's own count needs no join
        # (0.76 s → see docs/PERFORMANCE.md, "Scale").
        # The enterprises app sits below members: the model by the relation.
        Membership = Enterprise._meta.get_field("memberships").related_model
        open_members = (
            Membership._base_manager.filter(enterprise=OuterRef("pk"), left_on__isnull=True)
            .order_by()
            .values("enterprise")
            .annotate(n=Count("*"))  # COUNT(*): read from the (enterprise, left_on) index alone
            .values("n")
        )
        return super().get_queryset(request).annotate(n_open=Coalesce(Subquery(open_members), 0))

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


# --- Registers: collective bargaining and democratic management ------------
# (services issue; rules in enterprises/registers.py)


class CollectiveAgreementForm(ServiceForm):
    class Meta:
        model = CollectiveAgreement
        fields = [
            "federation",
            "scope",
            "title",
            "community",
            "industry",
            "enterprises",
            "signed_on",
            "starts_on",
            "ends_on",
            "wage_rise_percent",
            "covered_workers",
            "is_demonstration",
        ]


@admin.register(CollectiveAgreement)
class CollectiveAgreementAdmin(ExportAdminMixin, ServiceAdminMixin, ScopedModelAdmin):
    resource_classes = [admin_exports.CollectiveAgreementResource]
    form = CollectiveAgreementForm
    list_display = [
        "title",
        "scope",
        "community",
        "signed_on",
        "starts_on",
        "ends_on",
        "wage_rise_percent",
        "covered_workers",
        "is_demonstration",
    ]
    list_filter = ["scope", "community", "is_demonstration", "signed_on"]
    search_fields = ["title", "industry", "enterprises__name"]
    autocomplete_fields = ["enterprises"]
    list_select_related = ["community"]
    date_hierarchy = "signed_on"

    def run_service(self, request, obj, data):
        enterprises = list(data.get("enterprises") or [])
        if obj.pk is not None:
            # No service edits an agreement: its coverage rules are checked
            # and the admin saves the form.
            agreement_check(
                by=request.user,
                scope=data["scope"],
                enterprises=enterprises,
                community=data.get("community"),
                is_demonstration=data.get("is_demonstration", False),
            )
            return None
        return agreement_record(
            by=request.user,
            federation=data["federation"],
            scope=data["scope"],
            title=data["title"],
            enterprises=enterprises,
            signed_on=data["signed_on"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            wage_rise_percent=data.get("wage_rise_percent"),
            covered_workers=data.get("covered_workers"),
            community=data.get("community"),
            industry=data.get("industry", ""),
            is_demonstration=data.get("is_demonstration", False),
        )


class CongressSessionInline(ScopedTabularInline):
    model = CongressSession
    extra = 1
    fields = ["held_on", "delegates", "resolutions"]


@admin.register(WorkerCongress)
class WorkerCongressAdmin(ExportAdminMixin, CountColumnsMixin, ScopedModelAdmin):
    resource_classes = [admin_exports.WorkerCongressResource]
    list_display = ["name", "scope", "community", "enterprise", "established_on", "sessions_held"]
    list_filter = ["scope", "community"]
    search_fields = ["name", "enterprise__name"]
    autocomplete_fields = ["enterprise"]
    list_select_related = ["community", "enterprise"]
    inlines = [CongressSessionInline]
    sessions_held = count_column("sessions", _("sessions"))


@admin.register(AffairsDisclosure)
class AffairsDisclosureAdmin(ExportAdminMixin, ScopedModelAdmin):
    resource_classes = [admin_exports.AffairsDisclosureResource]
    list_display = ["enterprise", "disclosed_on", "topic", "method"]
    list_filter = ["method", "enterprise__community"]
    search_fields = ["topic", "enterprise__name", "content"]
    autocomplete_fields = ["enterprise"]
    list_select_related = ["enterprise"]
    date_hierarchy = "disclosed_on"

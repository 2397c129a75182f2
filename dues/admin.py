"""The staff's union-funds pages: declarations (upload with a preview),
unmatched declarations, rate snapshots and their revisions, the rates per
community and quarter, the zombie list with its resolve form, and the gap to
the target. Everything is read through the `for_user` scoping."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action

from chunshu_union import access
from chunshu_union.admin_mixins import ChoiceFilter, ReadOnlyMixin, ScopedModelAdmin
from chunshu_union.imports.admin import ImportJobAdmin
from chunshu_union.quarters import Quarter

from . import selectors
from .forms import DeclarationUploadForm, ResolveForm
from .models import Declaration, DeclarationImport, RateSnapshot, UnmatchedDeclaration, ZombieFlag
from .services import zombie_resolve
from .tasks import recompute_rates
from .zombies import reason_text


class MatchedFilter(ChoiceFilter):
    title = _("matched to an enterprise")
    parameter_name = "matched"
    conditions = (
        ("yes", _("Yes"), Q(enterprise__isnull=False)),
        ("no", _("No (unmatched)"), Q(enterprise__isnull=True)),
    )


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyMixin, ScopedModelAdmin):
    list_display = [
        "taxpayer_name",
        "credit_code",
        "enterprise",
        "period_start",
        "period_end",
        "amount_due",
        "amount_paid",
        "declared_on",
        "is_zero",
    ]
    list_filter = [MatchedFilter, "is_zero", "item", "enterprise__community"]
    search_fields = ["=credit_code", "taxpayer_name"]
    list_select_related = ["enterprise"]
    date_hierarchy = "period_end"
    actions_list = ["upload_button"]

    admin_views = (("upload/", "upload_view", "dues_declaration_upload"),)

    @action(description=_("Upload the tax bureau's export"), url_path="upload-button")
    def upload_button(self, request):
        return redirect("admin:dues_declarationimport_add")

    def upload_view(self, request):
        """The old address of the upload: the import flow's upload page."""
        return redirect("admin:dues_declarationimport_add")


@admin.register(DeclarationImport)
class DeclarationImportAdmin(ImportJobAdmin):
    """Upload → check (in the background) → preview → confirm → written,
    and undo: the import flow every importer shares."""

    upload_form = DeclarationUploadForm
    upload_intro = _(
        "Upload the declaration details exactly as the tax bureau exports them. Only union"
        " funds are read; other taxes are skipped and counted."
    )
    preview_kinds = (
        (
            "new",
            _("New declarations"),
            [
                (_("row"), "row"),
                (_("taxpayer ID"), "taxpayer"),
                (_("taxpayer name"), "name"),
                (_("tax period"), "period"),
                (_("amount due"), "amount"),
                (_("matched to an enterprise"), "matched"),
            ],
        ),
        (
            "changed",
            _("Changed declarations"),
            [
                (_("row"), "row"),
                (_("taxpayer ID"), "taxpayer"),
                (_("taxpayer name"), "name"),
                (_("tax period"), "period"),
                (_("changes"), "changes"),
            ],
        ),
    )

    def new_job(self, request, data):
        return DeclarationImport(federation_id=access.bound_street(request.user))

    def job_context(self, job):
        notes = job.notes or {}
        return {
            "notes": notes.get("sentences", []),
            "extra_counts": [
                (
                    gettext("matching no enterprise (kept, listed as unmatched)"),
                    notes.get("unmatched", 0),
                ),
                (gettext("rows of other taxes (skipped)"), notes.get("skipped", 0)),
            ],
        }


@admin.register(UnmatchedDeclaration)
class UnmatchedDeclarationAdmin(ReadOnlyMixin, ScopedModelAdmin):
    list_display = ["taxpayer_name", "credit_code", "period_end", "amount_due", "declared_on"]
    search_fields = ["=credit_code", "taxpayer_name"]
    date_hierarchy = "period_end"

    def get_queryset(self, request):
        return super().get_queryset(request).unmatched()


@admin.register(RateSnapshot)
class RateSnapshotAdmin(ReadOnlyMixin, ScopedModelAdmin):
    list_display = [
        "quarter",
        "scope",
        "revision",
        "is_current",
        "frozen",
        "declared",
        "obligated",
        "zero_declared",
        "rate_shown",
        "computed_at",
        "computed_by",
    ]
    list_filter = ["quarter", "community", "is_current", "frozen"]
    list_select_related = ["community", "computed_by"]
    ordering = ["-quarter", "scope_key", "-revision"]
    exclude = ["declared_ids", "obligated_ids", "zero_ids"]
    readonly_fields = ["changes_shown"]
    actions_list = ["rates_button", "gap_button", "recompute_button"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("declared_ids", "obligated_ids", "zero_ids")

    @admin.display(description=_("scope"), ordering="scope_key")
    def scope(self, obj):
        return obj.scope_name

    @admin.display(description=_("declaration rate (%)"), ordering="rate")
    def rate_shown(self, obj):
        return "—" if obj.rate is None else f"{obj.rate}%"

    @admin.display(description=_("changes from the previous revision"))
    def changes_shown(self, obj):
        if not obj.changes:
            return "—"
        parts = []
        labels = {
            "declared": gettext("declared"),
            "obligated": gettext("obligated"),
            "zero_declared": gettext("zero declarations"),
            "rate": gettext("rate"),
        }
        for key, label in labels.items():
            if key in obj.changes:
                old, new = obj.changes[key]
                parts.append(f"{label}: {old} → {new}")
        for key, value in obj.changes.items():
            if key.endswith(("_added", "_removed")) and value:
                parts.append(f"{key}: {len(value)}")
        return "；".join(parts)

    admin_views = (
        ("rates/", "rates_view", "dues_rates"),
        ("gap/", "gap_view", "dues_gap"),
        ("recompute/", "recompute_view", "dues_recompute"),
    )

    @action(description=_("Rates per community and quarter"), url_path="rates-button")
    def rates_button(self, request):
        return redirect("admin:dues_rates")

    @action(description=_("Gap to target"), url_path="gap-button")
    def gap_button(self, request):
        return redirect("admin:dues_gap")

    @action(description=_("Recompute now"), url_path="recompute-button")
    def recompute_button(self, request):
        return redirect("admin:dues_recompute")

    def rates_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = selectors.rate_trend(request.user)
        quarters = sorted({r["quarter"] for r in rows})
        scopes: dict[str, dict] = {}
        for row in rows:
            label = gettext("Whole street") if row["scope"] == "street" else row["scope"]
            scopes.setdefault(label, {})[row["quarter"]] = row
        table = [(label, [cells.get(q) for q in quarters]) for label, cells in scopes.items()]
        context = self.page_context(
            request,
            gettext("Declaration rates per community and quarter"),
            quarters=quarters,
            table=table,
            target=selectors.target_rate(),
        )
        return TemplateResponse(request, "dues/admin/rates.html", context)

    def gap_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        available = selectors.quarters_with_data()
        quarter = available[-1] if available else Quarter.current()
        if request.GET.get("quarter"):
            try:
                quarter = Quarter.parse(request.GET["quarter"])
            except ValueError as error:
                messages.error(request, str(error))
        rows = selectors.gap_to_target(quarter, request.user)
        for row in rows:
            row["label"] = gettext("Whole street") if row["scope"] == "street" else row["scope"]
            row["chase"] = list(row["candidates"][:30]) if row["needed"] else []
            row["undeclared"] = row["obligated"] - row["declared"]
        context = self.page_context(
            request,
            gettext("Gap to the target rate"),
            quarter=quarter,
            quarters=available,
            rows=rows,
            target=selectors.target_rate(),
        )
        return TemplateResponse(request, "dues/admin/gap.html", context)

    def recompute_view(self, request):
        """Queue a recomputation (runs inline without a worker)."""
        if not request.user.has_perm("dues.add_ratesnapshot") and not request.user.is_superuser:
            raise PermissionDenied
        if request.method == "POST":
            recompute_rates.delay(None, request.user.pk)
            messages.success(request, gettext("The rates are being recomputed."))
            return redirect("admin:dues_ratesnapshot_changelist")
        return TemplateResponse(
            request,
            "dues/admin/recompute.html",
            self.page_context(request, gettext("Recompute the rates")),
        )


class OpenFilter(ChoiceFilter):
    title = _("state")
    parameter_name = "state"
    conditions = (
        ("open", _("Open"), Q(resolution="")),
        ("resolved", _("Resolved"), ~Q(resolution="")),
    )


@admin.register(ZombieFlag)
class ZombieFlagAdmin(ReadOnlyMixin, ScopedModelAdmin):
    """The visit list: open flags first, highest score first."""

    list_display = [
        "enterprise",
        "community",
        "quarter",
        "score",
        "reasons_shown",
        "declared_since",
        "resolution",
        "resolved_on",
        "resolved_by",
        "resolve_link",
    ]
    list_filter = [OpenFilter, "resolution", "quarter", "enterprise__community"]
    search_fields = ["enterprise__name", "=enterprise__credit_code"]
    list_select_related = ["enterprise__community", "resolved_by"]
    ordering = ["resolution", "-score", "enterprise__name"]
    readonly_fields = [
        "enterprise",
        "quarter",
        "flagged_on",
        "score",
        "reasons_shown",
        "missing_quarters",
        *ZombieFlag.RESOLUTION_FIELDS,
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        later = Declaration.objects.filter(
            enterprise=OuterRef("enterprise"), period_end__gte=OuterRef("flagged_on")
        )
        return super().get_queryset(request).annotate(has_declared_since=Exists(later))

    @admin.display(description=_("community"), ordering="enterprise__community__position")
    def community(self, obj):
        return obj.enterprise.community

    @admin.display(description=_("reasons"))
    def reasons_shown(self, obj):
        return "；".join(f"{reason_text(r)}（+{r['points']}）" for r in obj.reasons)

    @admin.display(description=_("declared since"), boolean=True)
    def declared_since(self, obj):
        return obj.has_declared_since

    @admin.display(description=_("resolve"))
    def resolve_link(self, obj):
        if obj.resolution:
            return obj.get_resolution_display()
        url = reverse("admin:dues_zombieflag_resolve", args=[obj.pk])
        return format_html(
            '<a class="text-primary-600 font-semibold" href="{}">{}</a>', url, gettext("Resolve")
        )

    admin_views = (("<int:pk>/resolve/", "resolve_view", "dues_zombieflag_resolve"),)

    def resolve_view(self, request, pk):
        if not request.user.has_perm("dues.change_zombieflag"):
            raise PermissionDenied
        flag = get_object_or_404(
            ZombieFlag.objects.for_user(request.user).select_related("enterprise__community"),
            pk=pk,
        )
        form = ResolveForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                resolved = zombie_resolve(flag=flag, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if resolved.members_closed:
                    messages.info(
                        request,
                        gettext("%(n)d members of the enterprise: %(what)s.")
                        % {
                            "n": resolved.members_closed,
                            "what": dict(form.fields["members_action"].choices)[
                                form.cleaned_data["members_action"] or "hold"
                            ],
                        },
                    )
                messages.success(
                    request,
                    gettext(
                        "%(enterprise)s: resolved as “%(what)s”, recorded in its status history."
                    )
                    % {
                        "enterprise": flag.enterprise,
                        "what": dict(form.fields["resolution"].choices)[
                            form.cleaned_data["resolution"]
                        ],
                    },
                )
                return redirect("admin:dues_zombieflag_changelist")
        context = self.page_context(
            request,
            gettext("Resolve a suspected zombie"),
            flag=flag,
            reasons=[f"{reason_text(r)}（+{r['points']}）" for r in flag.reasons],
            form=form,
        )
        return TemplateResponse(request, "dues/admin/resolve.html", context)

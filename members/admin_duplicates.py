"""Near-duplicates in the admin: the report (members.duplicates), each pair
with "merge, keeping this one" and "two people"; and the merges made,
read-only. Numbers are masked and the birth is given as the year
(members.masking): the report says *that* two records share a birth date,
never which."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from chunshu_union.admin_mixins import ScopedModelAdmin

from . import masking
from .duplicates import duplicate_groups, member_merge, not_duplicate_record
from .models import Member, MemberMerge, Membership


@admin.register(MemberMerge)
class MemberMergeAdmin(ScopedModelAdmin):
    list_display = [
        "recorded_at",
        "member",
        "merged_name",
        "merged_id_masked",
        "reason",
        "recorded_by",
    ]
    list_select_related = ["member", "recorded_by"]
    search_fields = ["member__name", "merged_name"]
    fields = [
        "member",
        "merged_name",
        "merged_id_masked",
        "merged_member_id",
        "moved",
        "reason",
        "recorded_by",
        "recorded_at",
    ]
    readonly_fields = fields
    change_list_template = "members/admin/membermerge_change_list.html"

    def has_add_permission(self, request):
        return False  # made from the near-duplicate report

    def has_change_permission(self, request, obj=None):
        return False

    admin_views = (("duplicates/", "duplicates_view", "members_membermerge_duplicates"),)

    def _may_merge(self, request) -> bool:
        return request.user.has_perm("members.add_membermerge")

    def duplicates_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            return self._act(request)
        groups = duplicate_groups(user=request.user)
        shown = [m.pk for group in groups for m in group.members]
        where = {
            m.member_id: m.enterprise
            for m in Membership.objects.open().filter(member__in=shown).select_related("enterprise")
        }
        for group in groups:
            group.rows = [
                {"member": m, "birth_year": masking.birth_year(m), "open": where.get(m.pk)}
                for m in group.members
            ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Near-duplicates"),
            "opts": self.model._meta,
            "groups": groups,
            "may_merge": self._may_merge(request),
        }
        return TemplateResponse(request, "members/admin/duplicates.html", context)

    def _act(self, request):
        if not self._may_merge(request):
            raise PermissionDenied
        seen = Member.objects.for_user(request.user)
        pair = [*request.POST.get("pair", "").split(","), "", ""][:2]
        found = {str(m.pk): m for m in seen.filter(pk__in=[p for p in pair if p.isdigit()])}
        if len(found) != 2 or pair[0] == pair[1]:
            messages.error(request, _("Choose two records you may see."))
            return redirect("admin:members_membermerge_duplicates")
        kept, merged = found[pair[0]], found[pair[1]]
        try:
            if request.POST.get("action") == "not_duplicate":
                not_duplicate_record(
                    first=kept, second=merged, by=request.user, note=request.POST.get("reason", "")
                )
                messages.success(request, _("Recorded as two people."))
            else:
                member_merge(
                    kept=kept,
                    merged=merged,
                    reason=request.POST.get("reason", ""),
                    by=request.user,
                )
                messages.success(
                    request,
                    _("%(merged)s was merged into %(kept)s.")
                    % {"merged": merged.id_masked, "kept": str(kept)},
                )
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        return redirect("admin:members_membermerge_duplicates")

"""Retirement in the admin: the list of members in good standing who have
reached the statutory age (members.retirement), per community, where staff
confirm each as retired (the membership is held, reason "retired") or keep
them at work; and the decisions made, read-only. Nothing is decided without
a person pressing the button for that member."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chunshu_union.admin_mixins import ScopedModelAdmin
from enterprises.models import Community

from . import masking
from .models import Member, Membership, RetirementDecision
from .retirement import (
    retirement_age_of,
    retirement_confirm,
    retirement_due,
    retirement_keep_working,
)

#: The most members the page lists at once (a community has a few hundred).
SHOWN = 500

DECISIONS = {
    "retired": retirement_confirm,
    "keep_working": retirement_keep_working,
}


@admin.register(RetirementDecision)
class RetirementDecisionAdmin(ScopedModelAdmin):
    list_display = [
        "decided_on",
        "member_name",
        "member_id_masked",
        "outcome",
        "note",
        "recorded_by",
    ]
    list_filter = ["outcome"]
    list_select_related = ["member", "recorded_by"]
    search_fields = ["member__name"]
    fields = ["member", "membership", "outcome", "decided_on", "note", "recorded_by", "recorded_at"]
    readonly_fields = fields
    change_list_template = "members/admin/retirementdecision_change_list.html"

    def has_add_permission(self, request):
        return False  # decided from the list of members due

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("member"), ordering="member__name")
    def member_name(self, obj):
        return obj.member.name

    @admin.display(description=_("ID number"))
    def member_id_masked(self, obj):
        return obj.member.id_masked

    admin_views = (("due/", "due_view", "members_retirementdecision_due"),)

    def _communities(self, request):
        return Community.objects.for_user(request.user).order_by("federation", "position")

    def due_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            return self._decide(request)
        communities = list(self._communities(request))
        chosen = next(
            (c for c in communities if str(c.pk) == request.GET.get("community", "")), None
        )
        today = timezone.localdate()
        due = list(retirement_due(community=chosen, on=today, user=request.user)[: SHOWN + 1])
        current = {
            m.member_id: m
            for m in Membership.objects.standing()
            .filter(member__in=due[:SHOWN])
            .select_related("enterprise", "community")
        }
        rows = [
            {
                "member": member,
                "birth_year": masking.birth_year(member),
                "age": retirement_age_of(member),
                "membership": current.get(member.pk),
            }
            for member in due[:SHOWN]
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Members who reached the statutory retirement age"),
            "opts": self.model._meta,
            "rows": rows,
            "more": len(due) > SHOWN,
            "communities": communities,
            "chosen": chosen,
            "today": today,
            "may_decide": self.has_add_permission_to_decide(request),
        }
        return TemplateResponse(request, "members/admin/retirement_due.html", context)

    def has_add_permission_to_decide(self, request) -> bool:
        return request.user.has_perm("members.add_retirementdecision")

    def _decide(self, request):
        if not self.has_add_permission_to_decide(request):
            raise PermissionDenied
        decide = DECISIONS.get(request.POST.get("decision", ""))
        if decide is None:
            raise PermissionDenied
        member = get_object_or_404(
            Member.objects.for_user(request.user), pk=request.POST.get("member") or 0
        )
        try:
            decide(
                member=member,
                on=timezone.localdate(),
                by=request.user,
                note=request.POST.get("note", "")[:200],
            )
        except ValidationError as refused:
            messages.error(request, f"{member.name}: {' '.join(refused.messages)}")
        else:
            messages.success(request, _("Recorded for %(name)s.") % {"name": member.name})
        back = request.POST.get("community", "")
        url = reverse("admin:members_retirementdecision_due")
        return redirect(f"{url}?community={back}" if back.isdigit() else url)

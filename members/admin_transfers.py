"""Transfer requests (转会申请) in the admin: street staff approve or refuse
what chairs' rosters asked for. Approving writes the Transfer through
members.services; refusing records the reason, which the chair reads in the
portal. Nothing here edits a request directly."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chunshu_union.admin_mixins import ScopedModelAdmin

from .models import TransferRequest
from .services import transfer_request_approve, transfer_request_refuse


class ApproveForm(forms.Form):
    on = forms.DateField(
        label=_("transferred on"),
        help_text=_("The day the member's membership moves to the requesting enterprise."),
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for refusing"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The chair who made the request reads this."),
    )


#: decision → (its form, its label)
DECISIONS = {
    "approve": (ApproveForm, _("Approve the transfer")),
    "refuse": (RefuseForm, _("Refuse the request")),
}


@admin.register(TransferRequest)
class TransferRequestAdmin(ScopedModelAdmin):
    list_display = [
        "requested_at",
        "member_name",
        "member_id_masked",
        "name_in_roster",
        "from_enterprise",
        "to_enterprise",
        "requested_by",
        "state",
        "decided_at",
    ]
    list_filter = ["state", ("requested_at", admin.DateFieldListFilter)]
    search_fields = ["member__name", "name_in_roster", "to_enterprise__name"]
    list_select_related = [
        "member",
        "from_enterprise",
        "to_enterprise",
        "requested_by",
    ]
    actions = ["approve_selected"]
    change_form_template = "members/admin/transferrequest_change_form.html"
    fields = [
        "state",
        "member_name",
        "member_id_masked",
        "name_in_roster",
        "from_enterprise",
        "to_enterprise",
        "batch",
        "row",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "reason",
        "transfer",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # only a roster makes a request

    def has_change_permission(self, request, obj=None):
        return False  # decided through approve / refuse, never edited

    def _may_decide(self, request) -> bool:
        return request.user.has_perm("members.change_transferrequest")

    @admin.display(description=_("member"), ordering="member__name")
    def member_name(self, obj):
        return obj.member.name

    @admin.display(description=_("ID number"))
    def member_id_masked(self, obj):
        return obj.member.id_masked

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        decisions = []
        if obj is not None and obj.is_pending and self._may_decide(request):
            decisions = [(name, label) for name, (_form, label) in DECISIONS.items()]
        extra_context = {**(extra_context or {}), "decisions": decisions}
        return super().change_view(request, object_id, form_url, extra_context)

    admin_views = (
        ("<int:pk>/decide/<str:decision>/", "decide_view", "members_transferrequest_decide"),
    )

    def decide_view(self, request, pk: int, decision: str):
        if decision not in DECISIONS or not self._may_decide(request):
            raise Http404
        transfer_request = get_object_or_404(
            self.get_queryset(request).select_related("member", "to_enterprise"), pk=pk
        )
        form_class, label = DECISIONS[decision]
        initial = {"on": timezone.localdate()} if decision == "approve" else {}
        form = form_class(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                if decision == "approve":
                    transfer_request_approve(
                        request=transfer_request, by=request.user, on=form.cleaned_data["on"]
                    )
                else:
                    transfer_request_refuse(
                        request=transfer_request,
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                    )
            except ValidationError as refused:
                form.add_error(None, " ".join(refused.messages))
            else:
                messages.success(request, _("Done: %(step)s.") % {"step": label})
                return redirect("admin:members_transferrequest_change", transfer_request.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": label,
            "transfer_request": transfer_request,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "members/admin/transferrequest_decide.html", context)

    @admin.action(description=_("Approve the selected requests (today)"))
    def approve_selected(self, request, queryset):
        if not self._may_decide(request):
            raise Http404
        for transfer_request in queryset.pending().select_related("member", "to_enterprise"):
            try:
                transfer_request_approve(request=transfer_request, by=request.user)
            except ValidationError as refused:
                self.message_user(
                    request,
                    f"{transfer_request}: {' '.join(refused.messages)}",
                    level=messages.ERROR,
                )
            else:
                self.message_user(
                    request, _("%(request)s was approved.") % {"request": transfer_request}
                )

"""Corrections in the admin: staff correct a member's ID number or name
(the add page, through members.corrections.member_correct by the one
bridge, ServiceAdminMixin), and apply or refuse the corrections chairs ask
for. Former numbers are shown masked; a requested number too."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chunshu_union.admin_mixins import ScopedModelAdmin, ServiceAdminMixin, ServiceForm

from .corrections import correction_approve, correction_refuse, member_correct
from .models import Correction


class CorrectionForm(ServiceForm):
    new_value = forms.CharField(
        label=_("correct value"),
        max_length=50,
        help_text=_(
            "The ID number as on the card (the sex and birth date follow it), or the full name."
        ),
    )

    class Meta:
        model = Correction
        fields = ["member", "field", "reason"]


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for refusing"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The chair who asked reads this."),
    )


@admin.register(Correction)
class CorrectionAdmin(ServiceAdminMixin, ScopedModelAdmin):
    form = CorrectionForm
    list_display = [
        "requested_at",
        "member_name",
        "field",
        "change",
        "state",
        "requested_by",
        "decided_by",
    ]
    list_filter = ["state", "field"]
    list_select_related = ["member", "requested_by", "decided_by"]
    search_fields = ["member__name", "old_name", "new_name"]
    autocomplete_fields = ["member"]
    readonly = [
        "member",
        "field",
        "state",
        "change",
        "reason",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "refusal",
    ]
    change_form_template = "members/admin/correction_change_form.html"

    def get_fields(self, request, obj=None):
        return self.readonly if obj else ["member", "field", "new_value", "reason"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly if obj else []

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    @admin.display(description=_("member"), ordering="member__name")
    def member_name(self, obj):
        return obj.member.name

    @admin.display(description=_("change"))
    def change(self, obj):
        if obj.field == Correction.Field.ID_NUMBER:
            before = obj.old_id_masked or obj.member.id_masked
            return f"{before} → {obj.new_id_masked}"
        return f"{obj.old_name or obj.member.name} → {obj.new_name}"

    def run_service(self, request, obj, data):
        return member_correct(
            member=data["member"],
            field=data["field"],
            new_value=data["new_value"],
            reason=data["reason"],
            by=request.user,
        )

    # --- a chair's request: apply or refuse -----------------------------------

    def _may_decide(self, request) -> bool:
        return request.user.has_perm("members.change_correction")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        pending = obj is not None and obj.state == Correction.State.REQUESTED
        extra_context = {
            **(extra_context or {}),
            "decisions": pending and self._may_decide(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    admin_views = (("<int:pk>/decide/<str:decision>/", "decide_view", "members_correction_decide"),)

    def decide_view(self, request, pk: int, decision: str):
        if decision not in ("approve", "refuse") or not self._may_decide(request):
            raise Http404
        correction = get_object_or_404(self.get_queryset(request).select_related("member"), pk=pk)
        posted = request.POST if request.method == "POST" else None
        form = RefuseForm(posted) if decision == "refuse" else forms.Form(posted)
        if request.method == "POST" and form.is_valid():
            try:
                if decision == "approve":
                    correction_approve(correction=correction, by=request.user)
                else:
                    correction_refuse(
                        correction=correction, by=request.user, reason=form.cleaned_data["reason"]
                    )
            except ValidationError as refused:
                form.add_error(None, " ".join(refused.messages))
            else:
                messages.success(request, _("The correction was decided."))
                return redirect("admin:members_correction_change", correction.pk)
        title = _("Apply the correction") if decision == "approve" else _("Refuse the request")
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "lead": f"{correction.member.name} · {self.change(correction)} · {correction.reason}",
            "form": form,
            "opts": self.model._meta,
            "back": reverse("admin:members_correction_change", args=[correction.pk]),
        }
        return TemplateResponse(request, "members/admin/small_form.html", context)

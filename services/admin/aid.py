"""Emergency aid cases, their steps and their scans (aid staff only)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import AccessLog
from accounts.services import access_log_record
from chunshu_union import access
from chunshu_union.admin_mixins import ServiceAdminMixin, ServiceForm
from services import services
from services.models import AidAttachment, AidCase, AidStatus

from .common import AttachmentInline, MemberScopedAdmin, private_file_response


class AidAdminMixin:
    """Aid pages exist only for staff with the aid permission."""

    def has_module_permission(self, request):
        return access.can_see_aid(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_see_aid(request.user) and super().has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # nothing is hard-deleted


class AidAttachmentForm(forms.ModelForm):
    class Meta:
        model = AidAttachment
        fields = ["file", "description"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and not getattr(self.instance, "pk", None):
            services.aid_attachment_check(upload)
        return upload


class AidAttachmentInline(AidAdminMixin, AttachmentInline):
    model = AidAttachment
    form = AidAttachmentForm


class AidCaseForm(ServiceForm):
    class Meta:
        model = AidCase
        fields = ["member", "applied_on", "reason", "amount_requested"]


class AidStepForm(forms.Form):
    note = forms.CharField(
        label=_("note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    amount = forms.DecimalField(
        label=_("amount approved"), max_digits=10, decimal_places=2, required=False, min_value=0
    )
    paid_on = forms.DateField(label=_("paid on"), required=False)


#: step name → (status it starts from, label, fields of AidStepForm used)
AID_STEPS = {
    "review": (AidStatus.SUBMITTED, _("Review"), ["note"]),
    "approve": (AidStatus.REVIEWED, _("Approve"), ["amount", "note"]),
    "reject": (AidStatus.REVIEWED, _("Reject"), ["note"]),
    "pay": (AidStatus.APPROVED, _("Pay"), ["paid_on"]),
}


def _run_step(step: str, case: AidCase, user, data: dict) -> AidCase:
    if step == "review":
        return services.aid_review(case=case, by=user, note=data.get("note") or "")
    if step == "approve":
        if data.get("amount") is None:
            raise ValidationError(_("Enter the amount approved."))
        return services.aid_approve(
            case=case, by=user, amount=data["amount"], note=data.get("note") or ""
        )
    if step == "reject":
        return services.aid_reject(case=case, by=user, note=data.get("note") or "")
    if data.get("paid_on") is None:
        raise ValidationError(_("Enter the date of payment."))
    return services.aid_pay(case=case, by=user, paid_on=data["paid_on"])


@admin.register(AidCase)
class AidCaseAdmin(AidAdminMixin, ServiceAdminMixin, MemberScopedAdmin):
    form = AidCaseForm
    list_display = [
        "member_name",
        "member_id_number",
        "community",
        "applied_on",
        "amount_requested",
        "amount_approved",
        "status",
        "paid_on",
    ]
    list_filter = ["status", "community", ("applied_on", admin.DateFieldListFilter)]
    search_fields = ["member__name", "reason"]
    list_select_related = ["member", "community"]
    date_hierarchy = "applied_on"
    autocomplete_fields = ["member"]
    inlines = [AidAttachmentInline]
    change_form_template = "services/admin/aidcase_change_form.html"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [f.name for f in AidCase._meta.fields if f.name != "id"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["member", "applied_on", "reason", "amount_requested"]
        return [
            "member",
            "community",
            "status",
            "applied_on",
            "reason",
            "amount_requested",
            "amount_approved",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_note",
            "decided_by",
            "decided_at",
            "decision_note",
            "paid_by",
            "paid_on",
        ]

    @admin.display(description=pgettext_lazy("person", "name"), ordering="member__name")
    def member_name(self, obj):
        return obj.member.name

    @admin.display(description=_("ID number"))
    def member_id_number(self, obj):
        return obj.member.id_masked

    def run_service(self, request, obj, data):
        if obj.pk is not None:
            return None
        return services.aid_submit(
            by=request.user,
            member=data["member"],
            applied_on=data["applied_on"],
            reason=data["reason"],
            amount_requested=data["amount_requested"],
        )

    def save_without_service(self, request, obj, form, change):
        pass  # a case changes only through its steps

    def save_formset(self, request, form, formset, change):
        if formset.model is not AidAttachment:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for attachment_form in formset.forms:
            data = attachment_form.cleaned_data
            if data and data.get("file") and not attachment_form.instance.pk:
                formset.new_objects.append(
                    services.aid_attach(
                        case=form.instance,
                        by=request.user,
                        upload=data["file"],
                        description=data.get("description", ""),
                    )
                )

    # Every page that shows a case writes one line to the access log, however
    # it is reached: the change form (opened, or shown again after a refused
    # POST), a step's page, the history. A POST that succeeds shows nothing:
    # the page it redirects to is the view.

    def _log_view(self, request, case: AidCase, detail: str = "") -> None:
        access_log_record(
            user=request.user, action=AccessLog.Action.VIEW_AID, obj=case, detail=detail
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            self._log_view(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        if response.status_code == 200:
            self._log_view(request, response.context_data["object"], detail="history")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self.get_object(request, object_id)
        steps = []
        if case is not None:
            steps = [
                (name, label)
                for name, (start, label, _fields) in AID_STEPS.items()
                if case.status == start
            ]
        extra_context = {**(extra_context or {}), "aid_steps": steps}
        return super().change_view(request, object_id, form_url, extra_context)

    admin_views = (
        ("<int:pk>/step/<str:step>/", "step_view", "services_aidcase_step"),
        ("attachment/<int:pk>/", "download_view", "services_aidattachment_download"),
    )

    def step_view(self, request, pk: int, step: str):
        if step not in AID_STEPS or not access.can_see_aid(request.user):
            raise Http404
        case = get_object_or_404(AidCase.objects.for_user(request.user), pk=pk)
        _start, label, fields = AID_STEPS[step]
        form = AidStepForm(request.POST or None)
        for name in list(form.fields):
            if name not in fields:
                del form.fields[name]
        if step == "approve" and not request.POST:
            form.initial["amount"] = case.amount_requested
        if step == "pay" and not request.POST:
            form.initial["paid_on"] = timezone.localdate()
        if request.method == "POST" and form.is_valid():
            try:
                _run_step(step, case, request.user, form.cleaned_data)
            except ValidationError as refused:
                form.add_error(None, refused)
            else:
                messages.success(request, _("Done: %(step)s.") % {"step": label})
                return redirect("admin:services_aidcase_change", case.pk)
        context = self.page_context(request, f"{label}：{case.member.name}", case=case, form=form)
        self._log_view(request, case, detail=f"step {step}")
        return TemplateResponse(request, "services/admin/aid_step.html", context)

    def download_view(self, request, pk: int):
        """Scans are never web-served: only this view hands them out, to aid
        staff, and every download is logged."""
        if not access.can_see_aid(request.user):
            raise Http404
        attachment = get_object_or_404(AidAttachment.objects.for_user(request.user), pk=pk)
        access_log_record(
            user=request.user,
            action=AccessLog.Action.VIEW_AID,
            obj=attachment.case,
            detail=f"attachment {attachment.pk}",
        )
        return private_file_response(attachment)

"""Staff's pages: join links (with the QR code to print) and applications,
decided here as in the chair's portal; an unlisted employer is staff's to
resolve (choose or add the enterprise, or record a lead for founding a
union)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chunshu_union import access
from chunshu_union.admin_mixins import ReadOnlyMixin, ScopedModelAdmin
from enterprises.models import Enterprise

from . import services, views
from .models import ApplicationState, JoinApplication, JoinLink


@admin.register(JoinLink)
class JoinLinkAdmin(ScopedModelAdmin):
    list_display = ["community", "label", "building", "code", "is_active", "print_link"]
    list_filter = ["community", "is_active"]
    fields = ["community", "building", "label", "is_active", "code"]
    readonly_fields = ["code"]

    @admin.display(description=gettext_lazy("QR code"))
    def print_link(self, obj):
        url = reverse("admin:joining_joinlink_print", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Print"))

    admin_views = (
        ("<int:pk>/print/", "print_view", "joining_joinlink_print"),
        ("<int:pk>/qr.svg", "qr_view", "joining_joinlink_qr"),
    )

    def _link(self, request, pk):
        return get_object_or_404(JoinLink.objects.for_user(request.user), pk=pk)

    def print_view(self, request, pk: int):
        link = self._link(request, pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Join link: %(link)s") % {"link": link},
            "link": link,
            "url": views.link_url(request, link),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "joining/admin/print.html", context)

    def qr_view(self, request, pk: int):
        return views.qr_response(request, self._link(request, pk))


class DecideForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason or note"), max_length=200, required=False)
    enterprise = forms.ModelChoiceField(
        label=gettext_lazy("Enterprise"), queryset=Enterprise.objects.none(), required=False
    )


#: step: (label, fields)
STEPS = {
    "approve": (gettext_lazy("Approve"), ()),
    "refuse": (gettext_lazy("Refuse"), ("reason",)),
    "enterprise": (gettext_lazy("Set the enterprise"), ("enterprise",)),
    "lead": (gettext_lazy("Record as a lead for founding a union"), ("reason",)),
}


@admin.register(JoinApplication)
class JoinApplicationAdmin(ReadOnlyMixin, ScopedModelAdmin):
    list_display = [
        "reference",
        "name",
        "id_masked",
        "phone_masked",
        "community",
        "employer",
        "state",
        "created_at",
    ]
    list_filter = ["state", "community"]
    search_fields = ["reference", "name"]
    date_hierarchy = "created_at"
    change_form_template = "joining/admin/application_change_form.html"
    readonly_fields = [
        "reference",
        "name",
        "id_masked",
        "phone_masked",
        "community",
        "link",
        "enterprise",
        "employer_typed",
        "consent_version",
        "state",
        "created_at",
        "decided_at",
        "decided_by",
        "reason",
        "membership",
    ]
    fields = readonly_fields

    def has_view_permission(self, request, obj=None):
        return access.is_street_staff(request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, object_id)
        steps = []
        if application is not None and application.state == ApplicationState.PENDING:
            steps = [(name, label) for name, (label, _f) in STEPS.items()]
            if application.enterprise_id is None:
                steps = [s for s in steps if s[0] != "approve"]
        extra_context = {**(extra_context or {}), "join_steps": steps}
        return super().change_view(request, object_id, form_url, extra_context)

    admin_views = (
        ("<int:pk>/decide/<str:decision>/", "decide_view", "joining_joinapplication_decide"),
    )

    def decide_view(self, request, pk: int, decision: str):
        step = decision
        if step not in STEPS or not access.is_street_staff(request.user):
            raise Http404
        application = get_object_or_404(JoinApplication.objects.for_user(request.user), pk=pk)
        label, fields = STEPS[step]
        form = DecideForm(request.POST or None)
        form.fields["enterprise"].queryset = Enterprise.objects.for_user(request.user).filter(
            community=application.community_id
        )
        for name in list(form.fields):
            if name not in fields:
                del form.fields[name]
        if request.method == "POST" and form.is_valid():
            try:
                _run(step, application, request.user, form.cleaned_data)
            except (ValidationError, PermissionDenied) as refused:
                form.add_error(None, getattr(refused, "messages", [_("Not allowed.")]))
            else:
                messages.success(request, _("Done: %(step)s.") % {"step": label})
                return redirect("admin:joining_joinapplication_change", application.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{label}：{application.reference}",
            "application": application,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "joining/admin/decide.html", context)


def _run(step, application, by, data):
    if step == "approve":
        services.application_approve(application=application, by=by)
    elif step == "refuse":
        services.application_refuse(application=application, by=by, reason=data["reason"])
    elif step == "enterprise":
        if data.get("enterprise") is None:
            raise ValidationError(_("Choose the enterprise."))
        services.application_set_enterprise(
            application=application, enterprise=data["enterprise"], by=by
        )
    else:
        services.application_record_lead(application=application, by=by, note=data["reason"])

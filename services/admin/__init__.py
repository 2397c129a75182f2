"""The staff admin for the street's service work. Every write that has a rule
goes through `services.services`: the add forms run the service in a
savepoint during validation (so a refused write comes back as a form error
in Chinese, never a traceback) and `save_model` runs it for real."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AccessLog
from accounts.services import access_log_record
from chunshu_union import access
from chunshu_union.admin_mixins import ScopedModelAdmin, ScopedTabularInline
from chunshu_union.quarters import Quarter
from enterprises.models import Enterprise
from members.models import Member

from .. import selectors, services
from ..models import (
    AidAttachment,
    AidCase,
    AidStatus,
    Assignment,
    Attendance,
    Event,
    Finding,
    Handout,
    RequestStatus,
    ServiceOffer,
    ServiceRequest,
    Visit,
    WelfareBatch,
    WelfareItem,
)

#: The services group of the admin's sidebar (chunshu_union/settings/unfold.py):
#: its titles are translated in this app's catalogue.
SIDEBAR_TITLES = (
    _("Services"),
    _("Visits"),
    _("The two 2s"),
    _("Emergency aid"),
    _("Welfare handouts"),
    _("Events"),
    _("Service requests"),
    _("Collective agreements"),
)


class _DryRun(Exception):
    pass


def check_by_running(form: forms.Form, run) -> None:
    """Run a service inside a savepoint that is always rolled back, turning
    its refusal into a form error: the form can never disagree with the
    rules the service enforces."""
    try:
        with transaction.atomic():
            run()
            raise _DryRun
    except _DryRun:
        pass
    except ValidationError as refused:
        form.add_error(None, refused)


class SheetForm(forms.Form):
    file = forms.FileField(label=_("sheet (Excel or CSV)"))
    handed_on = forms.DateField(
        label=_("date for rows without one"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    dry_run = forms.BooleanField(label=_("check only, write nothing"), required=False)


def sheet_import_view(model_admin, request, obj, run, *, with_date: bool):
    """Upload a sign-off or sign-in sheet for `obj`: all or nothing, every
    fault listed with its row and column, the same importer as the command."""
    from chunshu_union.tabular import FileRejected

    form = SheetForm(request.POST or None, request.FILES or None)
    if not with_date:
        del form.fields["handed_on"]
    result = rejected = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = run(upload, form.cleaned_data)
        except FileRejected as error:
            rejected = error.message
        else:
            if result.written:
                messages.success(
                    request,
                    _("Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.")
                    % result.as_dict(),
                )
                return redirect(f"admin:services_{obj._meta.model_name}_change", obj.pk)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Import a sheet: %(name)s") % {"name": obj},
        "form": form,
        "result": result,
        "rejected": rejected,
        "opts": model_admin.model._meta,
        "original": obj,
    }
    return TemplateResponse(request, "services/admin/sheet_import.html", context)


class SheetImportAdminMixin:
    """An "import a sheet" page on an object's admin page (a welfare batch's
    sign-off sheet, an event's sign-in sheet). Subclasses name the permission
    the import needs and run it in `run_sheet_import`."""

    change_form_template = "services/admin/sheet_change_form.html"
    sheet_permission: str = ""
    sheet_with_date = False

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<int:pk>/import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{opts.app_label}_{opts.model_name}_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request, pk: int):
        if not self.has_view_permission(request) or not request.user.has_perm(
            self.sheet_permission
        ):
            raise PermissionDenied
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        return sheet_import_view(
            self,
            request,
            obj,
            lambda upload, data: self.run_sheet_import(request, obj, upload, data),
            with_date=self.sheet_with_date,
        )

    def run_sheet_import(self, request, obj, upload, data):  # pragma: no cover - abstract
        raise NotImplementedError


class MemberScopedAdmin(ScopedModelAdmin):
    """Member choices in forms come from the scoped member list."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "member":
            kwargs["queryset"] = Member.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- Assignments and visits ------------------------------------------------


@admin.register(Assignment)
class AssignmentAdmin(ScopedModelAdmin):
    list_display = ["cadre", "community", "enterprise", "since", "until"]
    list_filter = ["community", "cadre"]
    search_fields = ["enterprise__name", "cadre__username", "cadre__last_name"]
    list_select_related = ["cadre", "community", "enterprise"]
    autocomplete_fields = ["enterprise"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cadre":
            kwargs["queryset"] = selectors.cadres()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class FindingForm(forms.ModelForm):
    """Closing a finding keeps finding_close's rules: not before the visit,
    not in the future."""

    class Meta:
        model = Finding
        fields = ["kind", "description", "follow_up", "closed_on"]

    def clean_closed_on(self):
        closed_on = self.cleaned_data.get("closed_on")
        visit = getattr(self.instance, "visit", None) if self.instance.visit_id else None
        if closed_on and closed_on > timezone.localdate():
            raise ValidationError(_("The date is in the future."))
        if closed_on and visit and closed_on < visit.visited_on:
            raise ValidationError(_("A finding cannot be closed before the visit that found it."))
        return closed_on


class FindingInline(ScopedTabularInline):
    model = Finding
    form = FindingForm
    extra = 1
    fields = ["kind", "description", "follow_up", "closed_on"]
    can_delete = False


class VisitForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = ["visitor", "visited_on", "enterprise", "community", "summary"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "community" in self.fields:
            # An enterprise visit takes the enterprise's community.
            self.fields["community"].required = False
            self.fields["community"].help_text = _(
                "For a community visit; an enterprise visit takes its enterprise's community."
            )

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and not self.errors:
            check_by_running(self, lambda: _record_visit(self.request_user, data))
        return data


def _record_visit(user, data) -> Visit:
    return services.visit_record(
        by=user,
        visitor=data.get("visitor") or user,
        visited_on=data["visited_on"],
        enterprise=data.get("enterprise"),
        community=data.get("community"),
        summary=data.get("summary", ""),
    )


@admin.register(Visit)
class VisitAdmin(ScopedModelAdmin):
    form = VisitForm
    list_display = ["visited_on", "kind", "visitor", "community", "enterprise", "open_findings"]
    list_filter = ["kind", "community", "visitor", ("visited_on", admin.DateFieldListFilter)]
    search_fields = ["enterprise__name", "summary", "findings__description"]
    date_hierarchy = "visited_on"
    list_select_related = ["visitor", "community", "enterprise"]
    autocomplete_fields = ["enterprise"]
    inlines = [FindingInline]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        return ["visitor", "visited_on", "enterprise", "community"] if obj else []

    def get_queryset(self, request):
        from django.db.models import Count, Q

        return (
            super()
            .get_queryset(request)
            .annotate(n_open=Count("findings", filter=Q(findings__closed_on__isnull=True)))
        )

    @admin.display(description=_("open findings"), ordering="n_open")
    def open_findings(self, obj):
        return obj.n_open

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "visitor":
            kwargs["queryset"] = selectors.cadres()
            kwargs["initial"] = request.user.pk
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["summary"])
            return
        visit = _record_visit(request.user, form.cleaned_data)
        obj.pk = visit.pk
        obj.__dict__.update(visit.__dict__)
        obj._state.adding = False

    def get_urls(self):
        return [
            path(
                "two-twos/",
                self.admin_site.admin_view(self.two_twos_view),
                name="services_visit_two_twos",
            ),
            *super().get_urls(),
        ]

    def two_twos_view(self, request):
        """The "two 2s" per cadre for a quarter, who is behind this week and
        month, and the enterprises not visited in the last 12 months."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            quarter = Quarter.parse(request.GET.get("quarter") or Quarter.current())
        except ValueError as error:
            messages.error(request, str(error))
            quarter = Quarter.current()
        today = timezone.localdate()
        street = access.bound_street(request.user)
        rows = selectors.two_twos(
            quarter.first_day, quarter.last_day, federation_id=street, today=today
        )
        year_ago = today - datetime.timedelta(days=365)
        stale = selectors.enterprises_not_visited_since(year_ago) & self._enterprises(request)
        context = {
            **self.admin_site.each_context(request),
            "title": _("The two 2s"),
            "quarter": quarter,
            "previous": quarter.previous(),
            "next": quarter.next(),
            "rows": rows,
            "compliance": selectors.two_twos_compliance(rows),
            "behind": selectors.two_twos_behind(day=today, federation_id=street),
            "stale": stale.select_related("community")[:500],
            "stale_count": stale.count(),
            "year_ago": year_ago,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "services/admin/two_twos.html", context)

    @staticmethod
    def _enterprises(request):
        return Enterprise.objects.for_user(request.user)


@admin.register(Finding)
class FindingAdmin(ScopedModelAdmin):
    form = FindingForm
    list_display = ["description_short", "kind", "visit", "closed_on"]
    list_filter = ["kind", ("closed_on", admin.EmptyFieldListFilter), "visit__community"]
    search_fields = ["description", "follow_up", "visit__enterprise__name"]
    list_select_related = ["visit__enterprise", "visit__community"]
    readonly_fields = ["visit", "kind", "description"]
    fields = ["visit", "kind", "description", "follow_up", "closed_on"]

    def has_add_permission(self, request):
        return False  # findings are added on their visit

    @admin.display(description=_("description"))
    def description_short(self, obj):
        return obj.description[:40]


# --- Emergency aid -------------------------------------------------------


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


class AidAttachmentInline(AidAdminMixin, ScopedTabularInline):
    model = AidAttachment
    form = AidAttachmentForm
    extra = 1
    fields = ["file", "description", "download", "content_type", "size", "uploaded_by"]
    readonly_fields = ["download", "content_type", "size", "uploaded_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields

    @admin.display(description=_("download"))
    def download(self, obj):
        from django.utils.html import format_html

        if not obj.pk:
            return "-"
        url = reverse("admin:services_aidattachment_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)


class AidCaseForm(forms.ModelForm):
    class Meta:
        model = AidCase
        fields = ["member", "applied_on", "reason", "amount_requested"]

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and not self.errors:
            check_by_running(self, lambda: _submit(self.request_user, data))
        return data


def _submit(user, data) -> AidCase:
    return services.aid_submit(
        by=user,
        member=data["member"],
        applied_on=data["applied_on"],
        reason=data["reason"],
        amount_requested=data["amount_requested"],
    )


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
class AidCaseAdmin(AidAdminMixin, MemberScopedAdmin):
    form = AidCaseForm
    list_display = [
        "member_name",
        "member_id",
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

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form

    @admin.display(description=_("name"), ordering="member__name")
    def member_name(self, obj):
        return obj.member.name

    @admin.display(description=_("ID number"))
    def member_id(self, obj):
        return obj.member.id_masked

    def save_model(self, request, obj, form, change):
        if change:
            return  # a case changes only through its steps
        case = _submit(request.user, form.cleaned_data)
        obj.__dict__.update(case.__dict__)
        obj._state.adding = False

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

    def get_urls(self):
        return [
            path(
                "<int:pk>/step/<str:step>/",
                self.admin_site.admin_view(self.step_view),
                name="services_aidcase_step",
            ),
            path(
                "attachment/<int:pk>/",
                self.admin_site.admin_view(self.download_view),
                name="services_aidattachment_download",
            ),
            *super().get_urls(),
        ]

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
        context = {
            **self.admin_site.each_context(request),
            "title": f"{label}：{case.member.name}",
            "case": case,
            "form": form,
            "opts": self.model._meta,
        }
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
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- Welfare -------------------------------------------------------------


@admin.register(WelfareItem)
class WelfareItemAdmin(ScopedModelAdmin):
    unscoped_because = "the items (福包, 庙会票 …) are a catalogue every street shares"
    list_display = ["name", "unit"]
    search_fields = ["name"]


@admin.register(WelfareBatch)
class WelfareBatchAdmin(SheetImportAdminMixin, ScopedModelAdmin):
    list_display = ["name", "item", "campaign", "received_on", "quantity", "stock", "handed_out"]
    list_filter = ["campaign", "item"]
    search_fields = ["name"]
    list_select_related = ["item"]

    def get_readonly_fields(self, request, obj=None):
        # Stock moves only through handouts once the batch exists.
        return ["quantity", "stock"] if obj else []

    def save_model(self, request, obj, form, change):
        if not change:
            obj.stock = obj.quantity
        super().save_model(request, obj, form, change)

    @admin.display(description=_("handed out"))
    def handed_out(self, obj):
        return obj.handed_out

    sheet_permission = "services.add_handout"
    sheet_with_date = True

    def run_sheet_import(self, request, obj, upload, data):
        from ..importing import handout_import

        return handout_import(
            source=upload,
            filename=upload.name,
            batch=obj,
            by=request.user,
            on=data.get("handed_on"),
            dry_run=data.get("dry_run", False),
        )


class HandoutForm(forms.ModelForm):
    class Meta:
        model = Handout
        fields = ["batch", "member", "enterprise", "quantity", "handed_on"]

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and not self.errors:
            check_by_running(self, lambda: _give(self.request_user, data))
        return data


def _give(user, data) -> Handout:
    return services.handout_give(
        batch=data["batch"],
        by=user,
        handed_on=data["handed_on"],
        member=data.get("member"),
        enterprise=data.get("enterprise"),
        quantity=data.get("quantity") or 1,
    )


@admin.register(Handout)
class HandoutAdmin(MemberScopedAdmin):
    form = HandoutForm
    list_display = ["batch", "recipient", "community", "quantity", "handed_on"]
    list_filter = ["batch", "community", "batch__item"]
    search_fields = ["member__name", "enterprise__name"]
    list_select_related = ["batch", "member", "enterprise", "community"]
    autocomplete_fields = ["member", "enterprise"]
    date_hierarchy = "handed_on"

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("recipient"))
    def recipient(self, obj):
        if obj.member_id:
            return f"{obj.member.name}（{obj.member.id_masked}）"
        return obj.enterprise

    def save_model(self, request, obj, form, change):
        handout = _give(request.user, form.cleaned_data)
        obj.__dict__.update(handout.__dict__)
        obj._state.adding = False


# --- Events --------------------------------------------------------------


class AttendanceInline(ScopedTabularInline):
    model = Attendance
    extra = 0
    fields = ["member", "registered_on", "attended"]
    autocomplete_fields = ["member"]


@admin.register(Event)
class EventAdmin(SheetImportAdminMixin, ScopedModelAdmin):
    list_display = ["title", "kind", "starts_on", "ends_on", "community", "registered", "attended"]
    list_filter = ["kind", "community", ("starts_on", admin.DateFieldListFilter)]
    search_fields = ["title", "place"]
    date_hierarchy = "starts_on"
    filter_horizontal = ["buildings"]
    inlines = [AttendanceInline]

    def get_queryset(self, request):
        from django.db.models import Count, Q

        return (
            super()
            .get_queryset(request)
            .select_related("community")
            .annotate(
                n_registered=Count("attendances"),
                n_attended=Count("attendances", filter=Q(attendances__attended=True)),
            )
        )

    @admin.display(description=_("registered"), ordering="n_registered")
    def registered(self, obj):
        return obj.n_registered

    @admin.display(description=_("attended"), ordering="n_attended")
    def attended(self, obj):
        return obj.n_attended

    sheet_permission = "services.add_attendance"

    def run_sheet_import(self, request, obj, upload, data):
        from ..importing import attendance_import

        return attendance_import(
            source=upload,
            filename=upload.name,
            event=obj,
            by=request.user,
            dry_run=data.get("dry_run", False),
        )


# --- Service menu --------------------------------------------------------


@admin.register(ServiceOffer)
class ServiceOfferAdmin(ScopedModelAdmin):
    unscoped_because = "the service menu is a catalogue every street shares"
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]


class ServiceRequestForm(forms.ModelForm):
    class Meta:
        model = ServiceRequest
        fields = ["offer", "enterprise", "requested_on", "need", "rating", "comment"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if self.instance.pk is None:
            check_by_running(self, lambda: _request(self.request_user, data))
        elif data.get("rating") is not None:
            check_by_running(self, lambda: _rate(self.request_user, self.instance, data))
        return data


def _rate(user, request_obj, data) -> ServiceRequest:
    return services.service_request_rate(
        request=request_obj, by=user, rating=data["rating"], comment=data.get("comment", "")
    )


def _request(user, data) -> ServiceRequest:
    return services.service_request_create(
        offer=data["offer"],
        enterprise=data["enterprise"],
        by=user,
        requested_on=data["requested_on"],
        need=data.get("need", ""),
    )


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ScopedModelAdmin):
    form = ServiceRequestForm
    list_display = [
        "offer",
        "enterprise",
        "community",
        "requested_on",
        "status",
        "fulfilled_on",
        "rating",
    ]
    list_filter = ["status", "offer", "community", "rating"]
    search_fields = ["enterprise__name", "need", "comment"]
    list_select_related = ["offer", "enterprise", "community"]
    autocomplete_fields = ["enterprise"]
    date_hierarchy = "requested_on"
    actions = ["accept_today", "fulfil_today"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["offer", "enterprise", "requested_on", "need"]
        return [
            "offer",
            "enterprise",
            "community",
            "requested_on",
            "need",
            "status",
            "accepted_on",
            "fulfilled_on",
            "handled_by",
            "rating",
            "comment",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fixed = [
            "offer",
            "enterprise",
            "community",
            "requested_on",
            "need",
            "status",
            "accepted_on",
            "fulfilled_on",
            "handled_by",
        ]
        # The enterprise's rating is recorded once the service is delivered.
        return fixed if obj.status == RequestStatus.FULFILLED else [*fixed, "rating", "comment"]

    def save_model(self, request, obj, form, change):
        if change:
            if form.cleaned_data.get("rating") is not None:
                _rate(request.user, obj, form.cleaned_data)
            return
        created = _request(request.user, form.cleaned_data)
        obj.__dict__.update(created.__dict__)
        obj._state.adding = False

    def _apply(self, request, queryset, run):
        done, refused = 0, []
        for item in queryset:
            try:
                run(item)
                done += 1
            except ValidationError as error:
                refused.append(f"{item}：{error.messages[0]}")
        if done:
            self.message_user(request, _("%(n)d request(s) updated.") % {"n": done})
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description=_("Accept the selected requests (today)"))
    def accept_today(self, request, queryset):
        today = timezone.localdate()
        self._apply(
            request,
            queryset.filter(status=RequestStatus.REQUESTED),
            lambda r: services.service_request_accept(request=r, by=request.user, on=today),
        )

    @admin.action(description=_("Mark the selected requests fulfilled (today)"))
    def fulfil_today(self, request, queryset):
        today = timezone.localdate()
        self._apply(
            request,
            queryset.filter(status=RequestStatus.ACCEPTED),
            lambda r: services.service_request_fulfil(request=r, by=request.user, on=today),
        )

"""Admin for the member-side service records (京卡 changes, insurance,
verification campaigns). Rows are scoped through the member they concern;
writes go through members.coverage, so the admin keeps the same rules."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chunshu_union.admin_mixins import ScopedModelAdmin

from . import coverage
from .models import (
    InsuranceEnrolment,
    JingCardChange,
    Verification,
    VerificationCampaign,
)


class ThroughMemberAdmin(ScopedModelAdmin):
    list_select_related = ["member"]
    search_fields = ["member__name"]
    autocomplete_fields = ["member"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("ID number"))
    def member_id_number(self, obj):
        return obj.member.id_masked


class _ServiceForm(forms.ModelForm):
    """Runs the coverage operation during validation so that a refusal is a
    form error; `save_model` keeps the row it made."""

    def run(self, data):  # pragma: no cover - abstract
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        if not self.errors and self.instance.pk is None:
            try:
                self.made = self.run(data)
            except ValidationError as refused:
                self.add_error(None, refused)
        return data


class JingCardChangeForm(_ServiceForm):
    class Meta:
        model = JingCardChange
        fields = ["member", "to_status", "changed_on"]

    def run(self, data):
        return coverage.member_set_jingcard(
            member=data["member"],
            to_status=data["to_status"],
            on=data["changed_on"],
            by=self.request_user,
        )


class InsuranceForm(_ServiceForm):
    class Meta:
        model = InsuranceEnrolment
        fields = ["member", "year", "enrolled_on", "plan", "premium"]

    def run(self, data):
        return coverage.insurance_enrol(
            member=data["member"],
            year=data["year"],
            enrolled_on=data["enrolled_on"],
            plan=data.get("plan", ""),
            premium=data.get("premium") or 0,
            by=self.request_user,
        )


class VerificationForm(_ServiceForm):
    class Meta:
        model = Verification
        fields = ["campaign", "member", "verified_at", "note"]

    def run(self, data):
        return coverage.member_verify(
            campaign=data["campaign"],
            member=data["member"],
            at=data["verified_at"],
            note=data.get("note", ""),
            by=self.request_user,
        )


class _SavesWhatTheFormMade:
    def save_model(self, request, obj, form, change):
        # The operation already ran inside the admin's transaction in clean().
        made = form.made
        obj.__dict__.update(made.__dict__)
        obj._state.adding = False


@admin.register(JingCardChange)
class JingCardChangeAdmin(_SavesWhatTheFormMade, ThroughMemberAdmin):
    form = JingCardChangeForm
    list_display = ["member", "member_id_number", "from_status", "to_status", "changed_on", "recorded_by"]
    list_filter = ["to_status", "changed_on"]
    date_hierarchy = "changed_on"


@admin.register(InsuranceEnrolment)
class InsuranceEnrolmentAdmin(_SavesWhatTheFormMade, ThroughMemberAdmin):
    form = InsuranceForm
    list_display = ["member", "member_id_number", "year", "enrolled_on", "plan", "premium"]
    list_filter = ["year", "plan"]


@admin.register(VerificationCampaign)
class VerificationCampaignAdmin(ScopedModelAdmin):
    list_display = ["name", "started_on", "ends_on", "verified_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(n=Count("verifications"))

    @admin.display(description=_("verified"), ordering="n")
    def verified_count(self, obj):
        return obj.n


@admin.register(Verification)
class VerificationAdmin(_SavesWhatTheFormMade, ThroughMemberAdmin):
    form = VerificationForm
    list_display = ["member", "member_id_number", "campaign", "verified_by", "verified_at"]
    list_filter = ["campaign"]
    list_select_related = ["member", "campaign", "verified_by"]

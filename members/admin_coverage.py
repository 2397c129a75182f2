"""Admin for the member-side service records (京卡 changes, insurance,
verification campaigns). Rows are scoped through the member they concern;
writes go through members.coverage by the one admin-to-service bridge
(chunshu_union.admin_mixins.ServiceAdminMixin), so the admin keeps the same
rules and saves a record once or not at all."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from chunshu_union.admin_mixins import (
    CountColumnsMixin,
    ScopedModelAdmin,
    ServiceAdminMixin,
    ServiceForm,
    count_column,
)

from . import coverage
from .models import InsuranceEnrolment, JingCardChange, Verification, VerificationCampaign


class ThroughMemberAdmin(ServiceAdminMixin, ScopedModelAdmin):
    """Records about one member, added through a members.coverage operation
    and never edited."""

    list_select_related = ["member"]
    search_fields = ["member__name"]
    autocomplete_fields = ["member"]

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("ID number"))
    def member_id_number(self, obj):
        return obj.member.id_masked


class JingCardChangeForm(ServiceForm):
    class Meta:
        model = JingCardChange
        fields = ["member", "to_status", "changed_on"]


class InsuranceForm(ServiceForm):
    class Meta:
        model = InsuranceEnrolment
        fields = ["member", "year", "enrolled_on", "plan", "premium"]


class VerificationForm(ServiceForm):
    class Meta:
        model = Verification
        fields = ["campaign", "member", "verified_at", "note"]


@admin.register(JingCardChange)
class JingCardChangeAdmin(ThroughMemberAdmin):
    form = JingCardChangeForm
    list_display = [
        "member",
        "member_id_number",
        "from_status",
        "to_status",
        "changed_on",
        "recorded_by",
    ]
    list_filter = ["to_status", "changed_on"]
    date_hierarchy = "changed_on"

    def run_service(self, request, obj, data):
        return coverage.member_set_jingcard(
            member=data["member"],
            to_status=data["to_status"],
            on=data["changed_on"],
            by=request.user,
        )


@admin.register(InsuranceEnrolment)
class InsuranceEnrolmentAdmin(ThroughMemberAdmin):
    form = InsuranceForm
    list_display = ["member", "member_id_number", "year", "enrolled_on", "plan", "premium"]
    list_filter = ["year", "plan"]

    def run_service(self, request, obj, data):
        return coverage.insurance_enrol(
            member=data["member"],
            year=data["year"],
            enrolled_on=data["enrolled_on"],
            plan=data.get("plan", ""),
            premium=data.get("premium") or 0,
            by=request.user,
        )


@admin.register(VerificationCampaign)
class VerificationCampaignAdmin(CountColumnsMixin, ScopedModelAdmin):
    list_display = ["name", "started_on", "ends_on", "verified_count"]
    search_fields = ["name"]
    verified_count = count_column("verifications", _("verified"))


@admin.register(Verification)
class VerificationAdmin(ThroughMemberAdmin):
    form = VerificationForm
    list_display = ["member", "member_id_number", "campaign", "verified_by", "verified_at"]
    list_filter = ["campaign"]
    list_select_related = ["member", "campaign", "verified_by"]

    def run_service(self, request, obj, data):
        return coverage.member_verify(
            campaign=data["campaign"],
            member=data["member"],
            at=data["verified_at"],
            note=data.get("note", ""),
            by=request.user,
        )

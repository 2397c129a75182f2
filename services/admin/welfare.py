"""Welfare items, batches (with their sign-off sheet) and handouts."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from chunshu_union.admin_exports import ExportAdminMixin
from chunshu_union.admin_mixins import ScopedModelAdmin, ServiceAdminMixin, ServiceForm
from services import services
from services.models import Handout, WelfareBatch, WelfareItem

from . import exports
from .common import MemberScopedAdmin
from .sheets import SheetImportAdminMixin


@admin.register(WelfareItem)
class WelfareItemAdmin(ScopedModelAdmin):
    unscoped_because = "the items (福包, 庙会票 …) are a catalogue every street shares"
    list_display = ["name", "unit"]
    search_fields = ["name"]


@admin.register(WelfareBatch)
class WelfareBatchAdmin(ExportAdminMixin, SheetImportAdminMixin, ScopedModelAdmin):
    resource_classes = [exports.WelfareBatchResource]
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

    sheet_field = "welfare_batch"


class HandoutForm(ServiceForm):
    class Meta:
        model = Handout
        fields = ["batch", "member", "enterprise", "quantity", "handed_on"]


@admin.register(Handout)
class HandoutAdmin(ExportAdminMixin, ServiceAdminMixin, MemberScopedAdmin):
    resource_classes = [exports.HandoutResource]
    form = HandoutForm
    list_display = ["batch", "recipient", "community", "quantity", "handed_on"]
    list_filter = ["batch", "community", "batch__item"]
    search_fields = ["member__name", "enterprise__name"]
    list_select_related = ["batch", "member", "enterprise", "community"]
    autocomplete_fields = ["member", "enterprise"]
    date_hierarchy = "handed_on"

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("recipient"))
    def recipient(self, obj):
        if obj.member_id:
            return f"{obj.member.name}（{obj.member.id_masked}）"
        return obj.enterprise

    def run_service(self, request, obj, data):
        return services.handout_give(
            batch=data["batch"],
            by=request.user,
            handed_on=data["handed_on"],
            member=data.get("member"),
            enterprise=data.get("enterprise"),
            quantity=data.get("quantity") or 1,
        )

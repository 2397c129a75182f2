"""Staff can look up every revision of the dashboard's figures (what a
leader saw, and when it changed); nobody edits them by hand."""

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from chunshu_union.admin_mixins import ScopedModelAdmin

from .models import QuarterFigures


@admin.register(QuarterFigures)
class QuarterFiguresAdmin(ScopedModelAdmin):
    list_display = ("quarter", "scope", "revision", "is_current", "computed_at")
    list_filter = ("quarter", "is_current", "community")
    ordering = ("-quarter", "community__position", "-revision")
    readonly_fields = (
        "federation",
        "community",
        "quarter",
        "revision",
        "is_current",
        "computed_at",
        "figures_table",
    )
    exclude = ("figures",)

    @admin.display(description=_("scope"))
    def scope(self, obj):
        return obj.community or _("Whole street")

    @admin.display(description=_("figures"))
    def figures_table(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.figures, ensure_ascii=False, indent=2))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

"""The staff admin's member statistics page (会员统计), its Excel export and
the member list export (会员名册导出).

The pages belong to no model, so they are added to the staff site through
django-unfold's `extra_urls` hook (kept chained, so that another module may
add its own the same way); `members/admin.py` imports this module, which
registers them. The site's door (`StaffAdminSite.has_permission`) admits
street staff only; each view also needs the right to view members.

Figures: `members.statistics`; the quarter's flows:
`members.selectors.flows_by_community`; the list: `members.member_list`
(masked unless asked and entitled, every download logged).
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from chunshu_union.quarters import Quarter

from . import member_list, statistics
from .selectors import flows_by_community

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: The flows table's columns: (key, label).
FLOW_COLUMNS = (
    ("joined", gettext_lazy("Joined")),
    ("transferred_in", gettext_lazy("Transferred in from outside the street")),
    ("transferred", gettext_lazy("Transferred within the street (arrived)")),
    ("transferred_out", gettext_lazy("Transferred out of the street")),
    ("held", gettext_lazy("Membership held")),
    ("resumed", gettext_lazy("Membership resumed")),
    ("ended", gettext_lazy("Membership ended")),
    ("standing", gettext_lazy("In good standing at quarter end")),
    ("held_now", gettext_lazy("Held at quarter end")),
    ("members", gettext_lazy("Members at quarter end")),
)


def _may_view(request) -> None:
    if not request.user.has_perm("members.view_member"):
        raise PermissionDenied


def _community(request):
    """The community asked for (`?community=`), or None for all."""
    value = request.GET.get("community") or request.POST.get("community") or ""
    return int(value) if value.isdigit() else None


def _quarter(request) -> Quarter:
    default = Quarter.last_complete()
    try:
        return Quarter.parse(request.GET.get("quarter") or default)
    except ValueError as error:
        messages.error(request, str(error))
        return default


def flow_rows(stats: statistics.Statistics, quarter: Quarter) -> list[dict]:
    """The quarter's flows for each row of `stats` (a community, the
    total): two grouped queries."""
    ids = [row.community.pk for row in stats.rows]
    per_community = flows_by_community(quarter, ids)
    rows = [
        {"name": row.name, "cells": [per_community[row.community.pk][k] for k, _l in FLOW_COLUMNS]}
        for row in stats.rows
    ]
    if stats.total is not None:
        rows.append(
            {
                "name": stats.total.name,
                "total": True,
                "cells": [sum(per_community[cid][k] for cid in ids) for k, _label in FLOW_COLUMNS],
            }
        )
    return rows


@require_safe
def statistics_view(request):
    _may_view(request)
    community = _community(request)
    stats = statistics.member_statistics(user=request.user, community=community)
    quarter = _quarter(request)
    context = {
        **admin.site.each_context(request),
        "title": _("Member statistics"),
        "stats": stats,
        "columns": statistics.COLUMNS,
        "community": community,
        "communities": statistics.visible_communities(request.user),
        "quarter": quarter,
        "previous": quarter.previous(),
        "next": quarter.next(),
        "flow_columns": FLOW_COLUMNS,
        "flows": flow_rows(stats, quarter),
        "may_export_in_clear": member_list.may_export_in_clear(request.user),
    }
    return TemplateResponse(request, "members/admin/statistics.html", context)


@require_safe
def statistics_xlsx(request):
    _may_view(request)
    stats = statistics.member_statistics(user=request.user, community=_community(request))
    response = HttpResponse(statistics.statistics_workbook(stats), content_type=XLSX)
    name = f"member-statistics-{stats.on.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
def member_list_xlsx(request):
    """A download of personal data: POST only (a prefetch or a crawler
    never makes one), logged by `member_list_export`."""
    _may_view(request)
    data, filename = member_list.member_list_export(
        user=request.user,
        community=_community(request),
        full=request.POST.get("full") == "1",
    )
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def urls(site) -> list:
    wrap = site.admin_view
    return [
        path("members/statistics/", wrap(statistics_view), name="members_statistics"),
        path("members/statistics.xlsx", wrap(statistics_xlsx), name="members_statistics_xlsx"),
        path("members/member-list.xlsx", wrap(member_list_xlsx), name="members_member_list_xlsx"),
    ]


def register(site) -> None:
    """Add the pages to `site` (unfold's `extra_urls`, chained)."""
    before = getattr(site, "extra_urls", None)
    if getattr(before, "statistics_registered", False):
        return

    def extra_urls():
        return [*urls(site), *(before() if callable(before) else [])]

    extra_urls.statistics_registered = True
    site.extra_urls = extra_urls


register(admin.site)

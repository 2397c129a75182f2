"""The leadership dashboard: the street page, a community's page, the
enterprises behind a figure, and the Excel export. Leaders and staff only
(`figures_required`); communities through `Community.objects.for_user`, so a
community outside the user's street is a 404."""

from __future__ import annotations

from functools import wraps

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from chunshu_union.decorators import figures_required
from enterprises.models import Community

from . import export, sections, selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: ECharts' SVG renderer (crisp on paper) writes a style attribute on the
#: elements it draws: the Content-Security-Policy allows style attributes on
#: the pages that draw charts, and there only. Inline <style> elements and
#: scripts stay refused.
draws_charts = csp_update({"style-src-attr": [UNSAFE_INLINE]})


def _quarter_or_error(request, federation, rows):
    """(quarters, quarter, error): the error is a sentence for the page."""
    quarters = selectors.available_quarters(federation, rows) if federation else []
    try:
        quarter = selectors.choose_quarter(request.GET.get("quarter"), quarters)
    except selectors.QuarterError as error:
        return quarters, None, error
    if quarter is None:
        return (
            quarters,
            None,
            selectors.QuarterError(
                _("No quarter has figures yet: load the declarations first."), 404
            ),
        )
    return quarters, quarter, None


def _base(request):
    federation = selectors.federation_for(request.user)
    rows = selectors.rate_rows(request.user)
    quarters, quarter, error = _quarter_or_error(request, federation, rows)
    target = settings.DECLARATION_RATE_TARGET
    return {
        "federation": federation,
        "rate_rows": rows,
        "quarters": quarters,
        "quarter": quarter,
        "error": error,
        "target": target,
        "target_text": floatformat(target, -2),
        "export_url": f"{reverse('dashboard:export')}?quarter={quarter}" if quarter else "",
    }


def _chart_data(scopes, trend, target) -> dict:
    return {
        "target": target,
        "communities": [{"name": s.name, "rate": s.rate} for s in scopes if s.community_id],
        "trend": trend,
        "labels": {"rate": _("Declaration rate"), "target": _("Target")},
    }


def _error_page(request, context):
    return render(request, "dashboard/error.html", context, status=context["error"].status)


def _with_scopes(request):
    """(context, scopes) of the page's quarter, the street first; or
    (context, None) when the quarter cannot be shown (`_error_page`)."""
    context = _base(request)
    if context["error"]:
        return context, None
    scopes = selectors.scopes_for(
        request.user, context["federation"], context["quarter"], context["rate_rows"]
    )
    return context, scopes


def _street_figures(view):
    """The street's views (the page and its workbook) are given the page's
    context, the scopes (the street first), the street's zombie counts and
    the trend; a quarter that cannot be shown is the error page instead."""

    @wraps(view)
    def with_figures(request):
        context, scopes = _with_scopes(request)
        if scopes is None:
            return _error_page(request, context)
        trend = selectors.trend(scopes, context["rate_rows"])
        zombies = selectors.zombies(scopes[0])
        return view(request, context, scopes, zombies, trend)

    return with_figures


@require_safe
@draws_charts
@figures_required
@_street_figures
def index(request, context, scopes, zombies, trend):
    quarter = context["quarter"]
    context.update(
        scopes=scopes,
        street=scopes[0],
        communities=scopes[1:],
        zombies=zombies,
        trend=trend,
        # Rendering the tables is most of the page's cost: the template caches
        # it under a digest of everything shown (see selectors.signature).
        body_key=selectors.signature(
            "index",
            context["federation"].name,
            str(quarter),
            context["quarters"],
            context["target"],
            scopes,
            zombies,
            trend,
        ),
        matrix=lambda: sections.matrix(scopes),
        welfare=lambda: sections.welfare_by_item(scopes[0].figures),
        chart_data=lambda: _chart_data(scopes, trend, context["target"]),
    )
    return render(request, "dashboard/index.html", context)


def _community(request, community_id):
    return get_object_or_404(Community.objects.for_user(request.user), pk=community_id)


@require_safe
@draws_charts
@figures_required
def community(request, community_id: int):
    community = _community(request, community_id)
    context, scopes = _with_scopes(request)
    if scopes is None:
        return _error_page(request, context)
    quarter = context["quarter"]
    scope = next(s for s in scopes if s.community_id == community.pk)
    shown = [scope, scopes[0]]
    trend = selectors.trend(shown, context["rate_rows"])
    zombie_count = selectors.zombies(scope).get("flagged", 0)
    context.update(
        community=community,
        street=scopes[0],
        scope=scope,
        scopes=shown,
        trend=trend,
        zombie_count=zombie_count,
        body_key=selectors.signature(
            "community",
            str(quarter),
            context["quarters"],
            context["target"],
            shown,
            trend,
            zombie_count,
        ),
        matrix=lambda: sections.matrix(shown),
        chart_data=lambda: _chart_data([], trend, context["target"]),
        kinds=[(which, selectors.which_label(which)) for which in selectors.WHICH],
    )
    return render(request, "dashboard/community.html", context)


@require_safe
@figures_required
def enterprises(request, community_id: int, which: str, fmt: str = "html"):
    if which not in selectors.WHICH:
        raise Http404
    community = _community(request, community_id)
    context = _base(request)
    if context["error"]:
        return _error_page(request, context)
    quarter = context["quarter"]
    rows = list(selectors.drilldown(quarter, community, which, request.user))
    title = f"{community.name} · {quarter.label} · {selectors.which_label(which)}"
    if fmt == "xlsx":
        response = HttpResponse(export.enterprise_list(title, rows), content_type=XLSX)
        filename = f"dashboard-{quarter}-{community.code}-{which}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    context.update(
        community=community,
        which=which,
        which_label=selectors.which_label(which),
        title=title,
        rows=rows,
    )
    return render(request, "dashboard/enterprises.html", context)


@require_safe
@figures_required
@_street_figures
def export_xlsx(request, context, scopes, zombies, trend):
    quarter = context["quarter"]
    data = export.dashboard_workbook(quarter=quarter, scopes=scopes, zombies=zombies, trend=trend)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="dashboard-{quarter}.xlsx"'
    return response

"""What the dashboard pages and the export read: snapshots only.

The declaration figures come from the union-funds snapshots through
`dues.selectors`; everything else from this app's `QuarterFigures`. A page
costs a few indexed queries whatever the size of the street.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chunshu_union import access
from chunshu_union.quarters import Quarter
from dues import selectors as dues_selectors
from dues.rates import needed_for
from enterprises.models import Community, Federation

from . import sections
from .models import QuarterFigures

#: Kinds of enterprise list behind a figure, in the order they are offered.
WHICH = ("obligated", "declared", "undeclared", "zombie")


def which_label(which: str) -> str:
    return {
        "obligated": _("Obligated enterprises"),
        "declared": _("Declared enterprises"),
        "undeclared": _("Obligated but not declared"),
        "zombie": _("Suspected zombies"),
    }[which]


def federation_for(user) -> Federation | None:
    """The user's street; an account bound to no street (a superuser, or a
    leader of a one-street installation) reads the first one, as
    `Community.objects.for_user` lets it see every community."""
    if not access.can_see_figures(user):
        return None
    return Federation.objects.for_user(user).order_by("pk").first()


def rate_rows(user) -> list[dict]:
    """Every rate snapshot the user may see (quarters × scopes, current
    revisions), in one query: the page picks its quarter, its figures and
    its trend from these."""
    return dues_selectors.rate_trend(user)


def available_quarters(federation: Federation, rows: list[dict]) -> list[Quarter]:
    """Quarters with declaration rates, ascending; without any (yet), the
    quarters with dashboard figures."""
    found = {Quarter.parse(row["quarter"]) for row in rows}
    if not found:
        found.update(
            Quarter.parse(q)
            for q in QuarterFigures.objects.current()
            .filter(federation=federation, community__isnull=True)
            .order_by("quarter")  # not the default ordering: it would join and defeat DISTINCT
            .values_list("quarter", flat=True)
            .distinct()
        )
    return sorted(found)


class QuarterError(ValueError):
    """The quarter asked for cannot be shown; the message is for the user,
    `status` for the response (400 nonsense, 404 a quarter without data)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def choose_quarter(text: str | None, quarters: list[Quarter]) -> Quarter | None:
    """The quarter in the address, or the latest with data. Raises
    QuarterError with a Chinese message for nonsense or a quarter without
    data."""
    if not text:
        return quarters[-1] if quarters else None
    try:
        quarter = Quarter.parse(text)
    except ValueError as error:
        raise QuarterError(str(error)) from None
    if quarter not in quarters:
        raise QuarterError(
            _("There are no figures for %(quarter)s yet.") % {"quarter": quarter.label}, 404
        )
    return quarter


@dataclass
class Scope:
    """One row of the dashboard: the street (community None) or a community."""

    name: str
    community: Community | None = None
    rate: Decimal | None = None
    declared: int | None = None
    obligated: int | None = None
    zero_declared: int | None = None
    rate_revision: int | None = None
    rate_computed_at: object = None
    needed: int | None = None
    figures: dict = field(default_factory=dict)
    figures_revision: int | None = None
    figures_computed_at: object = None

    @property
    def community_id(self):
        return self.community.pk if self.community else None

    @property
    def undeclared(self):
        if self.obligated is None or self.declared is None:
            return None
        return self.obligated - self.declared

    @property
    def services(self) -> dict:
        return self.figures.get("services") or {}

    @property
    def sections(self) -> list[dict]:
        return sections.sections(self.figures)

    @property
    def rate_text(self) -> str:
        return "—" if self.rate is None else f"{Decimal(self.rate):.2f}%"

    @property
    def rate_rounded(self) -> str:
        """The rate as the street reports it aloud ("74%" for 73.89%)."""
        if self.rate is None:
            return ""
        return f"{Decimal(self.rate).quantize(Decimal('1'), rounding=ROUND_HALF_UP)}%"

    @property
    def below_target(self) -> bool:
        return self.rate is not None and self.rate < Decimal(str(settings.DECLARATION_RATE_TARGET))


def _attach_rates(scopes: dict, quarter: Quarter, rows: list[dict]) -> None:
    for row in rows:
        if str(row["quarter"]) != str(quarter):
            continue
        scope = scopes.get(row.get("community_id"))
        if scope is None:
            continue
        scope.rate = row.get("rate")
        scope.declared = row.get("declared")
        scope.obligated = row.get("obligated")
        scope.zero_declared = row.get("zero_declared")
        scope.rate_revision = row.get("revision")
        scope.rate_computed_at = row.get("computed_at")
    target = dues_selectors.target_rate()
    for scope in scopes.values():
        if scope.obligated is not None:
            scope.needed = needed_for(target, scope.declared, scope.obligated)


def _attach_figures(scopes: dict, federation: Federation, quarter: Quarter) -> None:
    for snapshot in QuarterFigures.objects.for_quarter(federation.pk, quarter):
        scope = scopes.get(snapshot.community_id)
        if scope is not None:
            scope.figures = snapshot.figures
            scope.figures_revision = snapshot.revision
            scope.figures_computed_at = snapshot.computed_at


def scopes_for(user, federation: Federation, quarter: Quarter, rows: list[dict]) -> list[Scope]:
    """The street first, then each community the user may see, with the
    quarter's rates and figures from the snapshots."""
    communities = (
        Community.objects.for_user(user).filter(federation=federation).order_by("position")
    )
    scopes: dict = {None: Scope(name=_("Whole street"))}
    for community in communities:
        scopes[community.pk] = Scope(name=community.name, community=community)
    _attach_rates(scopes, quarter, rows)
    _attach_figures(scopes, federation, quarter)
    return list(scopes.values())


def zombies(scope: Scope) -> dict:
    """Zombie flags of a scope as its snapshot holds them (computed with the
    other figures by the jobs, never counted per request)."""
    return (scope.figures or {}).get("zombies") or {}


def trend(scopes: list[Scope], rows: list[dict]) -> dict:
    """The rate across quarters, for the chart and its table:
    `{"quarters": [...], "series": [{"name", "community_id", "rates"}]}`,
    the street first; a missing quarter is None."""
    quarters = sorted({str(row["quarter"]) for row in rows})
    by_scope: dict = {}
    for row in rows:
        by_scope.setdefault(row.get("community_id"), {})[str(row["quarter"])] = row.get("rate")
    series = []
    for scope in scopes:
        values = by_scope.get(scope.community_id, {})
        series.append(
            {
                "name": scope.name,
                "community_id": scope.community_id,
                "rates": [values.get(q) for q in quarters],
            }
        )
    return {"quarters": quarters, "series": series}


def drilldown(quarter: Quarter, community: Community, which: str, user):
    """The enterprises behind one figure of one community (a queryset),
    scoped through `for_user`; no personal data is read."""
    qs = dues_selectors.snapshot_enterprises(quarter, community.pk, which, user)
    return qs.select_related("community", "building").order_by("name")


def signature(*parts) -> str:
    """A digest of everything a page shows, to key its cached rendering: a
    new snapshot revision, another quarter, language or set of visible
    communities gives another key, so a cached page is never stale."""

    def plain(part):
        if isinstance(part, Scope):
            return [
                part.name,
                part.community_id,
                part.rate,
                part.declared,
                part.obligated,
                part.zero_declared,
                part.needed,
                part.rate_revision,
                part.rate_computed_at,
                part.figures,
                part.figures_revision,
                part.figures_computed_at,
            ]
        if isinstance(part, (list, tuple)):
            return [plain(p) for p in part]
        return part

    text = json.dumps([get_language(), *map(plain, parts)], cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(text.encode()).hexdigest()

"""The declaration rate, exactly as DESIGN defines it, computed in the
database.

- Declared in Q: at least one declaration whose tax period ends within Q (a
  zero declaration counts, and is counted apart; corrections for the same
  period count once, because enterprises are counted, not rows; a refund
  does not count on its own).
- Obligated in Q: union founded and in the collection scope on Q's last day
  (`Enterprise.objects.in_scope_on`), not moved out or deregistered by then.
- Rate = declared ÷ obligated as a percentage, two decimals, ROUND_HALF_UP
  (`chunshu_union.figures.percent`); none for a scope with nothing obligated.
  The numerator is declared ∩ obligated: a declaration from an enterprise
  that has moved out (or whose union is not yet founded) is kept and listed,
  but cannot lift the rate, which therefore never exceeds 100%.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
)

from chunshu_union.figures import HUNDRED, percent
from chunshu_union.quarters import Quarter, quarter_range
from enterprises.models import Community, Enterprise, Federation

from .models import Declaration

STREET = "street"


def needed_for(target: Decimal, declared: int, obligated: int) -> int:
    """How many more enterprises must declare so that the rate, rounded as
    it is reported, reaches `target` (percent)."""
    if not obligated:
        return 0
    # percent(d, obligated) >= target  <=>  d * 100 / obligated >= target - 0.005
    least = math.ceil((Decimal(target) - Decimal("0.005")) * obligated / HUNDRED)
    return max(0, min(least, obligated) - declared)


@dataclass
class ScopeFigures:
    """One scope's figures for one quarter, and the enterprises behind them."""

    federation_id: int
    community_id: int | None
    scope: str  # "street" or the community's name
    quarter: Quarter
    obligated_ids: list[int] = field(default_factory=list)
    declared_ids: list[int] = field(default_factory=list)
    zero_ids: list[int] = field(default_factory=list)
    obligated: int = 0
    declared: int = 0
    zero_declared: int = 0

    @property
    def scope_key(self) -> str:
        return STREET if self.community_id is None else f"c{self.community_id}"

    @property
    def rate(self) -> Decimal | None:
        return percent(self.declared, self.obligated)

    def as_dict(self) -> dict:
        return {
            "scope": self.scope,
            "quarter": str(self.quarter),
            "declared": self.declared,
            "obligated": self.obligated,
            "rate": self.rate,
        }


def declared_ids(quarter: Quarter, *, paying: bool = False):
    """Subquery: ids of enterprises with a declaration ending in `quarter`
    (with `paying`, one that is not a zero declaration)."""
    qs = Declaration.objects.counting().ending_in(quarter).filter(enterprise__isnull=False)
    if paying:
        qs = qs.filter(is_zero=False)
    return qs.values("enterprise_id")


def obligated_in(quarter: Quarter, federation: Federation | None = None):
    """The enterprises the rate of `quarter` divides by, annotated with
    `has_declared` and `has_paid` (a declaration that is not zero). The
    declared sets are uncorrelated subqueries (hashed once), not a lookup
    per enterprise."""
    qs = Enterprise.objects.in_scope_on(quarter.last_day)
    if federation is not None:
        qs = qs.filter(community__federation=federation)
    return qs.annotate(
        has_declared=ExpressionWrapper(
            Q(pk__in=declared_ids(quarter)), output_field=BooleanField()
        ),
        has_paid=ExpressionWrapper(
            Q(pk__in=declared_ids(quarter, paying=True)), output_field=BooleanField()
        ),
    )


def rate_counts_for_quarter(quarter: Quarter, federation: Federation) -> dict[int, dict]:
    """Per community: obligated, declared, zero_declared — one aggregate query."""
    declared = Q(pk__in=declared_ids(quarter))
    paying = Q(pk__in=declared_ids(quarter, paying=True))
    rows = (
        Enterprise.objects.in_scope_on(quarter.last_day)
        .filter(community__federation=federation)
        .order_by()
        .values("community_id")
        .annotate(
            n_obligated=Count("pk"),
            n_declared=Count("pk", filter=declared),
            n_zero=Count("pk", filter=declared & ~paying),
        )
    )
    return {row["community_id"]: row for row in rows}


def rate_figures_for_quarter(
    quarter: Quarter, federation: Federation, *, with_ids: bool = True
) -> list[ScopeFigures]:
    """The declaration figures of one quarter, counted from the rows: the
    street first, then each community in order (communities without
    obligated enterprises too, with zeros)."""
    counts = rate_counts_for_quarter(quarter, federation)
    communities = list(Community.objects.filter(federation=federation).order_by("position"))
    street = ScopeFigures(federation.pk, None, STREET, quarter)
    scopes = {c.pk: ScopeFigures(federation.pk, c.pk, c.name, quarter) for c in communities}
    for community_id, row in counts.items():
        figures = scopes[community_id]
        figures.obligated = row["n_obligated"]
        figures.declared = row["n_declared"]
        figures.zero_declared = row["n_zero"]
    for figures in scopes.values():
        street.obligated += figures.obligated
        street.declared += figures.declared
        street.zero_declared += figures.zero_declared
    if with_ids:
        _fill_ids(quarter, federation, street, scopes)
    return [street, *scopes.values()]


def _fill_ids(quarter, federation, street: ScopeFigures, scopes: dict) -> None:
    """The enterprise ids behind the counts, read in one query (the snapshot
    keeps them so that every figure can be traced to rows)."""
    rows = (
        obligated_in(quarter, federation)
        .order_by("pk")
        .values_list("pk", "community_id", "has_declared", "has_paid")
    )
    for pk, community_id, declared, paid in rows.iterator(chunk_size=20_000):
        for figures in (street, scopes[community_id]):
            figures.obligated_ids.append(pk)
            if declared:
                figures.declared_ids.append(pk)
                if not paid:
                    figures.zero_ids.append(pk)


def quarters_with_declarations() -> list[Quarter]:
    """Every quarter from the first to the last tax period on record."""
    bounds = Declaration.objects.aggregate(first=Min("period_end"), last=Max("period_end"))
    if bounds["first"] is None:
        return []
    return list(
        quarter_range(Quarter.containing(bounds["first"]), Quarter.containing(bounds["last"]))
    )


def declarations_match() -> int:
    """Link unmatched declarations to enterprises registered since (one
    UPDATE). Returns how many were linked."""
    same_code = Enterprise.objects.filter(credit_code=OuterRef("credit_code"))
    return (
        Declaration.objects.filter(enterprise__isnull=True)
        .filter(Exists(same_code))
        .update(enterprise_id=Subquery(same_code.values("pk")[:1]))
    )

"""Figures every app reports the same way.

Each app's `<noun>_figures_for_quarter` selector counts with `grouped`
(one aggregate query per count over the whole street, never per row) and
lays the counts out per community with `merged`.

`percent(part, whole)` is the one percentage of the project: two decimals,
rounded half up (83.155 → 83.16), as the street reports them. With nothing
to divide by it is None, never 0.00 or "": an empty community has no rate,
and every page and export shows None as "—" (a 0.00 % would read as a
community where nobody did anything)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def percent(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` in percent, two decimals; None when `whole` is 0."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, ROUND_HALF_UP)


def grouped(qs, key: str, **aggregates) -> dict:
    """One grouped aggregate query: `{value of key: {name: aggregate}}`."""
    rows = qs.order_by().values(key).annotate(**aggregates)
    return {row[key]: {name: row[name] for name in aggregates} for row in rows}


def merged(community_ids, counts, *sources: dict) -> dict:
    """`{community_id: {count: value}}` for every community, zeros where no
    source has a row; rows of other communities are left out."""
    out = {community_id: dict.fromkeys(counts, 0) for community_id in community_ids}
    for source in sources:
        for community_id, values in source.items():
            if community_id in out:
                out[community_id].update(values)
    return out

"""Which rows an import created, kept as id ranges: one record per row
would double the write of a large file, and undo needs only which rows
they are."""

from django.db.models import Q


def id_ranges(ids: list[int]) -> list[list[int]]:
    """Ids as [first, last] runs of consecutive numbers: [3, 4, 5, 9] gives
    [[3, 5], [9, 9]]. Ids drawn in one go from a sequence are one run."""
    runs: list[list[int]] = []
    for pk in ids:
        if runs and pk == runs[-1][1] + 1:
            runs[-1][1] = pk
        else:
            runs.append([pk, pk])
    return runs


def in_ranges(ranges, field: str = "pk") -> Q:
    """A filter for the rows whose `field` lies in one of `ranges`; matches
    nothing for no ranges."""
    query = Q(pk__in=[])
    for first, last in ranges:
        query |= Q(**{f"{field}__range": (first, last)})
    return query

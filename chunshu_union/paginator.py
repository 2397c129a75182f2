"""A paginator that does not count a huge list row by row (docs/SCALING.md).

`COUNT(*)` of ten million members is seconds on PostgreSQL whatever the
index; a page of 50 is milliseconds. Past `ESTIMATE_ABOVE` rows — as the
planner estimates them for this very query (EXPLAIN, which for a whole table
is `pg_class.reltuples` scaled to its current size) — the paginator takes
the estimate instead; below, and on other databases, it counts exactly. The
admin then shows "about N" pages; the last pages of an estimated list may
be short or empty, which no one pages to in a ten-million-row list anyway
(they search or filter).

Use in an admin: `paginator = EstimatedCountPaginator` and
`show_full_result_count = False` (the change list's second, unfiltered
count).
"""

from __future__ import annotations

import json
import time

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

ESTIMATE_ABOVE = 100_000


_TABLE_ROWS: dict[tuple[str, str], tuple[float, int]] = {}
TABLE_ROWS_SECONDS = 60


def table_rows(queryset) -> int | None:
    """The statistics' row count of the queryset's table (pg_class.reltuples,
    kept a minute per process), or None off PostgreSQL: a list whose whole
    table is small is counted exactly without asking the planner."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    key = (queryset.db, queryset.model._meta.db_table)
    now = time.monotonic()
    cached = _TABLE_ROWS.get(key)
    if cached and now - cached[0] < TABLE_ROWS_SECONDS:
        return cached[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [key[1]])
        row = cursor.fetchone()
    rows = max(int(row[0]), 0) if row else 0
    _TABLE_ROWS[key] = (now, rows)
    return rows


def planned_rows(queryset) -> int | None:
    """The planner's row estimate for `queryset` on PostgreSQL, else None."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    #: Rows from which the estimate stands in for the count.
    estimate_above = ESTIMATE_ABOVE

    @cached_property
    def count(self):
        queryset = self.object_list
        if not hasattr(queryset, "query"):
            return super().count
        whole = table_rows(queryset)
        if whole is None or whole < self.estimate_above:
            return super().count
        estimate = planned_rows(queryset.order_by())
        if estimate is None or estimate < self.estimate_above:
            return super().count
        self.estimated = True
        return estimate

    estimated = False

"""`AnyOf(F("field"), values)`: membership in a long list of values.

Django's `__in` writes one placeholder per value: for 100,000 ID digests that
is a 100,000-parameter statement for the driver to split and the server to
parse. On PostgreSQL the whole list is one array parameter (`= ANY(%s)`),
which uses the same index; elsewhere it is an ordinary IN, so callers on
SQLite still pass lists within its parameter limit.
"""

from django.db.models import Lookup
from django.db.models.lookups import In


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        values = list(self.rhs)
        if connection.vendor != "postgresql":
            return compiler.compile(In(self.lhs, values))
        lhs, lhs_params = self.process_lhs(compiler, connection)
        joined = _joined(values)
        if joined is not None:
            return f"{lhs} = ANY(string_to_array(%s, ','))", [*lhs_params, joined]
        return f"{lhs} = ANY(%s)", [*lhs_params, values]


def _joined(values: list) -> str | None:
    """Strings without commas as one comma-separated string. Django binds
    parameters on the client, and psycopg quotes one long string several
    times faster than it writes an array literal of 100,000 elements
    (0.14 s against 0.8 s for 100,000 digests)."""
    if not values or not all(type(value) is str for value in values):
        return None
    joined = ",".join(values)
    return joined if joined.count(",") == len(values) - 1 else None


def chunk_size(connection, total: int, other: int = 5000) -> int:
    """How many values one AnyOf may carry: all of them on PostgreSQL, a
    chunk elsewhere (SQLite allows 32,766 parameters per statement)."""
    return max(total, 1) if connection.vendor == "postgresql" else other

"""Reads that can lag a little go to a read replica (docs/SCALING.md).

When the settings hold a `replica` database (DATABASE_REPLICA_URL), the
dashboard's pages and export, the Excel/CSV exports and the API's reads
(GET, HEAD, OPTIONS) read the union's data from it: they show snapshots or
lists where a second of replication lag does not matter, and they are the
heavy readers. Everything else — every write, every form, the import flow,
and any read inside a transaction on the primary — stays on `default`.

The choice is made per request by `ReplicaReadsMiddleware`, which marks the
request's context (a ContextVar, so threads and async tasks do not leak it);
`replica_reads()` marks a block of code the same way (an export job, a
bench). Sign-in data (sessions, users, permissions, django-axes, the audit
log) is always read from the primary: a user who has just signed in or been
locked out must be seen at once.
"""

from __future__ import annotations

import contextlib
import re
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"

_reading: ContextVar[bool] = ContextVar("replica_reads", default=False)

#: Apps whose rows decide who may do what: read from the primary, always.
PRIMARY_ONLY_APPS = frozenset(
    {"accounts", "auth", "sessions", "contenttypes", "admin", "axes", "auditlog"}
)

#: Paths whose reads may go to the replica (GET, HEAD, OPTIONS).
REPLICA_PATHS = re.compile(
    r"^/(dashboard/|api/v1/|portal/figures/)|/export[^/]*$|\.(xlsx|csv)$|/export/"
)
#: An import's own report reads what the import has just written.
PRIMARY_PATHS = re.compile(r"/imports/")


def replica_configured() -> bool:
    """A `replica` database is set and reads are to go there (the test
    settings keep a mirror alias with the reads off, for the router's tests)."""
    return REPLICA in settings.DATABASES and getattr(settings, "DATABASE_REPLICA_READS", False)


@contextlib.contextmanager
def replica_reads():
    """Reads in the block go to the replica, if one is configured."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def wants_replica(request) -> bool:
    path = request.path_info
    return (
        request.method in ("GET", "HEAD", "OPTIONS")
        and bool(REPLICA_PATHS.search(path))
        and not PRIMARY_PATHS.search(path)
    )


class ReplicaReadsMiddleware:
    """Marks the dashboard's, the exports' and the API's reads for the
    replica. Does nothing when no replica is configured."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (replica_configured() and wants_replica(request)):
            return self.get_response(request)
        with replica_reads():
            return self.get_response(request)


class ReplicaRouter:
    """DATABASE_ROUTERS entry: the replica for marked reads, the primary for
    the rest. Migrations run on the primary only (the replica follows it)."""

    def db_for_read(self, model, **hints):
        if not _reading.get() or not replica_configured():
            return None
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return "default"
        # Inside a transaction on the primary, read what it has written.
        if connections["default"].in_atomic_block:
            return "default"
        return REPLICA

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return {obj1._state.db, obj2._state.db} <= {"default", REPLICA, None}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


__all__ = [
    "REPLICA",
    "ReplicaReadsMiddleware",
    "ReplicaRouter",
    "replica_configured",
    "replica_reads",
]

"""Keeping two runs of the same job apart (beat and a manual run, or a task
redelivered while the first attempt still runs). Every app's jobs take this
one lock."""

import zlib
from contextlib import contextmanager

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction


def _key(name: str) -> int:
    return zlib.crc32(f"chunshu.{name}".encode())


@contextmanager
def job_lock(name: str):
    """A transaction holding an exclusive lock named `name` until it ends: a
    PostgreSQL advisory lock. SQLite needs none: the project opens its
    transactions IMMEDIATE (settings), so two writers already serialise."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_key(name)])
        elif connection.settings_dict.get("OPTIONS", {}).get("transaction_mode") != "IMMEDIATE":
            raise ImproperlyConfigured(
                f"job_lock needs PostgreSQL or SQLite with IMMEDIATE transactions, "
                f"not {connection.vendor}"
            )
        yield

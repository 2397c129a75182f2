"""Keeping two runs of the same job apart (beat and a manual run, or a task
redelivered while the first attempt still runs)."""

import zlib
from contextlib import contextmanager

from django.db import connection, transaction


def _key(name: str) -> int:
    return zlib.crc32(f"chunshu.{name}".encode())


@contextmanager
def job_lock(name: str):
    """A transaction holding an exclusive lock named `name` until it ends:
    a PostgreSQL advisory lock, elsewhere a row locked with
    `select_for_update` (SQLite's IMMEDIATE transactions serialise anyway)."""
    from .models import ScheduleLock

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_key(name)])
        else:
            ScheduleLock.objects.get_or_create(name=name)
            ScheduleLock.objects.select_for_update().get(name=name)
        yield

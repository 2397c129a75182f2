"""Inserting many rows fast, without building a model instance per row.

The columns come from the model's own fields (so a column added later with
a default is filled with it); ids are drawn first (PostgreSQL's sequence in
one query, SQLite's counter under the transaction's write lock) so that the
caller can refer to the new rows; PostgreSQL gets COPY, SQLite executemany.
"""

from __future__ import annotations

import datetime
import json

from django.db import connection, models
from django.utils import timezone

CHUNK = 5000


def _sqlite_value(field):
    if isinstance(field, models.DateTimeField):
        utc = datetime.UTC

        def convert(value):
            if value is None:
                return None
            return value.astimezone(utc).replace(tzinfo=None).isoformat(sep=" ")

        return convert
    if isinstance(field, models.DateField):
        return lambda value: value.isoformat() if value is not None else None
    if isinstance(field, models.JSONField):
        return lambda value: json.dumps(value, ensure_ascii=False)
    if isinstance(field, models.BooleanField):
        return lambda value: int(value) if value is not None else None
    return None


def _postgres_value(field):
    if isinstance(field, models.JSONField):
        from psycopg.types.json import Jsonb

        return Jsonb
    return None


def _columns(model):
    """(field, default, converter) for every concrete column but the id."""
    now = timezone.now()
    postgres = connection.vendor == "postgresql"
    columns = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            default = now
        elif field.has_default():
            default = field.get_default()
        elif field.null:
            default = None
        elif field.empty_strings_allowed and not field.null:
            default = ""
        else:
            default = _REQUIRED
        convert = _postgres_value(field) if postgres else _sqlite_value(field)
        columns.append((field, default, convert))
    return columns


_REQUIRED = object()


def fast_insert(model, rows, count: int) -> list[int]:
    """Insert `count` rows (an iterable of dicts, field attname → value,
    consumed as it is written so that no copy of the whole batch is held)
    and return their new ids, in order."""
    if not count:
        return []
    columns = _columns(model)
    ids = _new_ids(model, count)
    model_name = model.__name__

    def matrix():
        for pk, row in zip(ids, rows, strict=True):
            values = [pk]
            for field, default, convert in columns:
                value = row.get(field.attname, default)
                if value is _REQUIRED:
                    raise ValueError(f"{model_name}.{field.attname} is required")
                values.append(convert(value) if convert else value)
            yield values

    names = [model._meta.pk.column, *(f.column for f, _d, _c in columns)]
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for values in matrix():
                    copy.write_row(values)
        else:
            marks = ", ".join(["%s"] * len(names))
            sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"  # noqa: S608 - names from the model
            chunk = []
            for values in matrix():
                chunk.append(values)
                if len(chunk) == CHUNK:
                    cursor.executemany(sql, chunk)
                    chunk = []
            if chunk:
                cursor.executemany(sql, chunk)
    return ids


def _new_ids(model, count: int) -> list[int]:
    meta = model._meta
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, count],
            )
            return [pk for (pk,) in cursor.fetchall()]
        # SQLite: the import's transaction holds the write lock (IMMEDIATE),
        # so no one else can take these ids; AUTOINCREMENT's counter follows.
        top_sql = f"SELECT COALESCE(MAX({meta.pk.column}), 0) FROM {meta.db_table}"  # noqa: S608
        cursor.execute(top_sql)
        top = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [meta.db_table])
        found = cursor.fetchone()
        start = max(top, found[0] if found else 0) + 1
        return list(range(start, start + count))

"""Inserting many rows fast, without building a model instance per row.

The columns come from the model's own fields (so a column added later with
a default is filled with it); ids are drawn first (PostgreSQL's sequence in
one query, SQLite's counter under the transaction's write lock) so that the
caller can refer to the new rows; PostgreSQL gets COPY, SQLite executemany.
"""

from __future__ import annotations

import datetime
import json
import re
from itertools import islice

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


def _postgres_type(field) -> str:
    """The column's type as psycopg names it: varchar(50) is varchar."""
    return re.sub(r"\(.*\)$", "", field.db_type(connection))


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


def fast_insert(model, rows, count: int, *, fields: tuple[str, ...] = ()) -> list[int]:
    """Insert `count` rows and return their new ids, in order. The rows are
    consumed as they are written, so that no copy of the whole batch is held:
    dicts (field attname → value), or, with `fields`, tuples of those
    fields' values in that order (no dict per row: for the big inserts)."""
    if not count:
        return []
    columns = _columns(model)
    if fields:
        given = {name: i for i, name in enumerate(fields)}
        columns.sort(key=lambda column: given.get(column[0].attname, len(fields)))
    required = {field.attname for field, default, _c in columns if default is _REQUIRED}
    if fields and not required.issubset(fields):
        raise ValueError(f"{model.__name__}: {', '.join(sorted(required - set(fields)))} required")
    # The defaults are the same for every row: converted once, here.
    defaults = [
        default if convert is None or default is _REQUIRED else convert(default)
        for _f, default, convert in columns
    ]
    ids = _new_ids(model, count)

    def matrix():
        if fields:
            tail = defaults[len(fields) :]
            converted = [(i, c) for i, (_f, _d, c) in enumerate(columns[: len(fields)], 1) if c]
            for pk, row in zip(ids, rows, strict=True):
                values = [pk, *row, *tail]
                for i, convert in converted:
                    values[i] = convert(values[i])
                yield values
            return
        # Each row starts as a copy of the defaults; only the values the row
        # gives are placed, and converted where the column needs it.
        template = [None, *defaults]
        position = {field.attname: i for i, (field, _d, _c) in enumerate(columns, start=1)}
        convert_at = {field.attname: c for field, _d, c in columns if c}
        for pk, row in zip(ids, rows, strict=True):
            if not required.issubset(row.keys()):
                missing = ", ".join(sorted(required - row.keys()))
                raise ValueError(f"{model.__name__}: {missing} required")
            values = template.copy()
            values[0] = pk
            for name, value in row.items():
                convert = convert_at.get(name)
                values[position[name]] = value if convert is None else convert(value)
            yield values

    names = [model._meta.pk.column, *(f.column for f, _d, _c in columns)]
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Binary COPY: psycopg dumps each value by the column's declared
            # type in C, a fifth of the client's time for text COPY.
            types = [_postgres_type(f) for f in (model._meta.pk, *(f for f, _d, _c in columns))]
            binary = f"COPY {table} ({quoted}) FROM STDIN (FORMAT BINARY)"
            # COPY goes through psycopg's own cursor, past Django's wrapper:
            # without this, a unique violation (two imports of the same
            # people at once) escapes as psycopg.errors.UniqueViolation
            # instead of django.db.IntegrityError, which the roster's write
            # turns into its "saved at the same moment" message.
            with connection.wrap_database_errors, cursor.cursor.copy(binary) as copy:
                copy.set_types(types)
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
            # The sequence's name first: pg_get_serial_sequence() inside the
            # nextval() would be looked up again for every row (0.7 s per
            # 100,000 ids; 0.1 s this way).
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
            (sequence,) = cursor.fetchone()
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
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


def batched(iterable, size: int):
    """Lists of `size` items (itertools.batched, which Python 3.11 lacks)."""
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk

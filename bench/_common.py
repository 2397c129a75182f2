"""What the PostgreSQL benchmarks (bench/dashboard.py, dues.py, services.py,
scale.py) share: Django set up against the bench's own database, that
database dropped and re-created, raw SQL run for the server-side generators,
and the results written at the end. Each bench builds its own street; only
these mechanics are common."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path


def setup_django(
    url: str, *, settings: str = "chunshu_union.settings.test", **environ: str
) -> None:
    """Django against `url`, tasks inline (no REDIS_URL); `environ` sets
    further variables before the settings are read."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings)
    os.environ.update(environ)
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


@contextlib.contextmanager
def _server(url: str):
    """A connection to the server's postgres database (autocommit)."""
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        yield conn


def _on_server(url: str, *statements: str) -> None:
    with _server(url) as conn:
        for statement in statements:
            conn.execute(statement)


def database_exists(url: str) -> bool:
    with _server(url) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [url.rsplit("/", 1)[1]]
        )
        return found.fetchone() is not None


def recreate_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    _on_server(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    _on_server(url, f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def fresh_database(url: str, **setup) -> str:
    """The bench's database dropped, created and migrated, with Django set up
    on it (`setup` as for `setup_django`); returns PostgreSQL's version."""
    recreate_database(url)
    setup_django(url, **setup)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    return connection.pg_version


def run_sql(statement: str, params=None, *, double_percent: bool = True) -> None:
    """One statement with pyformat `params`. With `double_percent` a literal
    % (modulo) in the statement is doubled for the driver; a bench whose SQL
    already writes %% passes False."""
    from django.db import connection

    if double_percent:
        statement = statement.replace("%", "%%").replace("%%(", "%(")
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def finish(url: str, name: str, results: dict, *, keep: bool) -> None:
    """The bench's `results` written to bench/out/<name>.json, Django's
    connection closed and, unless `keep`, the bench's database dropped."""
    from django.db import connection

    out = Path(__file__).resolve().parent / "out"
    out.mkdir(exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    connection.close()
    if not keep:
        drop_database(url)

"""The backup drill (issue 16): make a backup the way the README does
(`pg_dump -Fc`), restore it into a scratch database, and check that the
restored copy holds the same rows and shows the same dashboard.

It compares, between the live database and the restored copy:

- the row count of every table of the project's apps and of `auth`;
- for each street, the figures of its latest quarter with data, both as the
  dashboard page shows them (`dashboard.selectors.scopes_for`, read as one of
  the street's leaders) and as the nightly job would compute them again from
  the raw rows (the apps' `<noun>_figures_for_quarter`, as
  `dashboard.services.quarter_figures_compute` assembles them, not stored).

The live side is read in the very snapshot that pg_dump dumps
(`pg_export_snapshot`, a read-only repeatable-read transaction), so the
comparison is exact even while people work. The restored side is read by
this command again in a subprocess whose `DATABASE_URL` names the scratch
database (`--inventory`), the same code on the other database.

Exit status (DESIGN's command-line contract): 0 the copy matches; 1 a
difference was found; 2 the drill cannot run (not PostgreSQL, no pg_dump,
the scratch database cannot be made). The scratch database is always
dropped at the end, on failure too, unless `--keep`.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import psycopg
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from chunshu_union.roles import Role
from dashboard import selectors
from dues.selectors import zombie_figures_for_quarter
from enterprises.models import Community, Federation
from enterprises.selectors import enterprise_figures_for_quarter
from members.selectors import member_figures_for_quarter
from services.selectors import services_figures_for_quarter

#: Apps outside the project whose tables are compared too.
EXTRA_APPS = {"auth"}


class DrillError(Exception):
    """The drill cannot run; the message is for the user (exit 2)."""


def _plain(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, default=str))


def _our_app_labels() -> set[str]:
    root = Path(settings.BASE_DIR).resolve()
    ours = {
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(root)
    }
    return ours | EXTRA_APPS


def _tables() -> list[str]:
    labels = _our_app_labels()
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label in labels and model._meta.managed and not model._meta.proxy
        }
    )


def table_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in _tables():
            # the table names are our models', quoted
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _scope(scope: selectors.Scope) -> dict:
    return {
        "name": scope.name,
        "community_id": scope.community_id,
        "rate": scope.rate,
        "declared": scope.declared,
        "obligated": scope.obligated,
        "zero_declared": scope.zero_declared,
        "needed": scope.needed,
        "rate_revision": scope.rate_revision,
        "rate_computed_at": scope.rate_computed_at,
        "figures": scope.figures,
        "figures_revision": scope.figures_revision,
        "figures_computed_at": scope.figures_computed_at,
    }


def _recomputed(federation: Federation, quarter) -> dict:
    """What `quarter_figures_compute` would store now, without storing it."""
    communities = list(Community.objects.filter(federation=federation).order_by("position"))
    ids = [c.pk for c in communities]
    members = member_figures_for_quarter(federation.pk, quarter, ids)
    enterprises = enterprise_figures_for_quarter(federation.pk, quarter, ids)
    return {
        str(community_id): {
            **members[community_id],
            **enterprises[community_id],
            "services": services_figures_for_quarter(quarter, community_id=community_id),
            "zombies": zombie_figures_for_quarter(quarter, federation.pk, community_id),
        }
        for community_id in [None, *ids]
    }


def dashboard_figures() -> dict:
    """Per street: its latest quarter with data, the dashboard as its leader
    sees it, and the same quarter's figures computed again from the rows."""
    found = {}
    for federation in Federation.objects.order_by("pk"):
        leader = User(role=Role.LEADER, federation=federation, is_active=True)
        rows = selectors.rate_rows(leader)
        quarters = selectors.available_quarters(federation, rows)
        entry = {"street": federation.name, "quarter": None, "shown": [], "recomputed": {}}
        if quarters:
            quarter = quarters[-1]
            entry["quarter"] = str(quarter)
            entry["shown"] = [
                _scope(s) for s in selectors.scopes_for(leader, federation, quarter, rows)
            ]
            entry["recomputed"] = _recomputed(federation, quarter)
        found[str(federation.pk)] = entry
    return _plain(found)


def inventory() -> dict:
    return {"counts": table_counts(), "figures": dashboard_figures()}


def _pg_env(db: dict) -> dict:
    env = {**os.environ}
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[name] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _database_url(db: dict, name: str) -> str:
    auth = ""
    if db.get("USER"):
        auth = quote(str(db["USER"]), safe="")
        if db.get("PASSWORD"):
            auth += ":" + quote(str(db["PASSWORD"]), safe="")
        auth += "@"
    host = db.get("HOST") or ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    options = {k: v for k, v in (db.get("OPTIONS") or {}).items() if isinstance(v, (str, int))}
    query = f"?{urlencode(options)}" if options else ""
    return f"postgres://{auth}{quote(host, safe='')}{port}/{quote(name, safe='')}{query}"


def _run(argv: list[str], env: dict, what: str) -> float:
    started = time.monotonic()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise DrillError(
            _("%(what)s failed: %(detail)s")
            % {"what": what, "detail": detail[-1] if detail else done.returncode}
        )
    return time.monotonic() - started


class Scratch:
    """The scratch database, made and dropped through the maintenance
    database with the live database's credentials."""

    def __init__(self, db: dict):
        self.db = db
        suffix = f"_drill_{secrets.token_hex(4)}"
        self.name = f"{db['NAME'][: 63 - len(suffix)]}{suffix}"
        self.created = False

    def _execute(self, sql: str) -> None:
        params = {"dbname": "postgres"}
        for key, name in (("HOST", "host"), ("PORT", "port"), ("USER", "user")):
            if self.db.get(key):
                params[name] = str(self.db[key])
        if self.db.get("PASSWORD"):
            params["password"] = str(self.db["PASSWORD"])
        with psycopg.connect(**params, autocommit=True, connect_timeout=10) as maintenance:
            maintenance.execute(sql)

    def create(self) -> None:
        try:
            self._execute(f'CREATE DATABASE "{self.name}" TEMPLATE template0')
        except Exception as error:  # no CREATEDB right, server gone: cannot run
            raise DrillError(
                _("Could not create the scratch database %(name)s: %(error)s")
                % {"name": self.name, "error": str(error).strip()}
            ) from None
        self.created = True

    def drop(self) -> None:
        if self.created:
            self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.created = False


def _differences(live: dict, restored: dict) -> tuple[list[dict], list[dict]]:
    counts = [
        {
            "table": table,
            "live": live["counts"].get(table),
            "restored": restored["counts"].get(table),
        }
        for table in sorted(set(live["counts"]) | set(restored["counts"]))
        if live["counts"].get(table) != restored["counts"].get(table)
    ]
    figures = []
    for key in sorted(set(live["figures"]) | set(restored["figures"])):
        mine, theirs = live["figures"].get(key) or {}, restored["figures"].get(key) or {}
        parts = [p for p in ("quarter", "shown", "recomputed") if mine.get(p) != theirs.get(p)]
        if parts:
            figures.append({"street": mine.get("street") or theirs.get("street"), "parts": parts})
    return counts, figures


class Command(BaseCommand):
    help = (
        "Backup drill: pg_dump -Fc the database, restore it into a scratch database, "
        "compare every table's rows and the dashboard's figures, report the times."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument(
            "--keep", action="store_true", help="keep the scratch database and the dump"
        )
        # Internal: print this database's counts and figures (the restored
        # side is read by a subprocess pointed at the scratch database).
        parser.add_argument("--inventory", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["inventory"]:
            self.stdout.write(json.dumps(inventory(), ensure_ascii=False))
            return
        try:
            report = self.drill(keep=options["keep"])
        except DrillError as error:
            self.fail(str(error), options)
        except Exception as error:  # whatever else stopped it: a sentence, not a traceback
            self.fail(
                _("The restore drill stopped: %(error)s") % {"error": str(error).strip()}, options
            )
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            self.write_report(report)
        if not report["ok"]:
            sys.exit(1)

    def fail(self, message: str, options) -> None:
        if options.get("json"):
            self.stdout.write(json.dumps({"ok": False, "error": message}, ensure_ascii=False))
        else:
            self.stderr.write(message)
        sys.exit(2)

    def drill(self, *, keep: bool) -> dict:
        if connection.vendor != "postgresql":
            raise DrillError(
                _(
                    "The restore drill runs on PostgreSQL only (pg_dump and pg_restore); "
                    "this database is %(vendor)s."
                )
                % {"vendor": connection.display_name}
            )
        for tool in ("pg_dump", "pg_restore"):
            if not shutil.which(tool):
                raise DrillError(
                    _("%(tool)s was not found: install the PostgreSQL client.") % {"tool": tool}
                )
        db = connection.settings_dict
        env = _pg_env(db)
        scratch = Scratch(db)
        folder = Path(tempfile.mkdtemp(prefix="restore-drill-"))
        dump = folder / f"{db['NAME']}.dump"
        started = time.monotonic()
        try:
            live, dump_seconds = self._dump(db, env, dump)
            size = dump.stat().st_size
            scratch.create()
            restore_seconds = _run(
                ["pg_restore", "--exit-on-error", "--no-owner", "-d", scratch.name, str(dump)],
                env,
                "pg_restore",
            )
            check_started = time.monotonic()
            restored = self._inventory_of(db, scratch.name)
            check_seconds = time.monotonic() - check_started
        finally:
            if not keep:
                scratch.drop()
                shutil.rmtree(folder, ignore_errors=True)
        counts, figures = _differences(live, restored)
        return {
            "ok": not counts and not figures,
            "database": db["NAME"],
            "scratch_database": scratch.name,
            "kept": keep,
            "dump_path": str(dump) if keep else None,
            "dump_bytes": size,
            "dump_seconds": round(dump_seconds, 2),
            "restore_seconds": round(restore_seconds, 2),
            "check_seconds": round(check_seconds, 2),
            "total_seconds": round(time.monotonic() - started, 2),
            "tables": len(live["counts"]),
            "rows": sum(live["counts"].values()),
            "counts_equal": not counts,
            "count_differences": counts,
            "figures_equal": not figures,
            "figure_differences": figures,
            "quarters": {f["street"]: f["quarter"] for f in live["figures"].values()},
        }

    def _dump(self, db: dict, env: dict, dump: Path) -> tuple[dict, float]:
        """Dump the database and read its counts and figures in the dump's
        own snapshot, so that work going on meanwhile changes neither."""
        argv = ["pg_dump", "-Fc", "-f", str(dump), "-d", db["NAME"]]
        if connection.in_atomic_block:  # called inside a transaction: no snapshot of our own
            seconds = _run(argv, env, "pg_dump")
            live = inventory()
        else:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    cursor.execute("SELECT pg_export_snapshot()")
                    snapshot = cursor.fetchone()[0]
                seconds = _run([*argv, f"--snapshot={snapshot}"], env, "pg_dump")
                live = inventory()
        return live, seconds

    def _inventory_of(self, db: dict, name: str) -> dict:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(db, name),
            "DJANGO_SETTINGS_MODULE": os.environ.get(
                "DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE
            ),
        }
        done = subprocess.run(
            [
                sys.executable,
                str(Path(settings.BASE_DIR) / "manage.py"),
                "restore_drill",
                "--inventory",
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            detail = done.stderr.strip().splitlines()
            raise DrillError(
                _("Could not read the restored database: %(detail)s")
                % {"detail": detail[-1] if detail else done.returncode}
            )
        return json.loads(done.stdout)

    def write_report(self, report: dict) -> None:
        mib = report["dump_bytes"] / 1024 / 1024
        self.stdout.write(
            _(
                "Dump %(seconds).1f s (%(size).1f MB), restore into %(scratch)s %(restore).1f s, "
                "comparison %(check).1f s."
            )
            % {
                "seconds": report["dump_seconds"],
                "size": mib,
                "scratch": report["scratch_database"],
                "restore": report["restore_seconds"],
                "check": report["check_seconds"],
            }
        )
        if report["counts_equal"]:
            self.stdout.write(
                _("Row counts: all %(tables)d tables equal (%(rows)d rows).")
                % {"tables": report["tables"], "rows": report["rows"]}
            )
        else:
            for diff in report["count_differences"]:
                self.stdout.write(
                    _("Row counts differ in %(table)s: %(live)s live, %(restored)s restored.")
                    % diff
                )
        quarters = "、".join(f"{s} {q or '—'}" for s, q in report["quarters"].items())
        if report["figures_equal"]:
            self.stdout.write(_("Dashboard figures equal (%(quarters)s).") % {"quarters": quarters})
        else:
            for diff in report["figure_differences"]:
                self.stdout.write(
                    _("Dashboard figures differ for %(street)s: %(parts)s.")
                    % {"street": diff["street"], "parts": ", ".join(diff["parts"])}
                )
        if report["kept"]:
            self.stdout.write(
                _("Kept: the scratch database %(scratch)s and the dump %(dump)s.")
                % {"scratch": report["scratch_database"], "dump": report["dump_path"]}
            )
        self.stdout.write(
            _("The restored copy matches.") if report["ok"] else _("The restored copy differs.")
        )

"""The backup drill (`manage.py restore_drill`, issue 16): dump with
pg_dump -Fc, restore into a scratch database, compare every table's rows and
the dashboard's figures; the scratch database never outlives the drill."""

import datetime
import io
import json
import shutil
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from chunshu_union.quarters import Quarter
from dashboard.management.commands import restore_drill
from dashboard.services import quarter_figures_compute
from dues.services import snapshots_recompute
from tests.dues.helpers import declare
from tests.factories import EnterpriseFactory, MembershipFactory, street

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump and pg_restore need PostgreSQL"
)


def _drill(*args) -> tuple[int, dict]:
    out = io.StringIO()
    try:
        call_command("restore_drill", "--json", *args, stdout=out)
        status = 0
    except SystemExit as exit:
        status = exit.code
    return status, json.loads(out.getvalue())


def _scratch_databases() -> set[str]:
    db = connection.settings_dict
    params = {k.lower(): str(db[k]) for k in ("HOST", "PORT", "USER", "PASSWORD") if db.get(k)}
    with psycopg.connect(dbname="postgres", **params) as maintenance:
        rows = maintenance.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{db['NAME']}_drill_%"]
        ).fetchall()
    return {name for (name,) in rows}


@pytest.fixture
def street_with_figures(community1, community2):
    enterprise = EnterpriseFactory(community=community1)
    MembershipFactory(enterprise=enterprise, joined_on=datetime.date(2016, 1, 1))
    EnterpriseFactory(community=community2)
    declare(enterprise, "2017Q2")
    snapshots_recompute(quarter=Quarter(2017, 2), today=datetime.date(2017, 12, 1))
    quarter_figures_compute(federation=street(), quarter=Quarter(2017, 2))


def _drop(name: str) -> None:
    scratch = restore_drill.Scratch(connection.settings_dict)
    scratch.name, scratch.created = name, True
    scratch.drop()


@on_postgresql
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_restored_copy_has_the_same_rows_and_the_same_dashboard(street_with_figures):
    status, report = _drill("--keep")
    try:
        assert status == 0, report
        assert report["ok"] and report["counts_equal"] and report["figures_equal"]
        assert report["count_differences"] == [] and report["figure_differences"] == []
        assert report["quarters"] == {street().name: "2017Q2"}
        assert report["rows"] > 0 and report["dump_bytes"] > 0
        assert report["dump_seconds"] >= 0 and report["restore_seconds"] > 0
        assert {"accounts_user", "auth_group", "members_member", "dashboard_quarterfigures"} <= set(
            restore_drill.table_counts()
        )
        # --keep: the scratch database is there for a look, and the dump too
        assert report["kept"] and _scratch_databases() == {report["scratch_database"]}
        assert Path(report["dump_path"]).stat().st_size == report["dump_bytes"]
    finally:
        if report.get("scratch_database"):
            _drop(report["scratch_database"])
        if report.get("dump_path"):
            shutil.rmtree(Path(report["dump_path"]).parent, ignore_errors=True)
    assert _scratch_databases() == set()


@on_postgresql
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_difference_is_reported_with_exit_1(street_with_figures, monkeypatch):
    """The live side as it would look had a row been lost from the backup."""
    real = restore_drill.inventory

    def one_more_member():
        found = real()
        found["counts"]["members_member"] += 1
        found["figures"][str(street().pk)]["shown"][0]["declared"] += 1
        return found

    monkeypatch.setattr(restore_drill, "inventory", one_more_member)
    status, report = _drill()
    assert status == 1
    assert not report["ok"]
    assert [d["table"] for d in report["count_differences"]] == ["members_member"]
    assert report["figure_differences"] == [{"street": street().name, "parts": ["shown"]}]
    assert _scratch_databases() == set()


@on_postgresql
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_scratch_database_is_dropped_when_the_drill_fails(street_with_figures, monkeypatch):
    def broken(self, db, name):
        assert _scratch_databases() == {name}
        raise RuntimeError("boom")

    monkeypatch.setattr(restore_drill.Command, "_inventory_of", broken)
    status, report = _drill()
    # a sentence (exit 2), never a traceback
    assert status == 2 and not report["ok"] and report["error"].endswith("boom")
    assert _scratch_databases() == set()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal is for SQLite")
def test_on_sqlite_the_drill_refuses_in_chinese_with_exit_2(db):
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("restore_drill", stderr=err)
    assert exit.value.code == 2
    assert "恢复演练只能在 PostgreSQL 上进行" in err.getvalue()
    assert "SQLite" in err.getvalue()


def test_the_comparison_names_each_table_and_street_that_differs():
    live = {"counts": {"a": 1, "b": 2}, "figures": {"1": {"street": "S", "quarter": "2017Q3"}}}
    same = json.loads(json.dumps(live))
    assert restore_drill._differences(live, same) == ([], [])
    other = {"counts": {"a": 1, "c": 2}, "figures": {"1": {"street": "S", "quarter": "2017Q2"}}}
    counts, figures = restore_drill._differences(live, other)
    assert counts == [
        {"table": "b", "live": 2, "restored": None},
        {"table": "c", "live": None, "restored": 2},
    ]
    assert figures == [{"street": "S", "parts": ["quarter"]}]

"""A small run of bench/dashboard.py, so the benchmark keeps working: it
needs PostgreSQL (skipped where none answers)."""

import json

import pytest

from tests.bench_runs import run_bench

pytestmark = pytest.mark.slow  # a subprocess run of the benchmark

URL = "postgres://postgres@127.0.0.1:5432/dashboard_bench_smoke"


def _postgres_answers() -> bool:
    try:
        import psycopg

        psycopg.connect(URL.rsplit("/", 1)[0] + "/postgres", connect_timeout=2).close()
    except Exception:  # any failure means: no server to use
        return False
    return True


@pytest.mark.skipif(not _postgres_answers(), reason="needs PostgreSQL on 127.0.0.1:5432")
def test_benchmark_smoke_run(tmp_path):
    out = tmp_path / "dashboard.json"
    run_bench(
        "dashboard.py",
        "--sizes",
        "200,600",
        "--requests",
        "5",
        "--url",
        URL,
        "--out",
        str(out),
        "--drop",
    )
    report = json.loads(out.read_text())
    assert [run["generate"]["members"] for run in report["runs"]] == [200, 600]
    page = report["runs"][-1]["pages"]["dashboard /dashboard/?quarter=2017Q3"]
    assert page["queries"] <= 9 and page["median_ms"] > 0

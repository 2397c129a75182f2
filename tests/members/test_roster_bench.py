"""A smoke run of the roster benchmark (bench/roster.py): it runs end to
end on a small file and reports every figure the full run reports. Timings
are not asserted here; the full run is on demand (docs/PERFORMANCE.md)."""

import json

import pytest

from tests.bench_runs import run_bench

pytestmark = pytest.mark.slow  # a subprocess run of the benchmark


def test_benchmark_smoke_run(tmp_path):
    done = run_bench(
        "roster.py", "--sizes", "300", "--db", "sqlite", ROSTER_BENCH_DIR=str(tmp_path)
    )
    results = json.loads(done.stdout.strip().splitlines()[-1])
    (row,) = results["rows"]
    assert row["size"] == 300 and row["db"] == "sqlite"
    for key in ("import_s", "reimport_s", "openpyxl_s", "peak_mb", "vs_openpyxl", "iex_s"):
        assert row[key] > 0
    assert "| sqlite | 300 |" in done.stdout

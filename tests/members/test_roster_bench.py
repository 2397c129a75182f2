"""A smoke run of the roster benchmark (bench/roster.py): it runs end to
end on a small file and reports every figure the full run reports. Timings
are not asserted here; the full run is on demand (docs/PERFORMANCE.md)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a subprocess run of the benchmark

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_smoke_run(tmp_path):
    env = {**os.environ, "ROSTER_BENCH_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "roster.py"), "--sizes", "300", "--db", "sqlite"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    (row,) = results["rows"]
    assert row["size"] == 300 and row["db"] == "sqlite"
    for key in ("import_s", "reimport_s", "openpyxl_s", "peak_mb", "vs_openpyxl", "iex_s"):
        assert row[key] > 0
    assert "| sqlite | 300 |" in done.stdout

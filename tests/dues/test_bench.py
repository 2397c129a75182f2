"""A smoke run of bench/dues.py's measurements on a tiny street, so the
benchmark cannot rot unnoticed (the real run is PostgreSQL-sized)."""

import importlib.util
from pathlib import Path

from tests.factories import EnterpriseFactory

from .helpers import declare


def _bench():
    path = Path(__file__).resolve().parents[2] / "bench" / "dues.py"
    spec = importlib.util.spec_from_file_location("bench_dues", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_measures_every_step_and_reports_the_computed_figures(db, capsys):
    paying, silent, _gone = EnterpriseFactory.create_batch(3)
    for q in ("2017Q2", "2017Q3"):
        declare(paying, q)
    declare(silent, "2017Q1")
    results = _bench().measure()
    assert results["figures"] == {
        "quarter": "2017Q3",
        "declared": 1,
        "obligated": 3,
        "rate": "33.33",
        "zombies_flagged": 2,
    }
    for step in ("recompute one quarter (first)", "recompute all quarters", "flag zombies (first)"):
        assert results[step]["seconds"] >= 0 and "ratio_to_baseline" in results[step]
    assert "peak_mb" in results["recompute all quarters"]

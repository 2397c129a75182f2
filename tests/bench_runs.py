"""Running a benchmark script from the tests (the smoke runs marked slow)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_bench(script: str, *args: str, **environ: str) -> subprocess.CompletedProcess:
    """bench/`script` with `args`, as a subprocess of this Python, with the
    project on PYTHONPATH, no DATABASE_URL of the test run, and `environ`;
    its output captured as text. Fails the test unless it exits 0."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **environ}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done

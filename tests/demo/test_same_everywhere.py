"""The demo street is the same on every machine and in every run: its
figures are quoted in the README and the docs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # two fresh Django processes

ROOT = Path(__file__).resolve().parents[2]
DRAW_ID_NUMBERS = """
import django, random
django.setup()
from demo.members import _id_numbers
print(_id_numbers(random.Random(2018), 300))
"""


def id_numbers_drawn_with_hash_seed(seed: str) -> str:
    env = {
        **os.environ,
        "PYTHONHASHSEED": seed,
        "DJANGO_SETTINGS_MODULE": "chunshu_union.settings.test",
    }
    run = subprocess.run(
        [sys.executable, "-c", DRAW_ID_NUMBERS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return run.stdout


def test_the_members_id_numbers_do_not_depend_on_the_processs_hash_seed():
    """They came out of a set in its (per-process) order and were then
    shuffled: each run gave the members other birth dates and sexes, and the
    dashboard another Women's Day attendance per community."""
    assert id_numbers_drawn_with_hash_seed("1") == id_numbers_drawn_with_hash_seed("2")

"""Pausing Python's cyclic garbage collector during a bulk import.

An import builds hundreds of thousands of small objects (cells, rows, dicts)
that stay alive until it ends and form no reference cycles. Each of them
counts towards the collector's thresholds, so it runs again and again,
walking every live object each time it reaches the oldest generation, and
frees nothing. Reference counting still frees everything as usual; the
collector resumes when the import is done.
"""

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

"""Waiting for a real worker (the tests marked live_celery)."""

import time


def wait_for(condition, seconds=60) -> bool:
    """Whether `condition()` came true within `seconds`, asking twice a second."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False

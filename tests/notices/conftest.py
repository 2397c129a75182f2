import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.joining.conftest import sms_file  # noqa: F401  (the same SMS file fixture)

BEIJING = ZoneInfo("Asia/Shanghai")


def at(hour: int, minute: int = 0, day: int = 1):
    """A moment of 2026-12-`day` in Beijing, the clock ticking."""
    return time_machine.travel(
        datetime.datetime(2026, 12, day, hour, minute, tzinfo=BEIJING), tick=True
    )


@pytest.fixture
def morning():
    with at(10):
        yield

"""Surveys run in the week of the 2017 building publicity week (time frozen
inside their window); the cache is cleared so rate limits start at zero."""

import datetime

import pytest
import time_machine
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _during_the_week():
    with time_machine.travel(datetime.datetime(2017, 6, 14, 10, 0), tick=False):
        yield


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()

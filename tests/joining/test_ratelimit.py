"""chunshu_union.ratelimit: the public forms' limiter (join form, surveys)."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.test import override_settings

from chunshu_union import ratelimit


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_key_is_refused_past_its_limit_and_others_are_not():
    verdicts = [ratelimit.hit("t", "1.2.3.4", limit=3, window=60) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert verdicts[-1].retry_after >= 1
    assert ratelimit.hit("t", "5.6.7.8", limit=3, window=60).allowed
    assert ratelimit.hit("other", "1.2.3.4", limit=3, window=60).allowed


def test_the_count_starts_again_in_the_next_window():
    with mock.patch("chunshu_union.ratelimit.time.time", return_value=1000.0):
        for _ in range(3):
            ratelimit.hit("t", "k", limit=2, window=60)
        assert not ratelimit.peek("t", "k", limit=2, window=60).allowed
    with mock.patch("chunshu_union.ratelimit.time.time", return_value=1100.0):
        assert ratelimit.hit("t", "k", limit=2, window=60).allowed


def test_an_unreachable_cache_lets_people_through_instead_of_failing():
    with mock.patch.object(ratelimit.cache, "add", side_effect=ConnectionError("down")):
        verdict = ratelimit.hit("t", "k", limit=0, window=60)
    assert verdict.allowed


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_the_key_is_not_readable_in_the_cache():
    # A local-memory cache of its own, whose keys can be listed (Redis's in CI too).
    ratelimit.hit("t", "110101199003070011", limit=3, window=60)
    keys = list(cache._cache.keys())
    assert keys and not any("110101199003070011" in k for k in keys)

"""Rate limits for public pages (the join form, surveys): a fixed window per
key, counted in the cache.

Why our own and not django-ratelimit (which is on the package list): its
decorator counts before the view has read the form, so it cannot count per
ID number digest (a key known only after the form is read), and it fails
open or closed by one global setting. Here a caller names each bucket and
key (`hit("join-ip", address, limit=20, window=3600)`), and a cache that is
unreachable degrades as chunshu_union/cache.py does: the count is skipped
and logged, a visitor is never refused (nor shown a 500) because Redis is
down; the request size limit and the form's own checks still hold.

Keys are hashed before they reach the cache: an address or an ID digest is
never a readable cache key.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache

from .middleware import client_address

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window ends


def _cache_key(bucket: str, key: str, window: int, now: float) -> tuple[str, int]:
    start = int(now // window) * window
    hashed = hashlib.sha256(f"{bucket}:{key}".encode()).hexdigest()[:32]
    return f"rl:{bucket}:{hashed}:{start}", start + window


def hit(bucket: str, key: str, *, limit: int, window: int) -> Verdict:
    """Count one attempt of `key` in `bucket`; allowed while the count in the
    current window is at most `limit`."""
    now = time.time()
    cache_key, ends = _cache_key(bucket, key, window, now)
    retry_after = max(1, int(ends - now))
    try:
        cache.add(cache_key, 0, timeout=window + 1)
        count = cache.incr(cache_key)
    except ValueError:  # the key expired between add and incr
        count = 1
        _try_set(cache_key, count, window)
    except Exception as error:  # the backend's own connection errors vary
        logger.warning("cache unreachable, rate limit %s not counted: %s", bucket, error)
        return Verdict(True, 0, limit, 0)
    return Verdict(count <= limit, count, limit, retry_after)


def peek(bucket: str, key: str, *, limit: int, window: int) -> Verdict:
    """The current count without adding to it."""
    now = time.time()
    cache_key, ends = _cache_key(bucket, key, window, now)
    try:
        count = cache.get(cache_key, 0)
    except Exception as error:
        logger.warning("cache unreachable, rate limit %s not read: %s", bucket, error)
        return Verdict(True, 0, limit, 0)
    return Verdict(count < limit, count, limit, max(1, int(ends - now)))


def _try_set(cache_key: str, value: int, window: int) -> None:
    try:
        cache.set(cache_key, value, timeout=window + 1)
    except Exception as error:
        logger.warning("cache unreachable, %s not kept: %s", cache_key, error)


def address_of(request) -> str:
    """The client's address as the sign-in lockout reads it (behind
    TRUSTED_PROXY_COUNT proxies, from X-Forwarded-For)."""
    return client_address(request) or "unknown"

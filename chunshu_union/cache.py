"""The cache, where losing it costs only speed: when Redis is unreachable a
read misses and a write is skipped (and logged), so a page is slower, never
a 500."""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def cached(key: str, default=None):
    try:
        return cache.get(key, default)
    except Exception as error:  # the backend's own connection errors vary
        logger.warning("cache unreachable, %s read as missing: %s", key, error)
        return default


def remember(key: str, value, timeout: int = 3600) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception as error:
        logger.warning("cache unreachable, %s not kept: %s", key, error)

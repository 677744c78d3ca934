"""The process-wide cache of the seed's get_cache() and configure_cache()."""

from __future__ import annotations

import threading

from .cache import IntermediateCache
from .config import CacheConfig

_lock = threading.Lock()
_cache: IntermediateCache | None = None


def get_cache() -> IntermediateCache:
    """The process-wide cache, opened with the default CacheConfig on first use."""
    global _cache
    with _lock:
        if _cache is None or _cache.closed:
            _cache = IntermediateCache()
        return _cache


def configure_cache(config: CacheConfig) -> None:
    """Replaces the process-wide cache by one opened with config, closing the previous one.

    The new cache is opened first, so a bad config leaves the previous one in place.
    Arrays got from the previous cache stay valid.
    """
    global _cache
    replacement = IntermediateCache(config)
    with _lock:
        previous, _cache = _cache, replacement
    if previous is not None:
        previous.close()

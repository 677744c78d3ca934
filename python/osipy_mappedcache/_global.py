"""The process-wide cache of the seed's get_cache() and configure_cache()."""

from __future__ import annotations

import os
import threading

from .cache import IntermediateCache
from .config import CacheConfig

_lock = threading.Lock()
_cache: IntermediateCache | None = None


def _forget_in_child() -> None:
    # A forked child does not inherit the process-wide cache: its first get_cache() opens the
    # child's own session (the parent's stays the parent's).  The lock may have been held by
    # another thread of the parent at fork time, so the child gets a fresh one.
    global _cache, _lock
    _lock = threading.Lock()
    _cache = None


os.register_at_fork(after_in_child=_forget_in_child)


def get_cache() -> IntermediateCache:
    """The process-wide cache, opened with the default CacheConfig on first use in each process
    (a forked worker opens its own)."""
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

"""The process-wide cache of the seed's get_cache() and configure_cache()."""

from __future__ import annotations

import os
import threading

from .cache import IntermediateCache
from .config import CacheConfig

_lock = threading.Lock()
_cache: IntermediateCache | None = None
# What configure_cache() was last given: a forked worker's get_cache() opens its own session with
# it, as osipy's workers see the parent's configured cache (None: the default CacheConfig).
_config: CacheConfig | None = None


def _forget_in_child() -> None:
    # A forked child does not inherit the process-wide session: its first get_cache() opens the
    # child's own (the parent's stays the parent's), on the parent's configuration.  The lock may
    # have been held by another thread of the parent at fork time, so the child gets a fresh one.
    global _cache, _lock
    _lock = threading.Lock()
    _cache = None


os.register_at_fork(after_in_child=_forget_in_child)


def get_cache() -> IntermediateCache:
    """The process-wide cache, opened on first use in each process with the configuration last
    given to configure_cache() (the default CacheConfig if none).  A worker forked after
    configure_cache() opens its own session with the parent's configuration."""
    global _cache
    with _lock:
        if _cache is None or _cache.closed:
            _cache = IntermediateCache(_config)
        return _cache


def configure_cache(config: CacheConfig) -> None:
    """Replaces the process-wide cache by one opened with config, closing the previous one.

    The new cache is opened first, so a bad config leaves the previous one in place.
    Arrays got from the previous cache stay valid.
    """
    global _cache, _config
    replacement = IntermediateCache(config)
    with _lock:
        previous, _cache, _config = _cache, replacement, config
    if previous is not None:
        previous.close()

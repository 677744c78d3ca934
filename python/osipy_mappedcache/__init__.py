"""osipy_mappedcache: osipy's intermediate-result cache over memory-mapped, zero-copy segments.

A drop-in for ``osipy.common.caching``: change the import, keep the code.

    from osipy_mappedcache import CacheConfig, IntermediateCache, RetentionPolicy

Needs the native library libosipy_mappedcache.so (see python/README.md for where it is looked
for).  It is loaded when the first cache is opened, not at import.
"""

from ._device import DeviceUnavailableError
from ._errors import CacheClosedError, CacheForkedError
from ._global import configure_cache, get_cache
from .cache import IntermediateCache
from .config import CacheConfig, RetentionPolicy

__all__ = [
    "CacheClosedError",
    "CacheForkedError",
    "CacheConfig",
    "DeviceUnavailableError",
    "IntermediateCache",
    "RetentionPolicy",
    "configure_cache",
    "get_cache",
]

"""The Python package's put of one float32 array under one key, repeated; prints the median (the peer of np_save_loop.py).

Usage: OSIPY_MAPPEDCACHE_LIBRARY=.../libosipy_mappedcache.so /usr/bin/python3 python_put_loop.py BYTES REPETITIONS DIR
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from osipy_mappedcache import CacheConfig, IntermediateCache, RetentionPolicy  # noqa: E402

size, repetitions, directory = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
array = (np.arange(size // 4) % 1000 * 0.5).astype(np.float32)
cache = IntermediateCache(CacheConfig(cache_dir=directory, max_memory_mb=16384, max_age_seconds=0,
                                      policies={"series": RetentionPolicy.CACHED}))
times = []
for repetition in range(repetitions + 1):  # the first is a warm-up
    started = time.perf_counter()
    cache.put("series", "put", array)
    if repetition:
        times.append((time.perf_counter() - started) * 1e3)
times.sort()
print(f"python put bytes={size} ms={times[len(times) // 2]:.3f}")

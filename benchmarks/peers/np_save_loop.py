"""np.save of one float32 array over the same file, repeated; prints the median (the peer of PutDriver).

Usage: /usr/bin/python3 np_save_loop.py BYTES REPETITIONS DIR
"""
import os
import sys
import time

import numpy as np

size, repetitions, directory = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
array = (np.arange(size // 4) % 1000 * 0.5).astype(np.float32)
path = os.path.join(directory, "series.npy")
times = []
for repetition in range(repetitions + 1):  # the first is a warm-up: it creates the file
    started = time.perf_counter()
    np.save(path, array)
    if repetition:
        times.append((time.perf_counter() - started) * 1e3)
times.sort()
print(f"np.save bytes={size} ms={times[len(times) // 2]:.3f}")

"""Open time of a PERSISTENT array from a new Python process: osipy_mappedcache's get against
numpy.load(mmap_mode='r') of the same .npy segment. Each repetition is a fresh process.

Set-up: apt-get install python3-numpy; dotnet publish src/Osipy.MappedCache.Native -r linux-x64 -c Release
Usage (from the repository root):
    /usr/bin/python3 benchmarks/peers/python_get_vs_numpy_load.py CACHE_DIR RESULT_TYPE KEY [REPETITIONS]
The entry must exist (PERSISTENT); the script prints medians in milliseconds.
"""
import json
import os
import statistics
import subprocess
import sys

CHILD = r"""
import json, os, sys, time
sys.path.insert(0, os.path.join(os.getcwd(), "python"))
import numpy as np
mode, cache_dir, result_type, key = sys.argv[1:5]
def anon_kb():
    return int(dict(l.split(":", 1) for l in open("/proc/self/status"))["RssAnon"].split()[0])
if mode == "cache":
    t0 = time.perf_counter()
    import osipy_mappedcache as oc
    cache = oc.IntermediateCache(oc.CacheConfig(cache_dir=cache_dir, default_policy=oc.RetentionPolicy.PERSISTENT))
    t1 = time.perf_counter()
    a0 = anon_kb()
    array = cache.get(result_type, key)
    t2 = time.perf_counter()
    path = None
else:
    path = cache_dir
    t0 = t1 = time.perf_counter()
    a0 = anon_kb()
    array = np.load(path, mmap_mode="r")
    t2 = time.perf_counter()
_ = float(array[-1].sum())  # usable: touch the last row
print(json.dumps({"setup_ms": (t1 - t0) * 1e3, "open_ms": (t2 - t1) * 1e3, "anon_kb": anon_kb() - a0, "nbytes": int(array.nbytes)}))
"""


def run(*args):
    out = subprocess.run([sys.executable, "-c", CHILD, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main():
    cache_dir, result_type, key = sys.argv[1:4]
    repetitions = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    cached = [run("cache", cache_dir, result_type, key) for _ in range(repetitions)]
    path = next(
        os.path.join(root, name)
        for root, _, names in os.walk(cache_dir)
        for name in names
        if name.endswith(".npy") and os.path.basename(root).startswith(result_type[:32])
    )
    loaded = [run("numpy", path, result_type, key) for _ in range(repetitions)]
    median = lambda rows, field: statistics.median(r[field] for r in rows)
    print(f"array: {cached[0]['nbytes'] / 2**30:.2f} GiB, {repetitions} fresh processes each, page cache warm")
    print(f"osipy_mappedcache get:       {median(cached, 'open_ms'):8.3f} ms  (plus {median(cached, 'setup_ms'):.1f} ms to load the library and open the session)")
    print(f"numpy.load(mmap_mode='r'):   {median(loaded, 'open_ms'):8.3f} ms")
    print(f"RssAnon growth: get {median(cached, 'anon_kb'):.0f} KiB, numpy.load {median(loaded, 'anon_kb'):.0f} KiB")


if __name__ == "__main__":
    main()

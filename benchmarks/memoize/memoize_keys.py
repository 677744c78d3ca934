#!/usr/bin/python3
"""What a provenance key costs in Python (issue 21), against what it saves.

Usage, from the repository root, after `dotnet publish src/Osipy.MappedCache.Native -r linux-x64 -c Release`:

    /usr/bin/python3 benchmarks/memoize/memoize_keys.py [--dir DIR] [--big-gb 1.6] [--repeats 200]

Measures, in one run and one process (medians; the page cache warm):

1. the key of a call whose input is a BIG cached 4D series (default 1.6 GB, float32), got from the
   cache: built from the entry's stored checksum, so it must not grow with the series;
2. the same key for the same bytes passed as a plain numpy array (hashed with SHA-256), for scale;
3. typical osipy inputs — a 4D series from the cache (64x64x20x100), an AIF of 100 points and 10
   parameters — the key alone, against the voxel-wise fit it stands for (a log-linear fit of every
   voxel's curve, the fill's own cost);
4. a memoized hit (key + get) against a plain get of the same entry, interleaved, in one session;
5. the same in a new process each time (a pipeline rerun): opening the cache and the memoized call,
   against opening the cache and the plain get (timed inside the child, after its imports).

Prints a table and writes benchmarks/memoize/results/memoize_keys.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))

from osipy_mappedcache import CacheConfig, IntermediateCache, RetentionPolicy  # noqa: E402
from osipy_mappedcache import _provenance  # noqa: E402


def full_key(cache, args, kwargs) -> str:
    """The key derived from scratch (what a call with new arguments pays), not remembered."""
    return _provenance.of_call(voxelwise_fit, args, kwargs, (), None, cache._as_input).key


def median_seconds(action, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def voxelwise_fit(series: np.ndarray, aif: np.ndarray, flip_angle: float, tr: float, r1: float,
                  baseline: int, hematocrit: float, t10: float, te: float, field: float,
                  model: str, weights: str) -> np.ndarray:
    """A stand-in for a voxel-wise fit: a least-squares fit of log-signal against the AIF, per voxel."""
    curves = series.reshape(-1, series.shape[-1]).astype(np.float64)
    design = np.stack([np.ones_like(aif), aif], axis=1)
    solution, *_ = np.linalg.lstsq(design, np.log1p(np.abs(curves)).T, rcond=None)
    return solution[1].reshape(series.shape[:-1]).astype(np.float32)


CHILD = """
import sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
from osipy_mappedcache import CacheConfig, IntermediateCache, RetentionPolicy
sys.path.insert(0, sys.argv[2])
from memoize_keys import voxelwise_fit, PARAMS
start = time.perf_counter()
cache = IntermediateCache(CacheConfig(cache_dir=sys.argv[3], default_policy=RetentionPolicy.PERSISTENT))
aif = np.linspace(0, 5, 100)
if sys.argv[4] == "memoized":
    result = cache.memoize("ktrans", voxelwise_fit)(cache.get("dce", "typical"), aif, **PARAMS)
else:
    series = cache.get("dce", "typical")
    result = cache.get("ktrans", sys.argv[5])
print(time.perf_counter() - start)
"""

PARAMS = dict(flip_angle=15.0, tr=5.0, r1=4.5, baseline=5, hematocrit=0.42, t10=1.4,
              te=1.2, field=3.0, model="tofts", weights="uniform")


def in_new_process(directory: Path, mode: str, key: str) -> float:
    out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT / "python"), str(Path(__file__).parent),
                          str(directory), mode, key], check=True, capture_output=True, text=True).stdout
    return float(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default=None)
    parser.add_argument("--big-gb", type=float, default=1.6)
    parser.add_argument("--repeats", type=int, default=200)
    options = parser.parse_args()
    directory = Path(options.dir or tempfile.mkdtemp(prefix="osipy-memo-bench-"))
    results: dict[str, float] = {}
    params = PARAMS
    try:
        with IntermediateCache(CacheConfig(cache_dir=str(directory),
                                           default_policy=RetentionPolicy.PERSISTENT)) as cache:
            fit = cache.memoize("ktrans", voxelwise_fit)
            aif = np.linspace(0, 5, 100)

            # 1 and 2: a big series.
            elements = int(options.big_gb * 1e9 / 4) // (256 * 256 * 100) * (256 * 256 * 100)
            with cache.create("dce", "big", (256, 256, elements // (256 * 256 * 100), 100), "float32") as out:
                out[...] = 1.0
            big = cache.get("dce", "big")
            results["big_series_bytes"] = big.nbytes
            results["key_big_cached_input_s"] = median_seconds(lambda: full_key(cache, (big, aif), params), options.repeats)
            plain = np.array(big)
            results["key_big_plain_array_s"] = median_seconds(lambda: full_key(cache, (plain, aif), params), 3)
            del plain, big

            # 3: typical inputs, against the fill.
            rng = np.random.default_rng(7)
            cache.put("dce", "typical", rng.random((64, 64, 20, 100), dtype=np.float32))
            series = cache.get("dce", "typical")
            results["key_typical_s"] = median_seconds(lambda: full_key(cache, (series, aif), params), options.repeats)
            fit.key(series, aif, **params)
            results["key_typical_remembered_s"] = median_seconds(lambda: fit.key(series, aif, **params), options.repeats)
            results["fill_typical_s"] = median_seconds(lambda: voxelwise_fit(series, aif, **params), 5)

            # 4: hit against get, interleaved.
            fit(series, aif, **params)
            key = fit.key(series, aif, **params)
            memoized, plain_get = [], []
            for _ in range(options.repeats):
                memoized.append(median_seconds(lambda: fit(series, aif, **params), 1))
                plain_get.append(median_seconds(lambda: cache.get("ktrans", key), 1))
            results["memoized_hit_s"] = statistics.median(memoized)
            results["plain_get_s"] = statistics.median(plain_get)

            # 5: each in a new process (both also get the series: the memoized call's input).
            first_memoized, first_get = [], []
            for _ in range(max(5, options.repeats // 20)):
                first_memoized.append(in_new_process(directory, "memoized", key))
                first_get.append(in_new_process(directory, "get", key))
            results["new_process_memoized_s"] = statistics.median(first_memoized)
            results["new_process_get_s"] = statistics.median(first_get)
    finally:
        shutil.rmtree(directory, ignore_errors=True)

    results["fill_over_key"] = results["fill_typical_s"] / results["key_typical_s"]
    results["hit_over_get"] = results["memoized_hit_s"] / results["plain_get_s"]
    results["new_process_hit_over_get"] = results["new_process_memoized_s"] / results["new_process_get_s"]
    results["machine"] = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    out = Path(__file__).with_name("results")
    out.mkdir(exist_ok=True)
    (out / "memoize_keys.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"key of a {results['big_series_bytes'] / 1e9:.2f} GB cached series: {results['key_big_cached_input_s'] * 1e6:.0f} µs"
          f" (same bytes as a plain array: {results['key_big_plain_array_s']:.2f} s)")
    print(f"typical inputs: key {results['key_typical_s'] * 1e6:.0f} µs (a call seen before in the process:"
          f" {results['key_typical_remembered_s'] * 1e6:.1f} µs), fill {results['fill_typical_s'] * 1e3:.0f} ms"
          f" (fill / key = {results['fill_over_key']:.0f}x)")
    print(f"memoized hit {results['memoized_hit_s'] * 1e6:.1f} µs vs plain get {results['plain_get_s'] * 1e6:.1f} µs"
          f" (ratio {results['hit_over_get']:.2f})")
    print(f"in a new process: open + memoized call {results['new_process_memoized_s'] * 1e6:.0f} µs vs open + get"
          f" {results['new_process_get_s'] * 1e6:.0f} µs (ratio {results['new_process_hit_over_get']:.2f})")


if __name__ == "__main__":
    main()

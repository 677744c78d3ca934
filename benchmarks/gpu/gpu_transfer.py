"""From the cache to the GPU: registered mappings against the pageable path, measured in one run.

Needs a CUDA GPU with CuPy and PyTorch, the Python package (python/) and the native library:

    OSIPY_MAPPEDCACHE_LIBRARY=<path>/libosipy_mappedcache.so python3 benchmarks/gpu/gpu_transfer.py [--gb 1.68] [--out results.json]

Rows (each a 1.68 GB float32 series by default, page cache warm; times are the median of
--repeat runs unless they say "first"):

- pageable: what users do today, cupy.asarray(cache.get(...)) and torch.from_numpy(...).cuda();
- raw registration: cudaHostRegister(mapping, ReadOnly) by hand, then cudaMemcpy (the bound);
- package: cache.get(..., device="cuda") first (registration included) and later, CuPy and torch;
- puts from the GPU: cache.put(type, key, gpu_array) and cache.create(..., device="cuda") against
  cache.put(type, key, cupy.asnumpy(gpu_array)), the pageable way.

Every device result is compared with the host entry on the GPU before its time counts.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))

import cupy  # noqa: E402
import torch  # noqa: E402

import osipy_mappedcache as oc  # noqa: E402
from osipy_mappedcache import _registrations  # noqa: E402

warnings.simplefilter("ignore", UserWarning)  # torch.from_numpy of a read-only view


def timed(action, repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        cupy.cuda.runtime.deviceSynchronize()
        torch.cuda.synchronize()
        start = time.perf_counter()
        result = action()
        cupy.cuda.runtime.deviceSynchronize()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
        del result
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gb", type=float, default=1.68, help="series size in GB (1e9 bytes)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", default=None, help="cache directory (default: a new one under /tmp)")
    parser.add_argument("--out", default=None, help="write the results as JSON here")
    args = parser.parse_args()

    messages: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())
    logging.getLogger("osipy_mappedcache").addHandler(handler)

    frames = max(1, round(args.gb * 1e9 / (256 * 256 * 64 * 4)))
    shape = (256, 256, 64, frames)  # x, y, z, t as a DCE series
    cache_dir = args.dir or tempfile.mkdtemp(prefix="osipy-gpu-", dir="/tmp")
    results: dict = {
        "gpu": torch.cuda.get_device_name(0), "torch": torch.__version__, "cupy": cupy.__version__,
        "kernel": platform.release(), "shape": shape, "dtype": "float32",
        "filesystem": os.popen(f"stat -f -c %T {cache_dir}").read().strip(), "rows": {},
    }
    rows = results["rows"]

    def row(name: str, seconds: float, nbytes: int, detail: list[float] | None = None) -> None:
        rows[name] = {"seconds": seconds, "GB_per_s": nbytes / seconds / 1e9, "all": detail}
        print(f"{name:58s} {seconds * 1000:9.1f} ms {nbytes / seconds / 1e9:7.1f} GB/s", flush=True)

    series = np.random.default_rng(7).random(shape, dtype=np.float32)
    nbytes = series.nbytes
    results["bytes"] = nbytes
    cache = oc.IntermediateCache(oc.CacheConfig(
        cache_dir=cache_dir, default_policy=oc.RetentionPolicy.PERSISTENT, max_memory_mb=64 * 1024))
    try:
        cache.put("dce", "series", series)
        on_gpu = cupy.asarray(series)
        del series
        host = cache.get("dce", "series")
        assert float(host[..., 0].sum()) > 0  # and the page cache is warm after the put

        def check(got) -> None:
            expected = on_gpu if isinstance(got, cupy.ndarray) else torch.as_tensor(on_gpu, device="cuda")
            assert bool((got == expected).all()), "a device get differs from the entry"

        # -- today's path ---------------------------------------------------------------------
        check(cupy.asarray(cache.get("dce", "series")))
        seconds, all_ = timed(lambda: cupy.asarray(cache.get("dce", "series")), args.repeat)
        row("pageable: cupy.asarray(cache.get(...))", seconds, nbytes, all_)
        seconds, all_ = timed(lambda: torch.from_numpy(cache.get("dce", "series")).cuda(), args.repeat)
        row("pageable: torch.from_numpy(cache.get(...)).cuda()", seconds, nbytes, all_)

        # -- the bound: the segment file mapped shared and read-only, registered by hand ---------
        try:
            segment = max(Path(cache_dir).rglob("*.npy"), key=lambda p: p.stat().st_size)
            mapped = np.memmap(segment, mode="r")  # MAP_SHARED, PROT_READ
            address, length = mapped.ctypes.data, mapped.nbytes
            start = time.perf_counter()
            cupy.cuda.runtime.hostRegister(address, length, 0x01 | 0x08)
            row("raw: cudaHostRegister(shared read-only map, ReadOnly)", time.perf_counter() - start, nbytes)
            target = cupy.empty(length, np.uint8)
            seconds, all_ = timed(lambda: cupy.cuda.runtime.memcpy(target.data.ptr, address, length, 1), args.repeat)
            row("raw: cudaMemcpy from it", seconds, length, all_)
            cupy.cuda.runtime.hostUnregister(address)
            del target, mapped
        except Exception as error:  # noqa: BLE001 - the bound is a reference, not the measurement
            print("raw registration skipped:", repr(error), flush=True)

        # -- the package's device gets ----------------------------------------------------------
        start = time.perf_counter()
        first = cache.get("dce", "series", device="cuda")
        cupy.cuda.runtime.deviceSynchronize()
        row("package: first get(device='cuda') (registers)", time.perf_counter() - start, nbytes)
        check(first)
        del first
        seconds, all_ = timed(lambda: cache.get("dce", "series", device="cuda"), args.repeat)
        row("package: later get(device='cuda')", seconds, nbytes, all_)
        check(cache.get("dce", "series", device="cuda", like=torch))
        seconds, all_ = timed(lambda: cache.get("dce", "series", device="cuda", like=torch), args.repeat)
        row("package: later get(device='cuda', like=torch)", seconds, nbytes, all_)
        results["registered_while_open"] = len(_registrations.registered_ranges())

        # -- puts from the GPU ------------------------------------------------------------------
        seconds, all_ = timed(lambda: cache.put("dce", "pageable-put", cupy.asnumpy(on_gpu)), args.repeat)
        row("pageable: put(cupy.asnumpy(gpu_array))", seconds, nbytes, all_)
        seconds, all_ = timed(lambda: cache.put("dce", "gpu-put", on_gpu), args.repeat)
        row("package: put(gpu_array) (CuPy)", seconds, nbytes, all_)
        check(cupy.asarray(cache.get("dce", "gpu-put")))
        as_tensor = torch.as_tensor(on_gpu, device="cuda")
        seconds, all_ = timed(lambda: cache.put("dce", "torch-put", as_tensor), args.repeat)
        row("package: put(torch CUDA tensor)", seconds, nbytes, all_)
        check(cupy.asarray(cache.get("dce", "torch-put")))

        def create() -> None:
            with cache.create("dce", "created", shape, np.float32, device="cuda") as out:
                out[...] = on_gpu
        seconds, all_ = timed(create, args.repeat)
        row("package: create(device='cuda') block, out[...] = gpu_array", seconds, nbytes, all_)
        check(cupy.asarray(cache.get("dce", "created")))

        del host
    finally:
        cache.close()
        results["registered_after_close"] = len(_registrations.registered_ranges())
        results["warnings"] = messages
        shutil.rmtree(cache_dir, ignore_errors=True)
    print("registered after close:", results["registered_after_close"])
    print("warnings:", messages)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

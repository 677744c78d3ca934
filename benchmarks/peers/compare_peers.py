#!/usr/bin/python3
"""Side by side (issue 6): the same synthetic DCE arrays stored and opened by numpy, the seed's
npz cache, joblib.Memory, zarr, and Osipy.MappedCache (its Python package and its C# API).

Set-up (Debian 12, from the repository root):

    apt-get install -y python3-numpy python3-joblib python3-zarr python3-matplotlib
    benchmarks/peers/build_drivers.sh    # the native library, and the C# driver as JIT, ReadyToRun and NativeAOT

Usage:

    /usr/bin/python3 benchmarks/peers/compare_peers.py [--dir DIR] [--repeats N] [--sizes 10MB,126MB,1.68GB]

For every size the script synthesises one float32 series (deterministic), writes it once as a
.npy (the input of the C# driver), and then, per peer, in one directory under DIR:

- store: times one warm-up store (kept apart) and REPEATS stores in this process (the C# driver
  times its own puts), each after removing the previous one (not timed);
- open and full read: REPEATS times, each in a new process (this script with --child, or the
  driver's get): the one-time cost (imports, library, session), the open (until the array is
  usable), the sum of every element, the growth of RssAnon from before the open to after the
  sum, and VmHWM;
- bytes on disk (allocated blocks) of what the store left.

The C# API is stored once (by the JIT build) and read by three builds of the same driver, one
per .NET code-generation mode, because a new process's first get is dominated by it: JIT,
ReadyToRun and NativeAOT (see build_drivers.sh).

The page cache is warm: every file was just written. Medians go to results/peers.json, and two
log-log plots (open and store time against array size) to docs/img/.
"""

import argparse
import glob
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "python"))
DRIVER_BIN = os.path.join(HERE, "CacheDriver", "bin")
# The same driver built three ways (build_drivers.sh); the first also does the puts.
DRIVERS = {
    "JIT": ["dotnet", os.path.join(DRIVER_BIN, "Release", "net10.0", "CacheDriver.dll")],
    "JIT, package": ["dotnet", os.path.join(DRIVER_BIN, "pkg", "CacheDriver.dll")],
    "JIT, package x86-64-v3": ["dotnet", os.path.join(DRIVER_BIN, "pkg-v3", "CacheDriver.dll")],
    "ReadyToRun": [os.path.join(DRIVER_BIN, "r2r", "CacheDriver")],
    "NativeAOT": [os.path.join(DRIVER_BIN, "aot", "CacheDriver")],
}

NO_RAW_COPY = "NativeAOT, node without the raw copy"

SIZES = {
    "10MB": (64, 64, 16, 40),
    "126MB": (128, 128, 32, 60),
    "1.68GB": (256, 256, 64, 100),
}

# The function joblib caches. In the storing process it returns the series just synthesised; a
# reader process has none, so a cache miss there raises KeyError instead of passing unnoticed.
_SERIES = {}


def dce_series(name):
    """The synthetic series called name (what joblib.Memory caches)."""
    return _SERIES[name]


# --- the synthetic data ---------------------------------------------------------------------


def synthesise_dce(shape, seed):
    """A 4D DCE series [x, y, z, t] in float32: exact zeros outside an ellipsoidal body; inside,
    a baseline signal times (1 + an enhancement curve) per voxel, plus Gaussian noise."""
    nx, ny, nz, nt = shape
    rng = np.random.default_rng(seed)
    gx, gy, gz = np.ogrid[-1:1:nx * 1j, -1:1:ny * 1j, -1:1:nz * 1j]
    body = (gx / 0.8) ** 2 + (gy / 0.7) ** 2 + (gz / 0.9) ** 2 <= 1.0
    voxels = int(body.sum())

    minutes = (np.arange(nt, dtype=np.float32) - nt // 6).clip(0) * np.float32(0.05)
    baseline = rng.uniform(80, 120, (voxels, 1)).astype(np.float32)
    peak = rng.uniform(0.2, 1.5, (voxels, 1)).astype(np.float32)
    wash_in = rng.uniform(1.0, 5.0, (voxels, 1)).astype(np.float32)
    wash_out = rng.uniform(0.05, 0.5, (voxels, 1)).astype(np.float32)
    curves = peak * (1 - np.exp(-wash_in * minutes)) * np.exp(-wash_out * minutes)
    signal = baseline * (1 + curves)
    signal += rng.standard_normal((voxels, nt), dtype=np.float32) * np.float32(2.0)

    series = np.zeros(shape, dtype=np.float32)
    series[body] = signal
    return series


# --- small helpers --------------------------------------------------------------------------


def status_kb(name):
    """A "Name:  123 kB" counter of this process from /proc/self/status, in KiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    raise KeyError(name)


def disk_bytes(path):
    """Bytes allocated on disk (st_blocks) under path."""
    total = 0
    for root, _, names in os.walk(path):
        for name in names:
            total += os.lstat(os.path.join(root, name)).st_blocks * 512
    return total


def fresh_dir(path):
    """Removes path and creates it empty."""
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def timed_ms(action):
    """Runs action once; returns the elapsed milliseconds."""
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1e3


# --- the peers: store (in this process) and open (in a --child process) ---------------------
#
# Each peer is a Peer with: store(series, directory, key), timed; remove(directory, key), not
# timed, which undoes the previous store; finish(directory), after the last store; setup(directory,
# key) -> context, the one-time cost in a new process (imports, sessions); and open(context,
# directory, key) -> an array-like that [...] turns into numbers.


class Peer:
    """One way to store and reopen an array."""

    def __init__(self, label, store, setup, open_, remove=None, finish=None):
        self.label = label
        self.store = store
        self.setup = setup
        self.open = open_
        self.remove = remove or empty_directory
        self.finish = finish or (lambda directory: None)


def empty_directory(directory, key):
    """Removes everything the previous store left in directory."""
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)


def no_setup(directory, key):
    """Peers that need nothing but numpy."""
    return None


def npy_path(directory, key):
    return os.path.join(directory, key + ".npy")


def npz_path(directory, key):
    return os.path.join(directory, key + ".npz")


def store_npy(series, directory, key):
    """np.save to a .npy file."""
    np.save(npy_path(directory, key), series)


def open_npy_mmap(context, directory, key):
    """np.load(mmap_mode='r'): the reference for a mapped read."""
    return np.load(npy_path(directory, key), mmap_mode="r")


def open_npy_load(context, directory, key):
    """np.load without mmap: reads the whole file into memory."""
    return np.load(npy_path(directory, key))


def store_npz_compressed(series, directory, key):
    """The seed's cache: np.savez_compressed(path, data=array)."""
    np.savez_compressed(npz_path(directory, key), data=series)


def store_npz(series, directory, key):
    """The seed's cache without compression: np.savez(path, data=array)."""
    np.savez(npz_path(directory, key), data=series)


def open_npz(context, directory, key):
    """The seed's get: np.load(path)['data'] (reads, and inflates if compressed, into memory)."""
    with np.load(npz_path(directory, key)) as archive:
        return archive["data"]


def joblib_memory(directory):
    import joblib
    return joblib.Memory(os.path.join(directory, "joblib"), mmap_mode="r", verbose=0)


def store_joblib(series, directory, key):
    """joblib.Memory(location, mmap_mode='r').cache(f): the first call runs f and dumps its result."""
    _SERIES[key] = series
    joblib_memory(directory).cache(dce_series)(key)


def remove_joblib(directory, key):
    joblib_memory(directory).clear(warn=False)


def setup_joblib(directory, key):
    return joblib_memory(directory).cache(dce_series)


def open_joblib(cached, directory, key):
    """A later call of the cached function in a new process: loads the dumped array with mmap_mode='r'."""
    return cached(key)


def zarr_path(directory, key):
    return os.path.join(directory, key + ".zarr")


def store_zarr(series, directory, key):
    """zarr.save_array: a DirectoryStore with zarr's default chunks and compressor (Blosc lz4, shuffle)."""
    import zarr
    zarr.save_array(zarr_path(directory, key), series)


def setup_zarr(directory, key):
    import zarr
    return zarr


def open_zarr(zarr, directory, key):
    """zarr.open(mode='r'): reads the metadata only; [...] decompresses every chunk."""
    return zarr.open_array(zarr_path(directory, key), mode="r")


def our_cache(directory, compression):
    import osipy_mappedcache as oc
    config = oc.CacheConfig(cache_dir=directory, default_policy=oc.RetentionPolicy.PERSISTENT,
                            max_memory_mb=16_384, compression=compression)
    return oc.IntermediateCache(config)


def ours(compression):
    """osipy_mappedcache: put of a PERSISTENT array, get in a new process (after opening a session)."""
    sessions = {}

    def store(series, directory, key):
        if directory not in sessions:
            sessions[directory] = our_cache(directory, compression)
        sessions[directory].put("dce", key, series)

    def remove(directory, key):
        if directory in sessions:
            sessions[directory].invalidate("dce", key)

    def finish(directory):
        sessions.pop(directory).close()

    def setup(directory, key):
        return our_cache(directory, compression)

    def open_(cache, directory, key):
        return cache.get("dce", key)

    return store, setup, open_, remove, finish


PEERS = {
    "numpy save / load(mmap_mode='r')": Peer("npy_mmap", store_npy, no_setup, open_npy_mmap),
    "numpy save / load": Peer("npy_load", store_npy, no_setup, open_npy_load),
    "npz cache, savez_compressed (seed)": Peer("npz_compressed", store_npz_compressed, no_setup, open_npz),
    "npz cache, savez": Peer("npz", store_npz, no_setup, open_npz),
    "joblib.Memory(mmap_mode='r')": Peer("joblib", store_joblib, setup_joblib, open_joblib, remove_joblib),
    "zarr (Blosc lz4, shuffle)": Peer("zarr", store_zarr, setup_zarr, open_zarr),
    "osipy_mappedcache raw (Python)": Peer("ours_py", *ours(compression=False)),
    "osipy_mappedcache compressed (Python)": Peer("ours_py_compressed", *ours(compression=True)),
}
PEERS_BY_LABEL = {peer.label: peer for peer in PEERS.values()}


def child(label, directory, key):
    """In a new process: set up, open, sum every element; prints one JSON object."""
    peer = PEERS_BY_LABEL[label]
    start = time.perf_counter()
    context = peer.setup(directory, key)
    setup_ms = (time.perf_counter() - start) * 1e3
    anon_before = status_kb("RssAnon")
    start = time.perf_counter()
    array = peer.open(context, directory, key)
    open_ms = (time.perf_counter() - start) * 1e3
    start = time.perf_counter()
    total = float(np.sum(array[...], dtype=np.float64))
    read_ms = (time.perf_counter() - start) * 1e3
    print(json.dumps({"setup_ms": setup_ms, "open_ms": open_ms, "read_ms": read_ms, "sum": total,
                      "anon_growth_kb": status_kb("RssAnon") - anon_before, "hwm_kb": status_kb("VmHWM")}))


# --- measuring ------------------------------------------------------------------------------


def run_json(command):
    """Runs a process that prints one JSON object; returns it with the process's wall time."""
    start = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_ms"] = (time.perf_counter() - start) * 1e3
    return result


def summarise(store_ms, reads, directory, expected_sum):
    """Medians of the stores (the first, a warm-up, is kept apart) and of the fresh-process reads;
    checks every sum."""
    for read in reads:
        if not np.isclose(read["sum"], expected_sum, rtol=1e-9, atol=0):
            raise SystemExit(f"{directory}: sum {read['sum']!r} differs from {expected_sum!r}")
    median = lambda field: statistics.median(read[field] for read in reads)
    return {
        "first_store_ms": store_ms[0], "store_ms": statistics.median(store_ms[1:]), "store_ms_all": store_ms[1:],
        "setup_ms": median("setup_ms"), "open_ms": median("open_ms"), "read_ms": median("read_ms"),
        "process_ms": median("process_ms"), "anon_growth_kb": median("anon_growth_kb"),
        "hwm_kb": median("hwm_kb"), "open_ms_all": [read["open_ms"] for read in reads],
        "disk_bytes": disk_bytes(directory),
    }


def measure_python_peer(peer, series, directory, key, repeats, expected_sum):
    """A warm-up store and REPEATS stores in this process, then REPEATS opens, each in a new process."""
    store_ms = []
    for _ in range(repeats + 1):
        peer.remove(directory, key)
        store_ms.append(timed_ms(lambda: peer.store(series, directory, key)))
    peer.finish(directory)
    # numpy's mapped load again in the storing process, as a pipeline's next step would open it:
    # the reference for our new-session first get in the putting process. For the Python package,
    # a new session each time (untimed) and its first get.
    reopen_ms = None
    if peer.label in ("npy_mmap", "ours_py"):
        reopen_ms = []
        for _ in range(repeats):
            context = peer.setup(directory, key)
            reopen_ms.append(timed_ms(lambda: peer.open(context, directory, key)))
    command = [sys.executable, os.path.abspath(__file__), "--child", peer.label, directory, key]
    reads = [run_json(command) for _ in range(repeats)]
    result = summarise(store_ms, reads, directory, expected_sum)
    if reopen_ms is not None:
        result["same_process_open_ms_all"] = reopen_ms
    return result


def measure_csharp(npy, directory, key, repeats, expected_sum, compress):
    """The C# API through CacheDriver: a warm-up and REPEATS puts by the JIT build, each after a
    RandomAccess.Write of the same bytes, then REPEATS gets by each build, each in a new process.
    The putting process compiles methods with loops straight to optimised code
    (DOTNET_TC_QuickJitForLoops=0), as a long-running pipeline would run them; the reading
    processes keep the runtime's defaults. Returns {build: result}; only the JIT row has stores."""
    flag = ["--compress"] if compress else []
    stored = run_json(["env", "DOTNET_TC_QuickJitForLoops=0", *DRIVERS["JIT"], "put", directory, npy, key,
                       str(repeats + 1), *flag])
    results = {}
    builds = dict(DRIVERS)
    if compress:
        # The putting session published the node's raw copy, so every reader above maps it. A node
        # without one decompresses: this row removes the copy before each of its processes.
        builds[NO_RAW_COPY] = DRIVERS["NativeAOT"]
    for build, command in builds.items():
        reads = []
        for _ in range(repeats):
            if build == NO_RAW_COPY:
                for copy in glob.glob(os.path.join(directory, "**", "*.raw"), recursive=True):
                    os.remove(copy)
            reads.append(run_json([*command, "get", directory, key, *flag]))
        result = summarise(stored["store_ms"], reads, directory, expected_sum)
        result["second_open_ms"] = statistics.median(read["second_open_ms"] for read in reads)
        if build == "JIT":
            result["floor_ms"] = statistics.median(stored["floor_ms"][1:])
            result["floor_ms_all"] = stored["floor_ms"][1:]
            result["new_session_get_ms_all"] = stored["new_session_get_ms"]
            result["new_session_open_ms_all"] = stored["new_session_open_ms"]
        else:
            for field in ("first_store_ms", "store_ms", "store_ms_all"):
                del result[field]
        results[build] = result
    return results


def raw_write_ms(series, directory, repeats):
    """The floor for a store: open(path, 'wb').write(memoryview(series)) to a new file."""
    path = os.path.join(directory, "raw.bin")
    times = []
    for _ in range(repeats + 1):
        if os.path.exists(path):
            os.remove(path)

        def write():
            with open(path, "wb") as file:
                file.write(memoryview(series))

        times.append(timed_ms(write))
    os.remove(path)
    return {"first_store_ms": times[0], "store_ms": statistics.median(times[1:]), "store_ms_all": times[1:]}


def measure_size(name, shape, root, repeats):
    """All peers on one size; returns {peer: result}."""
    series = synthesise_dce(shape, seed=sum(shape))
    expected_sum = float(np.sum(series, dtype=np.float64))
    npy = os.path.join(fresh_dir(os.path.join(root, "input")), f"dce_{name}.npy")
    np.save(npy, series)
    key = f"dce_{name}"
    results = {"raw write (Python)": raw_write_ms(series, fresh_dir(os.path.join(root, "raw")), repeats)}
    for title, peer in PEERS.items():
        directory = fresh_dir(os.path.join(root, peer.label))
        results[title] = measure_python_peer(peer, series, directory, key, repeats, expected_sum)
        shutil.rmtree(directory)
        print(f"  {title:<40} store {results[title]['store_ms']:10.2f} ms  open {results[title]['open_ms']:10.3f} ms",
              flush=True)
    _SERIES.clear()
    del series
    for kind, compress in (("raw", False), ("compressed", True)):
        directory = fresh_dir(os.path.join(root, f"csharp_{kind}"))
        for build, result in measure_csharp(npy, directory, key, repeats, expected_sum, compress).items():
            title = f"Osipy.MappedCache {kind} (C#, {build})"
            results[title] = result
            store = f"store {result['store_ms']:10.2f} ms" if "store_ms" in result else " " * 19
            print(f"  {title:<46} {store}  open {result['open_ms']:10.3f} ms", flush=True)
        shutil.rmtree(directory)
    os.remove(npy)
    return {"shape": list(shape), "nbytes": int(np.prod(shape)) * 4, "sum": expected_sum, "peers": results}


# --- reporting ------------------------------------------------------------------------------


def targets(sizes):
    """The issue's targets on the largest size measured, for the Python package and each C# build."""
    largest = max(sizes.values(), key=lambda size: size["nbytes"])
    peers = largest["peers"]
    readers = {"python": peers["osipy_mappedcache raw (Python)"]}
    readers.update({f"csharp_{build}": peers[f"Osipy.MappedCache raw (C#, {build})"] for build in DRIVERS})
    per_reader = lambda value: {name: value(mine) for name, mine in readers.items()}
    open_ratio = lambda peer: per_reader(lambda mine: peers[peer]["open_ms"] / mine["open_ms"])
    stored_cs = peers["Osipy.MappedCache raw (C#, JIT)"]
    return {
        "array_bytes": largest["nbytes"],
        "a_open_vs_npz_compressed": open_ratio("npz cache, savez_compressed (seed)"),
        "a_open_vs_npz": open_ratio("npz cache, savez"),
        "a_open_vs_npy_mmap": open_ratio("numpy save / load(mmap_mode='r')"),
        "b_store_over_raw_write": {
            "python": readers["python"]["store_ms"] / peers["raw write (Python)"]["store_ms"],
            "csharp": stored_cs["store_ms"] / stored_cs["floor_ms"]},
        "c_reader_anon_growth_fraction": per_reader(lambda mine: mine["anon_growth_kb"] * 1024 / largest["nbytes"]),
        "issue13": issue13_targets(sizes),
    }


def issue13_targets(sizes):
    """Issue 13's ratios (ours over the peer's; at most 1.0 meets a target of 1.0x)."""
    largest = max(sizes.values(), key=lambda size: size["nbytes"])["peers"]
    medium = sorted(sizes.values(), key=lambda size: size["nbytes"])[len(sizes) // 2]["peers"]
    numpy_mmap = largest["numpy save / load(mmap_mode='r')"]
    ours_jit = largest["Osipy.MappedCache raw (C#, JIT)"]
    ours_gets, numpy_opens = ours_jit["new_session_get_ms_all"], numpy_mmap["same_process_open_ms_all"]
    first_get = {build: largest[f"Osipy.MappedCache raw (C#, {build})"]["open_ms"] / numpy_mmap["open_ms"]
                 for build in DRIVERS}
    first_get["python"] = largest["osipy_mappedcache raw (Python)"]["open_ms"] / numpy_mmap["open_ms"]
    zarr = medium["zarr (Blosc lz4, shuffle)"]
    cold = medium[f"Osipy.MappedCache compressed (C#, {NO_RAW_COPY})"]
    copied = medium["Osipy.MappedCache compressed (C#, NativeAOT)"]
    raw = medium["Osipy.MappedCache raw (C#, NativeAOT)"]
    return {
        "new_session_get_median_vs_numpy": statistics.median(ours_gets) / statistics.median(numpy_opens),
        "new_session_get_max_vs_numpy": max(ours_gets) / max(numpy_opens),
        "python_new_session_get_median_vs_numpy":
            statistics.median(largest["osipy_mappedcache raw (Python)"]["same_process_open_ms_all"]) / statistics.median(numpy_opens),
        "python_new_session_get_max_vs_numpy":
            max(largest["osipy_mappedcache raw (Python)"]["same_process_open_ms_all"]) / max(numpy_opens),
        "new_process_first_get_vs_numpy_mmap": first_get,
        "compressed_first_process_open_read_vs_zarr":
            (cold["open_ms"] + cold["read_ms"]) / (zarr["open_ms"] + zarr["read_ms"]),
        "compressed_later_process_open_read_vs_raw":
            (copied["open_ms"] + copied["read_ms"]) / (raw["open_ms"] + raw["read_ms"]),
        "put_vs_np_save": ours_jit["store_ms"] / numpy_mmap["store_ms"],
    }


def plot(sizes, field, ylabel, path):
    """One log-log plot of a median time against array size, one line per peer."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ordered = sorted(sizes.values(), key=lambda size: size["nbytes"])
    figure, axes = plt.subplots(figsize=(10.5, 5.5))
    colours = plt.get_cmap("tab20").colors  # more peers than the default cycle's ten colours
    for index, peer in enumerate(ordered[0]["peers"]):
        points = [(size["nbytes"], size["peers"][peer].get(field)) for size in ordered]
        points = [(x, y) for x, y in points if y is not None]
        if points:
            ours = "mappedcache" in peer.lower()
            axes.plot(*zip(*points), marker="o" if ours else "s", linestyle="-" if ours else "--",
                      color=colours[index % len(colours)], label=peer)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("array size (bytes, float32)")
    axes.set_ylabel(ylabel)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))  # outside: the lines fill the plot
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def draw_plots(sizes, directory):
    os.makedirs(directory, exist_ok=True)
    plot(sizes, "open_ms", "open in a new process, median ms", os.path.join(directory, "peers_open.png"))
    plot(sizes, "store_ms", "store, median ms", os.path.join(directory, "peers_store.png"))


def versions():
    import joblib
    import numcodecs
    import zarr
    return {"python": platform.python_version(), "numpy": np.__version__, "joblib": joblib.__version__,
            "zarr": zarr.__version__, "numcodecs": numcodecs.__version__,
            "dotnet": subprocess.run(["dotnet", "--version"], capture_output=True, text=True).stdout.strip()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", default="/tmp/osipy-peers", help="working directory (removed and recreated)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--out", default=os.path.join(HERE, "results", "peers.json"))
    parser.add_argument("--plots", default=os.path.join(REPO, "docs", "img"))
    parser.add_argument("--replot", action="store_true", help="only redraw the plots from --out")
    args = parser.parse_args()
    if args.replot:
        with open(args.out) as results:
            draw_plots(json.load(results)["sizes"], args.plots)
        return
    for build, command in DRIVERS.items():
        if not os.path.exists(command[-1]):
            raise SystemExit(f"{command[-1]} ({build}) is missing: run benchmarks/peers/build_drivers.sh")

    root = fresh_dir(args.dir)
    sizes = {}
    for name in args.sizes.split(","):
        print(f"{name} {SIZES[name]}", flush=True)
        sizes[name] = measure_size(name, SIZES[name], root, args.repeats)
    shutil.rmtree(root)

    report = {"date": time.strftime("%Y-%m-%d"), "repeats": args.repeats, "page_cache": "warm",
              "cpus": os.cpu_count(), "versions": versions(), "sizes": sizes, "targets": targets(sizes)}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as out:
        json.dump(report, out, indent=1)
    draw_plots(sizes, args.plots)
    print(json.dumps(report["targets"], indent=1))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
    else:
        main()

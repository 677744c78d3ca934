"""How long cudaHostRegister takes on each kind of file mapping (why holds register a shared
read-only twin of a segment, not the lease's private mapping).

    python3 benchmarks/gpu/register_probe.py [--mb 256] [--dir /tmp] [--timeout 20]

Each kind runs in a child process under a time limit, since a registration can take minutes:
private read-write (what a lease maps, copy-on-write) with the ReadOnly flag; shared read-only
with ReadOnly; shared read-write with no flag (what a writer maps).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile

CHILD = r"""
import mmap, os, sys, time
import numpy as np, cupy
path, kind = sys.argv[1], sys.argv[2]
size = os.path.getsize(path)
fd = os.open(path, os.O_RDWR if kind != "shared-ro" else os.O_RDONLY)
if kind == "private-rw":
    m = mmap.mmap(fd, size, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ | mmap.PROT_WRITE)
elif kind == "shared-ro":
    m = mmap.mmap(fd, size, flags=mmap.MAP_SHARED, prot=mmap.PROT_READ)
else:
    m = mmap.mmap(fd, size, flags=mmap.MAP_SHARED, prot=mmap.PROT_READ | mmap.PROT_WRITE)
view = np.frombuffer(m, dtype=np.uint8)
address = view.ctypes.data
flags = 0x01 | (0 if kind == "shared-rw" else 0x08)
start = time.perf_counter()
cupy.cuda.runtime.hostRegister(address, size, flags)
registered = time.perf_counter() - start
target = cupy.empty(size, np.uint8)
cupy.cuda.runtime.deviceSynchronize()
start = time.perf_counter()
cupy.cuda.runtime.memcpy(target.data.ptr, address, size, 1)
copied = time.perf_counter() - start
cupy.cuda.runtime.hostUnregister(address)
print(f"{kind:11s} register {registered * 1000:8.1f} ms, copy {size / copied / 1e9:6.1f} GB/s", flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=256)
    parser.add_argument("--dir", default="/tmp")
    parser.add_argument("--timeout", type=float, default=20)
    args = parser.parse_args()
    with tempfile.NamedTemporaryFile(dir=args.dir) as file:
        file.write(bytes(range(256)) * (args.mb * 4096))
        file.flush()
        for kind in ("shared-ro", "shared-rw", "private-rw"):
            try:
                done = subprocess.run([sys.executable, "-c", CHILD, file.name, kind],
                                      capture_output=True, text=True, timeout=args.timeout)
                print(done.stdout.strip() or f"{kind:11s} failed: {done.stderr.strip()[-300:]}", flush=True)
            except subprocess.TimeoutExpired:
                print(f"{kind:11s} register did not finish within {args.timeout:.0f} s", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Compresses the compression benchmarks' DCE series with zarr's default compressor (Blosc).

The peer of CompressionBenchmarks (issue 5): the C# side synthesises the series and writes it as a
.npy, this script loads those exact bytes (it prints their SHA-256, which the C# side prints too)
and reports Blosc's compression ratio and throughput, two ways:

- a zarr array with zarr's defaults (chunk shape, compressor), in memory: what a zarr user gets;
- numcodecs' Blosc codec with the same settings on the whole array as one buffer, decompressed
  into a new buffer and into an existing array (as the C# codec does).

Usage, with Debian's zarr (apt-get install python3-zarr):

    dotnet run -c Release --project benchmarks/Osipy.MappedCache.Benchmarks -- export-dce /tmp/dce.npy
    /usr/bin/python3 benchmarks/peers/compression_vs_blosc.py /tmp/dce.npy [REPEATS]
"""

import hashlib
import os
import statistics
import sys
import time

import numcodecs
import numpy as np
import zarr
from numcodecs import blosc


def timed(action, repeats):
    """Runs action repeats times; returns the median and the fastest time in seconds, and the last result."""
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), result


def report(label, nbytes, stored, compress, decompress):
    print(f"{label}")
    print(f"  ratio {nbytes / stored:.3f} ({nbytes} -> {stored} bytes)")
    for name, (median, best) in (("compress", compress), ("decompress", decompress)):
        print(f"  {name:<10} median {median * 1e3:7.1f} ms = {nbytes / median / 1e9:5.2f} GB/s"
              f"   (best {best * 1e3:7.1f} ms = {nbytes / best / 1e9:5.2f} GB/s)")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 10

    data = np.load(path)
    nbytes = data.nbytes
    print(f"{path}: shape {data.shape} {data.dtype}, {nbytes} bytes, "
          f"sha256 {hashlib.sha256(data.tobytes()).hexdigest()}")
    print(f"zarr {zarr.__version__}, numcodecs {numcodecs.__version__}, numpy {np.__version__}, "
          f"{os.cpu_count()} CPUs, Blosc threads {blosc.get_nthreads()}")

    compressor = zarr.storage.default_compressor
    print(f"zarr default compressor: {compressor!r} (blosc {blosc.__version__})")

    # A zarr array with every default: zarr guesses the chunk shape from the shape and dtype.
    def zarr_write():
        array = zarr.zeros(data.shape, dtype=data.dtype)
        array[...] = data
        return array

    write = timed(zarr_write, repeats)
    array = write[2]
    read = timed(lambda: array[...], repeats)
    if not np.array_equal(read[2], data):
        sys.exit("zarr round trip changed the data")
    report(f"zarr array, default chunks {array.chunks} ({array.nchunks} chunks of "
           f"{np.prod(array.chunks) * data.itemsize} bytes), in memory",
           nbytes, array.nbytes_stored - len(array.store[".zarray"]), write[:2], read[:2])

    # The codec alone, on the whole array as one buffer (Blosc splits it into blocks itself).
    encode = timed(lambda: compressor.encode(data), repeats)
    encoded = encode[2]
    decode = timed(lambda: compressor.decode(encoded), repeats)
    if np.frombuffer(decode[2], dtype=data.dtype).tobytes() != data.tobytes():
        sys.exit("Blosc round trip changed the data")
    report(f"{compressor!r} on the whole array as one buffer", nbytes, len(encoded), encode[:2], decode[:2])

    # As the C# codec does: decompress into memory that is already there, not into a new buffer.
    restored = np.empty_like(data)
    compressor.decode(encoded, out=restored)
    decode_in_place = timed(lambda: compressor.decode(encoded, out=restored), repeats)
    if not np.array_equal(restored, data):
        sys.exit("Blosc round trip into an existing array changed the data")
    median, best = decode_in_place[:2]
    print(f"  decompress into an existing array: median {median * 1e3:7.1f} ms = {nbytes / median / 1e9:5.2f} GB/s"
          f"   (best {best * 1e3:7.1f} ms = {nbytes / best / 1e9:5.2f} GB/s)")


if __name__ == "__main__":
    main()

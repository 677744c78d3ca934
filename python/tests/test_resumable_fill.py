"""Fills that resume (issue 21, item 4) through Python: a child process killed inside a block.

Run from the repository root:  /usr/bin/python3 -m unittest python/tests/test_resumable_fill.py
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from osipy_mappedcache import CacheConfig, IntermediateCache, RetentionPolicy  # noqa: E402
from osipy_mappedcache import _native  # noqa: E402

try:
    _native.locate()
    _MISSING = None
except OSError as error:  # pragma: no cover - depends on the machine
    _MISSING = str(error)

SHAPE = (256, 100)

# A child that fills ("p", "k") in 64 blocks, says which block it enters, and waits for its kill in block 33.
CHILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[1])
    import numpy as np
    from osipy_mappedcache import CacheConfig, IntermediateCache, RetentionPolicy

    def fill(index, out):
        print(f"block {index}", flush=True)
        if index == 33:
            print("inside 33", flush=True)
            sys.stdin.readline()  # killed here
        first = index * 256 // 64
        out[...] = np.arange(first * 100, first * 100 + out.size, dtype=np.float64).reshape(out.shape) % 9973 * 0.5

    cache = IntermediateCache(CacheConfig(cache_dir=sys.argv[2], default_policy=RetentionPolicy.PERSISTENT, max_age_seconds=0))
    cache.get_or_create("p", "k", (256, 100), "float64", fill, blocks=64)
    print("committed", flush=True)
""")


def fill_block(index: int, out: np.ndarray) -> None:
    first = index * SHAPE[0] // 64
    out[...] = np.arange(first * SHAPE[1], first * SHAPE[1] + out.size, dtype=np.float64).reshape(out.shape) % 9973 * 0.5


@unittest.skipIf(_MISSING is not None, f"native library not built: {_MISSING}")
class ResumableFillTests(unittest.TestCase):
    def setUp(self) -> None:
        self.root = tempfile.mkdtemp(prefix="osipy-mc-py-")
        self.dir = os.path.join(self.root, "cache")

    def tearDown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def cache(self, **overrides) -> IntermediateCache:
        settings = {"cache_dir": self.dir, "default_policy": RetentionPolicy.PERSISTENT, "max_age_seconds": 0, **overrides}
        return IntermediateCache(CacheConfig(**settings))

    def recording(self, calls: list[int]):
        def fill(index: int, out: np.ndarray) -> None:
            calls.append(index)
            fill_block(index, out)
        return fill

    def unfinished(self) -> list[str]:
        directory = os.path.join(self.dir, "unfinished")
        return os.listdir(directory) if os.path.isdir(directory) else []

    def test_a_child_killed_inside_block_33_of_64_is_resumed_here_filling_only_blocks_33_to_63(self):
        package = str(Path(__file__).resolve().parents[1])
        with subprocess.Popen([sys.executable, "-c", CHILD, package, self.dir],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as child:
            try:
                for line in child.stdout:
                    if line.startswith("inside 33"):
                        break
                else:
                    self.fail("the child never reached block 33")
            finally:
                child.kill()  # SIGKILL: nothing of the fill's is cleaned up

        cache = self.cache()
        self.assertIsNone(cache.get("p", "k"))
        calls: list[int] = []
        resumed = cache.get_or_create("p", "k", SHAPE, "float64", self.recording(calls), blocks=64)
        uninterrupted = cache.get_or_create("p", "other", SHAPE, "float64", fill_block, blocks=64)

        self.assertEqual(list(range(33, 64)), calls)
        self.assertEqual(hashlib.sha256(uninterrupted.tobytes()).hexdigest(), hashlib.sha256(resumed.tobytes()).hexdigest())
        self.assertEqual([], self.unfinished())
        cache.close()

    def test_a_fill_that_raises_keeps_its_blocks_and_the_next_call_fills_the_rest(self):
        cache = self.cache()

        def failing(index: int, out: np.ndarray) -> None:
            if index == 10:
                raise RuntimeError("fit diverged")
            fill_block(index, out)

        with self.assertRaises(RuntimeError):
            cache.get_or_create("p", "k", SHAPE, "float64", failing, blocks=64)
        calls: list[int] = []
        resumed = cache.get_or_create("p", "k", SHAPE, "float64", self.recording(calls), blocks=64)

        self.assertEqual(list(range(10, 64)), calls)
        expected = np.empty(SHAPE)
        for i in range(64):
            fill_block(i, expected[i * 4:(i + 1) * 4])
        np.testing.assert_array_equal(expected, resumed)
        cache.close()

    def test_a_record_of_another_shape_is_discarded_and_every_block_computed(self):
        cache = self.cache()
        with self.assertRaises(RuntimeError):
            cache.get_or_create("p", "k", (128, 100), "float64", lambda i, out: (_ for _ in ()).throw(RuntimeError()) if i == 5 else None, blocks=64)
        calls: list[int] = []
        cache.get_or_create("p", "k", SHAPE, "float64", self.recording(calls), blocks=64)
        self.assertEqual(list(range(64)), calls)
        cache.close()

    def test_blocks_out_of_range_are_a_value_error(self):
        cache = self.cache()
        for blocks in (0, 257):
            with self.assertRaises(ValueError):
                cache.get_or_create("p", "k", SHAPE, "float64", fill_block, blocks=blocks)
        cache.close()

    def test_the_retention_reaches_the_library(self):
        with self.assertRaises(ValueError):
            self.cache(unfinished_fill_retention_seconds=0)
        self.cache(unfinished_fill_retention_seconds=60).close()


if __name__ == "__main__":
    unittest.main()

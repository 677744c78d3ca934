"""Issue 10 through Python: forked workers, invalid text, handle kinds, and every config key.

Run from the repository root:  /usr/bin/python3 -m unittest discover -s python/tests -v
"""

from __future__ import annotations

import ctypes
import glob
import os
import shutil
import sys
import tempfile
import unittest
from ctypes import byref, c_int64, c_void_p
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from osipy_mappedcache import (  # noqa: E402
    CacheConfig,
    CacheForkedError,
    IntermediateCache,
    RetentionPolicy,
    configure_cache,
    get_cache,
)
from osipy_mappedcache import _native  # noqa: E402

try:
    _native.locate()
    _MISSING = None
except OSError as error:  # pragma: no cover - depends on the machine
    _MISSING = str(error)


@unittest.skipIf(_MISSING is not None, f"native library not built: {_MISSING}")
class ProcessAndAbiTests(unittest.TestCase):
    def setUp(self) -> None:
        self.root = tempfile.mkdtemp(prefix="osipy-mc-py-")
        self.dir = os.path.join(self.root, "cache")

    def tearDown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def config(self, **overrides) -> CacheConfig:
        settings = {"cache_dir": self.dir, "default_policy": RetentionPolicy.CACHED, **overrides}
        return CacheConfig(**settings)

    def segments(self) -> list[str]:
        return [f for f in glob.glob(os.path.join(self.dir, "*", "*"))
                if f.endswith((".npy", ".bundle", ".zseg")) and "/quarantine/" not in f]

    def test_forked_child_cannot_use_the_parents_cache_opens_its_own_and_leaks_nothing(self):
        parent = IntermediateCache(self.config())
        parent.put("t", "parent", np.arange(10, dtype=np.float32))
        pid = os.fork()
        if pid == 0:  # the child: report through the exit code only
            code = 0
            try:
                parent.put("t", "from-child", np.ones(4, dtype=np.float32))
                code = 10  # used the parent's session: the bug
            except CacheForkedError:
                pass
            except BaseException:  # noqa: BLE001 - any other error is a failure too
                code = 11
            # The C ABI refuses the parent's handle as well, without touching its session.
            data = np.ones(4, dtype=np.float32)
            status = parent._lib.osipy_cache_put(
                parent._handle, b"t", b"raw-from-child", _native_dtype_float32(), data.ctypes.data,
                (c_int64 * 1)(4), 1, None)
            if status != _native.WRONG_PROCESS:
                code = 12
            try:
                configure_cache(self.config())
                get_cache().put("t", "child-own", np.ones(4, dtype=np.float32))
            except BaseException:  # noqa: BLE001
                code = 13
            os._exit(code)  # dies without closing: its own session is reclaimed later
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        self.assertIsNone(parent.get("t", "from-child"))
        self.assertIsNone(parent.get("t", "raw-from-child"))
        self.assertEqual(parent.get("t", "parent").sum(), 45.0)  # the parent's session is intact
        parent.close()
        with IntermediateCache(self.config()) as fresh:  # reclaims the dead child's session
            self.assertEqual(fresh.get_stats()["disk_entries"], 0)
        self.assertEqual(self.segments(), [])

    def test_lone_surrogates_are_refused_and_never_stand_for_another_key(self):
        with IntermediateCache(self.config()) as cache:
            cache.put("t", "\ufffd", np.ones(2, dtype=np.float32))
            for bad in ("\ud800", "\udc00", "a\udc00b"):
                with self.assertRaisesRegex(ValueError, "lone surrogate"):
                    cache.get("t", bad)
                with self.assertRaisesRegex(ValueError, "lone surrogate"):
                    cache.put(bad, "k", np.ones(2, dtype=np.float32))
            with self.assertRaisesRegex(ValueError, "lone surrogate"):
                cache.put("t", "bundle", {"\ud800": np.ones(1), "\udc00": np.ones(1)})
            self.assertEqual(cache.get("t", "\ufffd").sum(), 2.0)
            self.assertEqual(cache.get_stats()["corrupt_segments"], 0)

    def test_release_refuses_a_cache_handle_and_the_cache_keeps_working(self):
        with IntermediateCache(self.config()) as cache:
            cache.put("t", "k", np.arange(3, dtype=np.float32))
            self.assertEqual(cache._lib.osipy_cache_release(cache._handle), _native.BAD_HANDLE)
            self.assertIn("not a live lease handle", cache._lib.osipy_cache_last_error().decode())
            self.assertEqual(cache.get("t", "k").sum(), 3.0)

    def test_get_reports_the_kind_in_one_lookup(self):
        with IntermediateCache(self.config()) as cache:
            cache.put("t", "array", np.arange(3, dtype=np.int32))
            cache.put("t", "bundle", {"a": np.arange(2, dtype=np.float64), "b": np.ones(1)})
            lease, kind, count = c_void_p(), ctypes.c_int32(), ctypes.c_int32()
            status = cache._lib.osipy_cache_get_any(
                cache._handle, b"t", b"bundle", byref(lease), byref(kind), byref(count))
            self.assertEqual((status, kind.value, count.value), (_native.OK, _native.KIND_BUNDLE, 2))
            self.assertEqual(cache._lib.osipy_cache_release(lease.value), _native.OK)
            self.assertEqual(cache.get("t", "array").tolist(), [0, 1, 2])
            self.assertEqual(sorted(cache.get("t", "bundle")), ["a", "b"])

    def test_every_setting_is_settable_and_bad_values_name_their_key(self):
        config = self.config(default_policy=RetentionPolicy.PERSISTENT, compression_by_type={"t1": True},
                             verify_on_first_map=True, max_quarantine_files=2)
        with IntermediateCache(config) as cache:
            cache.put("t1", "k", np.arange(100_000, dtype=np.float32))
            cache.put("raw", "k", np.arange(100_000, dtype=np.float32))
        self.assertEqual(sorted(Path(f).suffix for f in self.segments()), [".npy", ".zseg"])
        raw = next(f for f in self.segments() if f.endswith(".npy"))
        with open(raw, "r+b") as file:  # one payload byte flipped: only a payload check sees it
            file.seek(4096 + 1000)
            byte = file.read(1)
            file.seek(4096 + 1000)
            file.write(bytes([byte[0] ^ 0xFF]))
        with IntermediateCache(config) as reader:
            self.assertIsNone(reader.get("raw", "k"))
            stats = reader.get_stats()
            self.assertEqual((stats["corrupt_segments"], stats["quarantine_files"]), (1, 1))
            self.assertEqual(reader.get("t1", "k")[99_999], 99_999.0)
        for key, value in (("max_mapped_segments", 2**40), ("max_quarantine_files", -1)):
            with self.assertRaisesRegex(ValueError, key):
                IntermediateCache(self.config(**{key: value}))


@unittest.skipIf(_MISSING is not None, f"native library not built: {_MISSING}")
class GetOrCreateTests(unittest.TestCase):
    def setUp(self) -> None:
        self.root = tempfile.mkdtemp(prefix="osipy-mc-py-")
        self.config = CacheConfig(cache_dir=os.path.join(self.root, "cache"),
                                  default_policy=RetentionPolicy.PERSISTENT)

    def tearDown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def test_fills_once_in_place_then_every_call_maps_the_result(self):
        calls = []

        def fill(array: np.ndarray) -> None:
            calls.append(array.shape)
            array[...] = np.arange(12, dtype=np.float32).reshape(3, 4)

        with IntermediateCache(self.config) as cache:
            first = cache.get_or_create("t1_map", "k", (3, 4), np.float32, fill)
            second = cache.get_or_create("t1_map", "k", (3, 4), np.float32, fill)
        with IntermediateCache(self.config) as other:
            third = other.get_or_create("t1_map", "k", (3, 4), "float32", fill)
        self.assertEqual(calls, [(3, 4)])
        for result in (first, second, third):
            np.testing.assert_array_equal(result, np.arange(12, dtype=np.float32).reshape(3, 4))
            self.assertFalse(result.flags.writeable)

    def test_a_fill_that_raises_publishes_nothing_and_raises_here(self):
        def fill(array: np.ndarray) -> None:
            raise RuntimeError("fit diverged")

        with IntermediateCache(self.config) as cache:
            with self.assertRaisesRegex(RuntimeError, "fit diverged"):
                cache.get_or_create("t1_map", "k", (4,), np.float64, fill)
            self.assertFalse(cache.has("t1_map", "k"))

    def test_redis_is_a_setting_and_an_unreachable_cluster_leaves_local_work_alone(self):
        config = CacheConfig(cache_dir=self.config.cache_dir, default_policy=RetentionPolicy.PERSISTENT,
                             redis="127.0.0.1:1")
        with IntermediateCache(config) as cache:
            cache.put("t1_map", "k", np.ones(3, dtype=np.float32))
            self.assertEqual(cache.get("t1_map", "k").sum(), 3.0)
            self.assertGreaterEqual(cache.get_stats()["remote_errors"], 1)

    def test_an_outage_is_one_logged_warning_and_then_local_speed(self):
        config = CacheConfig(cache_dir=self.config.cache_dir, default_policy=RetentionPolicy.PERSISTENT,
                             redis="127.0.0.1:1", redis_timeout_ms=300)
        with self.assertLogs("osipy_mappedcache", level="WARNING") as logged:
            with IntermediateCache(config) as cache:
                for i in range(5):
                    cache.put("t1_map", f"k{i}", np.full(3, i, dtype=np.float32))
                    self.assertIsNone(cache.get("t1_map", f"absent{i}"))
                self.assertEqual(cache.get_stats()["remote_errors"], 1)  # then skipped while backing off
        outages = [line for line in logged.output if "unreachable" in line]
        self.assertEqual(len(outages), 1, logged.output)

    def test_every_tier_setting_is_settable_and_no_credential_is_shown(self):
        config = CacheConfig(cache_dir=self.config.cache_dir, default_policy=RetentionPolicy.PERSISTENT,
                             redis="127.0.0.1:1,password=hunter2-string", redis_password="hunter2-field",
                             redis_secret="hunter2-secret-of-32-bytes-length", redis_user="lab",
                             redis_timeout_ms=300, redis_lease_ms=2000, redis_chunk_bytes=1 << 20,
                             redis_window=4, redis_uncommitted_chunk_seconds=60, redis_change_log_length=1000,
                             redis_key_prefix="lab")
        self.assertNotIn("hunter2", repr(config))
        self.assertNotIn("hunter2", str(config))
        with IntermediateCache(config) as cache:
            cache.put("t1_map", "k", np.ones(2, dtype=np.float32))
        with self.assertRaisesRegex(ValueError, "redis_secret") as raised:
            IntermediateCache(CacheConfig(cache_dir=self.config.cache_dir, redis="127.0.0.1:1", redis_secret="short-hunter2"))
        self.assertNotIn("hunter2", str(raised.exception))
        with self.assertRaisesRegex(ValueError, "redis_tls_ca_file"):
            IntermediateCache(CacheConfig(cache_dir=self.config.cache_dir, redis="127.0.0.1:1",
                                          redis_tls_ca_file=os.path.join(self.root, "missing-ca.crt")))


def _native_dtype_float32() -> int:
    return 1  # OSIPY_FLOAT32


if __name__ == "__main__":
    unittest.main()

"""The seed's (osipy.common.caching) behaviours, through osipy_mappedcache and the native library.

Run from the repository root:  /usr/bin/python3 -m unittest discover -s python/tests -v
The native library is found as the package finds it ($OSIPY_MAPPEDCACHE_LIBRARY, beside the
package, or the publish output); without it the whole module is skipped, with the reason.
Every test opens its caches in its own temporary directory, removed afterwards.
"""

from __future__ import annotations

import gc
import glob
import os
import pwd
import re
import shutil
import stat
import sys
import tempfile
import time
import unittest
import weakref
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from osipy_mappedcache import (  # noqa: E402
    CacheClosedError,
    CacheConfig,
    IntermediateCache,
    RetentionPolicy,
    configure_cache,
    get_cache,
)
from osipy_mappedcache import _native  # noqa: E402
from osipy_mappedcache._leases import MappedBuffer  # noqa: E402

KIB = 1024


def setUpModule() -> None:
    try:
        _native.locate()
    except OSError as error:
        raise unittest.SkipTest(f"native library not available: {error}") from None


class CacheTestCase(unittest.TestCase):
    """A fresh temporary cache directory per test; every cache opened is closed afterwards."""

    def setUp(self) -> None:
        self.cache_dir = tempfile.mkdtemp(prefix="osipy_py_test_")
        # Cleanups run last-in first-out: the directory goes after every cache is closed.
        self.addCleanup(shutil.rmtree, self.cache_dir, ignore_errors=True)

    def open_cache(self, **settings) -> IntermediateCache:
        settings.setdefault("cache_dir", self.cache_dir)
        cache = IntermediateCache(CacheConfig(**settings))
        self.addCleanup(cache.close)
        return cache

    def segment_files(self, pattern: str = "*.npy") -> list[str]:
        return glob.glob(os.path.join(self.cache_dir, "**", pattern), recursive=True)


def collected(reference: weakref.ref) -> bool:
    gc.collect()
    return reference() is None


class PutGetTests(CacheTestCase):
    def test_get_after_put_returns_equal_values_dtype_and_shape(self):
        cache = self.open_cache()
        data = np.random.default_rng(1).random((4, 5, 6)).astype(np.float32)

        cache.put("t1_map", "subject-01", data)
        got = cache.get("t1_map", "subject-01")

        self.assertEqual(got.dtype, np.float32)
        self.assertEqual(got.shape, (4, 5, 6))
        np.testing.assert_array_equal(got, data)

    def test_get_of_an_absent_key_returns_none(self):
        cache = self.open_cache()
        self.assertIsNone(cache.get("t1_map", "nobody"))

    def test_every_supported_dtype_round_trips(self):
        cache = self.open_cache()
        for name in ("float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16",
                     "uint32", "uint64", "float16", "complex128", "bool", "complex64"):
            with self.subTest(dtype=name):
                data = (np.arange(6) + 1).astype(name).reshape(2, 3)
                cache.put("types", name, data)
                got = cache.get("types", name)
                self.assertEqual(got.dtype, np.dtype(name))
                np.testing.assert_array_equal(got, data)

    def test_non_contiguous_and_big_endian_arrays_round_trip(self):
        cache = self.open_cache()
        strided = np.arange(40, dtype=np.float64).reshape(5, 8)[:, ::2]
        big_endian = np.arange(6, dtype=">i4")

        cache.put("t", "strided", strided)
        cache.put("t", "big", big_endian)

        np.testing.assert_array_equal(cache.get("t", "strided"), strided)
        got = cache.get("t", "big")
        self.assertEqual(got.dtype, np.dtype("<i4"))
        np.testing.assert_array_equal(got, big_endian)

    def test_put_copies_the_data(self):
        cache = self.open_cache()
        data = np.zeros(4)
        cache.put("t", "k", data)
        data[:] = 7
        np.testing.assert_array_equal(cache.get("t", "k"), np.zeros(4))

    def test_put_replaces_the_entry_and_earlier_arrays_keep_their_data(self):
        cache = self.open_cache()
        cache.put("t", "k", np.zeros(3))
        old = cache.get("t", "k")

        cache.put("t", "k", np.ones(3))

        np.testing.assert_array_equal(cache.get("t", "k"), np.ones(3))
        np.testing.assert_array_equal(old, np.zeros(3))

    def test_dict_data_round_trips(self):
        cache = self.open_cache()
        data = {"ktrans": np.full((3, 4), 0.25, np.float32), "ve": np.arange(5, dtype=np.int16)}

        cache.put("tofts", "subject-01", data)
        got = cache.get("tofts", "subject-01")

        self.assertEqual(set(got), {"ktrans", "ve"})
        for name, array in data.items():
            self.assertEqual(got[name].dtype, array.dtype)
            np.testing.assert_array_equal(got[name], array)


class ZeroCopyTests(CacheTestCase):
    def test_get_returns_a_read_only_view_of_the_mapping(self):
        cache = self.open_cache()
        cache.put("t", "k", np.arange(8.0).reshape(2, 4))

        got = cache.get("t", "k")

        self.assertFalse(got.flags.writeable)
        self.assertFalse(got.flags.owndata)
        with self.assertRaises(ValueError):
            got[0, 0] = 1.0
        base = got
        while isinstance(base, np.ndarray):
            base = base.base
        self.assertIsInstance(base, MappedBuffer)
        self.assertEqual(got.__array_interface__["data"][0], base.address)

    def test_two_gets_share_one_mapping(self):
        cache = self.open_cache()
        cache.put("t", "k", np.arange(1024.0))

        first, second = cache.get("t", "k"), cache.get("t", "k")

        # The same address: both are views of the one mapping, neither is a copy.
        self.assertEqual(first.__array_interface__["data"][0],
                         second.__array_interface__["data"][0])

    def test_array_stays_valid_after_invalidate_and_close(self):
        cache = self.open_cache()
        cache.put("t", "k", np.arange(16.0))
        got = cache.get("t", "k")

        cache.invalidate("t", "k")
        cache.close()

        np.testing.assert_array_equal(got, np.arange(16.0))


class LeaseTests(CacheTestCase):
    def test_lease_is_released_when_the_array_is_collected(self):
        cache = self.open_cache()
        cache.put("t", "k", np.arange(10.0))
        got = cache.get("t", "k")
        lease = weakref.ref(got.base._lease)

        del got

        self.assertTrue(collected(lease))
        cache.invalidate("t", "k")
        self.assertIsNone(cache.get("t", "k"))
        cache.put("t", "k", np.ones(2))
        np.testing.assert_array_equal(cache.get("t", "k"), np.ones(2))

    def test_a_slice_keeps_the_lease_alive(self):
        cache = self.open_cache()
        cache.put("t", "k", np.arange(10.0))
        got = cache.get("t", "k")
        tail = got[5:]
        lease = weakref.ref(got.base._lease)

        del got
        self.assertFalse(collected(lease))
        np.testing.assert_array_equal(tail, np.arange(5.0, 10.0))

        del tail
        self.assertTrue(collected(lease))

    def test_dict_arrays_share_one_lease_released_after_the_last(self):
        cache = self.open_cache()
        cache.put("t", "k", {"a": np.ones(3), "b": np.zeros(2)})
        got = cache.get("t", "k")
        a, b = got["a"], got["b"]
        self.assertIs(a.base._lease, b.base._lease)
        lease = weakref.ref(a.base._lease)

        del got, a
        self.assertFalse(collected(lease))
        np.testing.assert_array_equal(b, np.zeros(2))

        del b
        self.assertTrue(collected(lease))
        cache.invalidate("t", "k")
        self.assertFalse(cache.has("t", "k"))


class HasInvalidateClearTests(CacheTestCase):
    def test_has_is_true_only_for_stored_entries(self):
        cache = self.open_cache()
        cache.put("t", "k", np.ones(2))
        self.assertTrue(cache.has("t", "k"))
        self.assertFalse(cache.has("t", "other"))
        self.assertFalse(cache.has("other", "k"))

    def test_get_after_invalidate_returns_none(self):
        cache = self.open_cache()
        cache.put("t", "k", np.ones(2))
        cache.put("t", "kept", np.ones(2))

        cache.invalidate("t", "k")

        self.assertFalse(cache.has("t", "k"))
        self.assertIsNone(cache.get("t", "k"))
        self.assertTrue(cache.has("t", "kept"))

    def test_invalidate_of_an_absent_entry_is_harmless(self):
        cache = self.open_cache()
        cache.invalidate("t", "nothing")

    def test_clear_of_one_type_keeps_the_others(self):
        cache = self.open_cache()
        cache.put("a", "1", np.ones(2))
        cache.put("a", "2", np.ones(2))
        cache.put("b", "1", np.ones(2))

        cache.clear("a")

        self.assertFalse(cache.has("a", "1"))
        self.assertFalse(cache.has("a", "2"))
        self.assertTrue(cache.has("b", "1"))

    def test_clear_without_type_removes_everything(self):
        cache = self.open_cache(policies={"p": RetentionPolicy.PERSISTENT})
        cache.put("a", "1", np.ones(2))
        cache.put("p", "1", np.ones(2))

        cache.clear()

        self.assertFalse(cache.has("a", "1"))
        self.assertFalse(cache.has("p", "1"))
        self.assertEqual(self.segment_files(), [])


class PolicyTests(CacheTestCase):
    def test_get_policy_uses_policies_then_the_default(self):
        cache = self.open_cache(
            default_policy=RetentionPolicy.PERSISTENT,
            policies={"scratch": RetentionPolicy.TRANSIENT, "curves": RetentionPolicy.CACHED})
        self.assertIs(cache.get_policy("scratch"), RetentionPolicy.TRANSIENT)
        self.assertIs(cache.get_policy("curves"), RetentionPolicy.CACHED)
        self.assertIs(cache.get_policy("t1_map"), RetentionPolicy.PERSISTENT)

    def test_default_policy_is_cached(self):
        self.assertIs(self.open_cache().get_policy("anything"), RetentionPolicy.CACHED)

    def test_transient_entries_are_not_cached(self):
        cache = self.open_cache(policies={"scratch": RetentionPolicy.TRANSIENT})

        cache.put("scratch", "k", np.ones(4))

        self.assertFalse(cache.has("scratch", "k"))
        self.assertIsNone(cache.get("scratch", "k"))
        self.assertEqual(self.segment_files(), [])

    def test_persistent_entries_stay_on_disk_for_a_later_session(self):
        data = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
        first = self.open_cache(policies={"t1_map": RetentionPolicy.PERSISTENT})
        first.put("t1_map", "subject-01", data)
        first.close()

        second = self.open_cache(policies={"t1_map": RetentionPolicy.PERSISTENT})

        np.testing.assert_array_equal(second.get("t1_map", "subject-01"), data)
        files = self.segment_files()
        self.assertEqual(len(files), 1)
        mapped = np.load(files[0], mmap_mode="r")
        self.assertIsInstance(mapped, np.memmap)
        self.assertEqual(mapped.dtype, data.dtype)
        np.testing.assert_array_equal(mapped, data)

    def test_cached_entries_are_removed_when_the_cache_is_closed(self):
        cache = self.open_cache()
        cache.put("curves", "k", np.ones(100))
        self.assertEqual(len(self.segment_files()), 1)

        cache.close()

        self.assertEqual(self.segment_files(), [])
        self.assertFalse(self.open_cache().has("curves", "k"))

    def test_context_manager_closes_the_session(self):
        with IntermediateCache(CacheConfig(cache_dir=self.cache_dir)) as cache:
            cache.put("curves", "k", np.ones(100))
        self.assertTrue(cache.closed)
        self.assertEqual(self.segment_files(), [])

    def test_least_recently_used_entry_is_evicted_over_the_memory_budget(self):
        cache = self.open_cache(max_memory_mb=1)
        half_mib = 512 * KIB // 8
        for index in range(4):
            cache.put("curves", f"k{index}", np.full(half_mib, index, np.float64))

        self.assertFalse(cache.has("curves", "k0"))
        self.assertTrue(cache.has("curves", "k3"))
        self.assertGreaterEqual(cache.get_stats()["evictions"], 1)


class StatsAndEntryTests(CacheTestCase):
    def test_stats_have_the_seed_keys_and_a_hit_rate(self):
        cache = self.open_cache(max_memory_mb=64)
        cache.put("t", "k", np.ones(1000))
        cache.get("t", "k")
        cache.get("t", "absent")

        stats = cache.get_stats()

        for key in ("memory_entries", "memory_size_mb", "max_memory_mb", "cache_dir",
                    "disk_entries", "hit_rate"):
            self.assertIn(key, stats)
        self.assertEqual(stats["max_memory_mb"], 64)
        self.assertEqual(stats["cache_dir"], os.path.abspath(self.cache_dir))
        self.assertEqual(stats["memory_entries"], 1)
        self.assertEqual(stats["disk_entries"], 1)
        self.assertAlmostEqual(stats["hit_rate"], 0.5)

    def test_metadata_round_trips_through_get_entry(self):
        cache = self.open_cache()
        metadata = {"model": "extended_tofts", "tr_ms": 4.5, "flip": np.float32(15.0),
                    "aif": {"type": "parker"}, "voxels": [1, 2, 3]}

        cache.put("tofts", "subject-01", np.zeros((2, 3), np.float32), metadata)
        entry = cache.get_entry("tofts", "subject-01")

        self.assertEqual(entry["metadata"], {**metadata, "flip": 15.0})
        self.assertEqual(entry["key"], "subject-01")
        self.assertEqual(entry["result_type"], "tofts")
        self.assertIs(entry["policy"], RetentionPolicy.CACHED)
        self.assertEqual(entry["dtype"], np.float32)
        self.assertEqual(entry["shape"], (2, 3))
        self.assertEqual(entry["size_bytes"], 24)
        self.assertIsInstance(entry["created_at"], float)
        self.assertLess(abs(entry["created_at"] - time.time()), 60)

    def test_get_entry_of_a_dict_entry_names_its_arrays(self):
        cache = self.open_cache()
        cache.put("tofts", "k", {"ktrans": np.ones(2), "ve": np.ones(2)})
        entry = cache.get_entry("tofts", "k")
        self.assertIsNone(entry["dtype"])
        self.assertEqual(sorted(entry["array_names"]), ["ktrans", "ve"])

    def test_get_entry_of_an_absent_entry_returns_none(self):
        self.assertIsNone(self.open_cache().get_entry("t", "absent"))


class GlobalCacheTests(CacheTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.addCleanup(lambda: get_cache().close())

    def test_get_cache_returns_the_configured_instance_every_time(self):
        configure_cache(CacheConfig(cache_dir=self.cache_dir))
        cache = get_cache()
        self.assertIs(get_cache(), cache)
        self.assertEqual(cache.config.cache_dir, self.cache_dir)

    def test_configure_cache_replaces_and_closes_the_previous_instance(self):
        configure_cache(CacheConfig(cache_dir=self.cache_dir))
        previous = get_cache()
        other_dir = tempfile.mkdtemp(prefix="osipy_py_test_")
        self.addCleanup(shutil.rmtree, other_dir, ignore_errors=True)

        configure_cache(CacheConfig(cache_dir=other_dir))

        self.assertIsNot(get_cache(), previous)
        self.assertTrue(previous.closed)
        self.assertEqual(get_cache().get_stats()["cache_dir"], os.path.abspath(other_dir))


class DirectoryTests(CacheTestCase):
    def test_default_directory_is_private_per_user(self):
        user = pwd.getpwuid(os.geteuid()).pw_name
        expected = os.path.join(tempfile.gettempdir(),
                                "osipy_cache_" + re.sub(r"[^A-Za-z0-9_.-]", "_", user))
        # The shared default directory: this test only opens and closes a session there.
        with IntermediateCache(CacheConfig()) as cache:
            self.assertEqual(cache.get_stats()["cache_dir"], expected)
        self.assertEqual(stat.S_IMODE(os.stat(expected).st_mode), 0o700)

    def test_symlinked_cache_dir_is_refused(self):
        link = os.path.join(self.cache_dir, "link")
        target = os.path.join(self.cache_dir, "target")
        os.mkdir(target)
        os.symlink(target, link)
        with self.assertRaises(OSError):
            IntermediateCache(CacheConfig(cache_dir=link))

    def test_cache_dir_owned_by_another_user_is_refused(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to give a directory to another user (uid 65534)")
        foreign = os.path.join(self.cache_dir, "foreign")
        os.mkdir(foreign, 0o700)
        os.chown(foreign, 65534, 65534)
        with self.assertRaises(PermissionError):
            IntermediateCache(CacheConfig(cache_dir=foreign))


class BadInputTests(CacheTestCase):
    def test_object_dtype_raises_type_error(self):
        with self.assertRaises(TypeError):
            self.open_cache().put("t", "k", np.array([{}, None], dtype=object))

    def test_nul_in_key_raises_value_error(self):
        with self.assertRaises(ValueError):
            self.open_cache().put("t", "a\0b", np.ones(1))

    def test_compression_stores_persistent_arrays_compressed_and_reads_them_back(self):
        cache = self.open_cache(compression=True, default_policy=RetentionPolicy.PERSISTENT)
        data = np.repeat(np.arange(1000, dtype=np.float32), 300).reshape(300, 1000)
        cache.put("t1_map", "k", data)
        np.testing.assert_array_equal(cache.get("t1_map", "k"), data)
        files = [name for _, _, names in os.walk(cache.get_stats()["cache_dir"]) for name in names]
        self.assertTrue(any(name.endswith(".zseg") for name in files), files)
        self.assertFalse(any(name.endswith(".npy") for name in files), files)

    def test_raw_copies_beyond_raw_copy_budget_mb_go_when_the_session_ends(self):
        data = np.repeat(np.arange(1000, dtype=np.float32), 300).reshape(300, 1000)

        def raw_copies():
            return [name for _, _, names in os.walk(self.cache_dir) for name in names if name.endswith(".raw")]

        kept = self.open_cache(compression=True, default_policy=RetentionPolicy.PERSISTENT)
        kept.put("t1_map", "k", data)
        kept.close()
        self.assertEqual(1, len(raw_copies()))  # 1.2 MB: within the default budget, kept for the next get
        trimmed = self.open_cache(compression=True, default_policy=RetentionPolicy.PERSISTENT,
                                  raw_copy_budget_mb=0)
        np.testing.assert_array_equal(trimmed.get("t1_map", "k"), data)
        trimmed.close()
        self.assertEqual([], raw_copies())
        with self.assertRaises(ValueError):
            self.open_cache(raw_copy_budget_mb=-1)

    def test_max_disk_mb_keeps_the_directory_within_the_budget(self):
        cache = self.open_cache(default_policy=RetentionPolicy.PERSISTENT, max_disk_mb=3)
        for index in range(5):  # about 0.98 MiB on disk each: three fit
            cache.put("t", f"k{index}", np.full(255_000, index, dtype=np.float32))
        stats = cache.get_stats()
        self.assertEqual(3, stats["max_disk_mb"])
        self.assertLessEqual(stats["disk_used_bytes"], 3 * 1024 * 1024)
        self.assertEqual(2, stats["disk_evictions"])
        np.testing.assert_array_equal(cache.get("t", "k4"), np.full(255_000, 4, dtype=np.float32))
        with self.assertRaises(OSError) as raised:
            cache.put("t", "big", np.zeros(1_000_000, dtype=np.float32))
        self.assertIn("disk budget", str(raised.exception))
        self.assertTrue(cache.has("t", "k4"))

    def test_tags_come_back_with_the_entry_and_invalidate_tag_removes_every_entry_carrying_one(self):
        cache = self.open_cache(default_policy=RetentionPolicy.PERSISTENT)
        cache.put("dce", "sub-07", np.ones(4), metadata={"units": "mM"}, tags=["subject:07", "study:x"])
        cache.put("fit", "sub-07", {"ktrans": np.ones(2)}, tags=("subject:07",))
        cache.get_or_create("t1", "sub-07", (3,), np.float32, lambda out: out.fill(2), tags=["subject:07"])
        cache.put("dce", "sub-08", np.ones(4), tags=["subject:08"])
        entry = cache.get_entry("dce", "sub-07")
        self.assertEqual(["subject:07", "study:x"], entry["tags"])
        self.assertEqual({"units": "mM"}, entry["metadata"])

        self.assertEqual(3, cache.invalidate_tag("subject:07"))

        self.assertIsNone(cache.get("dce", "sub-07"))
        self.assertIsNone(cache.get("t1", "sub-07"))
        self.assertTrue(cache.has("dce", "sub-08"))
        with self.assertRaises(TypeError):
            cache.put("dce", "k", np.ones(1), tags="subject:07")  # one str, not a list
        with self.assertRaises(ValueError):
            cache.put("dce", "k", np.ones(1), metadata={"osipy_tags": ["x"]})
        with self.assertRaises(ValueError):
            cache.invalidate_tag("")

    def test_closed_cache_raises(self):
        cache = self.open_cache()
        cache.close()
        cache.close()  # a second close is harmless
        for call in (lambda: cache.put("t", "k", np.ones(1)), lambda: cache.get("t", "k"),
                     lambda: cache.has("t", "k"), lambda: cache.get_stats()):
            with self.assertRaises(CacheClosedError):
                call()
        self.assertTrue(issubclass(CacheClosedError, RuntimeError))

    def test_native_errors_carry_the_status_and_message(self):
        not_a_directory = os.path.join(self.cache_dir, "file")
        Path(not_a_directory).touch()
        with self.assertRaises(OSError) as raised:
            IntermediateCache(CacheConfig(cache_dir=not_a_directory))
        self.assertEqual(raised.exception.status, _native.IO_ERROR)
        self.assertIn(not_a_directory, raised.exception.native_message)

if __name__ == "__main__":
    unittest.main()

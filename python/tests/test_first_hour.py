"""Issue 20: what a new osipy user hits first, through the package and the native library.

Forked workers see the configured cache; metadata keeps its number types; scalars and 0-d arrays
are stored; get(writable=True) gives private copy-on-write arrays; create() is a zero-copy host
writer; an array kept by a fill or a create block never changes published data.
Run from the repository root:  /usr/bin/python3 -m unittest discover -s python/tests -v
"""

from __future__ import annotations

import gc
import os
import sys
import unittest
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_seed_behaviour import CacheTestCase, setUpModule  # noqa: E402,F401
from osipy_mappedcache import (  # noqa: E402
    CacheConfig,
    IntermediateCache,
    RetentionPolicy,
    configure_cache,
    get_cache,
)
from osipy_mappedcache import _global  # noqa: E402


def _in_child(body) -> int:
    """Runs body() in a forked child; its exit code (0: passed)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = body()
        except BaseException:  # noqa: BLE001 - any error is the child's failure
            import traceback
            traceback.print_exc()
            code = 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


class ForkedWorkerTests(CacheTestCase):
    def tearDown(self) -> None:
        if _global._cache is not None:
            _global._cache.close()
        _global._cache, _global._config = None, None

    def test_a_forked_worker_opens_its_own_session_with_the_parents_configuration(self):
        configure_cache(CacheConfig(cache_dir=self.cache_dir, default_policy=RetentionPolicy.PERSISTENT))
        get_cache().put("t1_map", "sub-01", np.arange(6, dtype=np.float32))
        parent_pid = os.getpid()

        def worker() -> int:
            cache = get_cache()
            if cache._pid == parent_pid or os.path.realpath(cache.config.cache_dir) != os.path.realpath(self.cache_dir):
                return 10
            got = cache.get("t1_map", "sub-01")
            if got is None or got.sum() != 15.0:
                return 11
            cache.put("t1_map", "from-worker", np.ones(3, dtype=np.float32))
            cache.close()
            return 0

        self.assertEqual(0, _in_child(worker))
        self.assertEqual(3.0, get_cache().get("t1_map", "from-worker").sum())


class MetadataTypeTests(CacheTestCase):
    def test_floats_stay_floats_and_ints_stay_ints(self):
        cache = self.open_cache(default_policy=RetentionPolicy.PERSISTENT)
        metadata = {"tr": 1400.0, "fa": [2.0, 15.0], "slices": 32, "te": np.float32(2.5),
                    "nested": {"r1": 4.0, "n": 3}, "big": 2**64 - 1}

        cache.put("dce", "sub-01", np.ones(2, dtype=np.float32), metadata=metadata)
        cache.close()
        back = self.open_cache(default_policy=RetentionPolicy.PERSISTENT).get_entry("dce", "sub-01")["metadata"]

        self.assertEqual({"tr": 1400.0, "fa": [2.0, 15.0], "slices": 32, "te": 2.5,
                          "nested": {"r1": 4.0, "n": 3}, "big": 2**64 - 1}, back)
        self.assertIs(type(back["tr"]), float)
        self.assertEqual([float, float], [type(v) for v in back["fa"]])
        self.assertIs(type(back["slices"]), int)
        self.assertIs(type(back["nested"]["r1"]), float)
        self.assertIs(type(back["big"]), int)

    def test_tags_do_not_change_the_metadata_types(self):
        cache = self.open_cache()
        cache.put("dce", "k", np.ones(1), metadata={"tr": 1400.0}, tags=["subject:01"])
        self.assertIs(type(cache.get_entry("dce", "k")["metadata"]["tr"]), float)


class ScalarTests(CacheTestCase):
    def test_python_and_numpy_scalars_and_0d_arrays_come_back_as_0d_arrays(self):
        cache = self.open_cache()
        for name, value, dtype in (("float", 0.98, np.float64), ("int", 7, np.int64),
                                   ("bool", True, np.bool_), ("complex", 1 + 2j, np.complex128),
                                   ("np.float32", np.float32(1.5), np.float32),
                                   ("0-d", np.array(3, dtype=np.int16), np.int16)):
            with self.subTest(name):
                cache.put("fit", name, value)
                got = cache.get("fit", name)
                self.assertEqual((), got.shape)
                self.assertEqual(np.dtype(dtype), got.dtype)
                self.assertEqual(value, got[()])
                self.assertEqual((), cache.get_entry("fit", name)["shape"])

    def test_a_fit_dict_with_scalars_round_trips(self):
        cache = self.open_cache()
        ktrans = np.random.default_rng(2).random((4, 4)).astype(np.float32)

        cache.put("tofts", "sub-01", {"ktrans": ktrans, "r2": 0.98, "converged": True})
        got = cache.get("tofts", "sub-01")

        np.testing.assert_array_equal(ktrans, got["ktrans"])
        self.assertEqual(((), 0.98), (got["r2"].shape, float(got["r2"])))
        self.assertEqual(((), True), (got["converged"].shape, bool(got["converged"])))

    def test_get_or_create_of_a_scalar(self):
        cache = self.open_cache()

        def fill(out: np.ndarray) -> None:
            out[()] = 42.5

        got = cache.get_or_create("fit", "chi2", (), np.float64, fill)
        self.assertEqual(((), 42.5), (got.shape, float(got)))

    def test_an_integer_too_large_for_64_bits_is_a_type_error(self):
        with self.assertRaises(TypeError):
            self.open_cache().put("fit", "k", 2**70)


class MessageTests(CacheTestCase):
    """Errors name Python things: settings as CacheConfig spells them, dtypes as numpy does."""

    def assert_in_pythons_words(self, message: str) -> None:
        for dotnet in ("System.", "(Parameter ", "MaxMemoryMb", "CacheDir", "GetOrCreate"):
            self.assertNotIn(dotnet, message)

    def test_a_bad_setting_is_named_as_cache_config_spells_it(self):
        with self.assertRaises(ValueError) as raised:
            self.open_cache(max_memory_mb=-1)
        self.assertIn("max_memory_mb", str(raised.exception))
        self.assert_in_pythons_words(str(raised.exception))

    def test_a_dtype_mismatch_names_numpy_dtypes(self):
        cache = self.open_cache()
        cache.put("t", "k", np.ones(3, np.float32))
        with self.assertRaises(TypeError) as raised:
            cache.get_or_create("t", "k", (3,), np.float64, lambda out: None)
        self.assertIn("float32", str(raised.exception))
        self.assert_in_pythons_words(str(raised.exception))
        with self.assertRaises(ValueError) as raised:
            cache.get_or_create("t", "k", (4,), np.float32, lambda out: None)
        self.assert_in_pythons_words(str(raised.exception))

    def test_nan_metadata_says_what_is_wrong(self):
        with self.assertRaisesRegex(ValueError, "metadata holds a NaN"):
            self.open_cache().put("t", "k", np.ones(1), metadata={"t1": float("nan")})


class GeometryTests(CacheTestCase):
    def test_put_like_an_entry_copies_its_nifti_geometry_and_keeps_the_callers_keys(self):
        cache = self.open_cache()
        source = {"nifti.pixdim": [1.0, 0.9, 0.9, 2.5, 1.4, 0.0, 0.0, 0.0], "nifti.sform_code": 2,
                  "nifti.srow_x": [0.0, -0.9, 0.0, 110.0], "nifti.stored_datatype": "int16", "source": "dce.nii.gz"}
        cache.put("dce", "sub-01", np.ones((2, 2, 2, 3), np.float32), metadata=source)

        cache.put("t1_map", "sub-01", np.ones((2, 2, 2), np.float32), metadata={"method": "vfa", "nifti.descrip": "T1"},
                  like=("dce", "sub-01"))
        with cache.create("ktrans", "sub-01", (2, 2, 2), np.float32, like=("dce", "sub-01")) as out:
            out[...] = 0.1

        metadata = cache.get_entry("t1_map", "sub-01")["metadata"]
        self.assertEqual({"nifti.pixdim": source["nifti.pixdim"], "nifti.sform_code": 2,
                          "nifti.srow_x": source["nifti.srow_x"], "method": "vfa", "nifti.descrip": "T1"}, metadata)
        self.assertEqual(2, cache.get_entry("ktrans", "sub-01")["metadata"]["nifti.sform_code"])

    def test_like_naming_no_entry_is_a_key_error_and_nothing_is_stored(self):
        cache = self.open_cache()
        with self.assertRaises(KeyError):
            cache.put("t1_map", "sub-01", np.ones(2), like=("dce", "nobody"))
        self.assertFalse(cache.has("t1_map", "sub-01"))


class EvictionRuleTests(CacheTestCase):
    def test_a_new_cached_put_is_never_evicted_by_its_own_admission(self):
        cache = self.open_cache(max_memory_mb=64)
        cache.put("dce", "held", np.ones(90 * 2**20 // 8))  # 90 MiB of float64
        held = cache.get("dce", "held")

        for i in range(3):
            cache.put("conc", f"p{i}", np.full(45 * 2**19 // 8, float(i)))  # 22.5 MiB each
            self.assertTrue(cache.has("conc", f"p{i}"), f"p{i} was evicted by its own put")

        self.assertFalse(cache.has("dce", "held"))  # the least recently used went first
        self.assertEqual(90 * 2**20 // 8, held.sum())  # and its array still reads it


class WritableGetTests(CacheTestCase):
    def test_a_writable_get_is_private_to_its_array(self):
        cache = self.open_cache(default_policy=RetentionPolicy.PERSISTENT)
        cache.put("t1_map", "sub-01", np.arange(8, dtype=np.float64))
        reader = cache.get("t1_map", "sub-01")

        mine = cache.get("t1_map", "sub-01", writable=True)
        mine[:] = -1

        np.testing.assert_array_equal(np.arange(8.0), reader)                         # an earlier get
        np.testing.assert_array_equal(np.arange(8.0), cache.get("t1_map", "sub-01"))  # a later one
        other = self.open_cache(default_policy=RetentionPolicy.PERSISTENT)
        np.testing.assert_array_equal(np.arange(8.0), other.get("t1_map", "sub-01"))  # another session
        np.testing.assert_array_equal(np.full(8, -1.0), mine)

    def test_a_writable_dict_get_and_the_default_stays_read_only(self):
        cache = self.open_cache()
        cache.put("tofts", "k", {"ktrans": np.ones(3), "ve": np.zeros(3)})

        got = cache.get("tofts", "k", writable=True)
        got["ve"] += 5

        np.testing.assert_array_equal(np.zeros(3), cache.get("tofts", "k")["ve"])
        with self.assertRaises(ValueError):
            cache.get("tofts", "k")["ve"][0] = 1

    def test_a_writable_get_of_an_entry_invalidated_meanwhile_still_works(self):
        cache = self.open_cache()
        cache.put("t", "k", np.arange(4.0))
        lease_holder = cache.get("t", "k")  # noqa: F841 - the old file stays mapped
        cache.invalidate("t", "k")
        self.assertIsNone(cache.get("t", "k", writable=True))


class HostCreateTests(CacheTestCase):
    def test_a_create_block_publishes_what_it_wrote_in_place(self):
        cache = self.open_cache(default_policy=RetentionPolicy.PERSISTENT)

        with cache.create("concentration", "sub-01", (4, 5), np.float32, metadata={"model": "tofts"}) as out:
            self.assertTrue(out.flags.writeable)
            out[...] = np.arange(20, dtype=np.float32).reshape(4, 5)
            self.assertFalse(cache.has("concentration", "sub-01"))

        np.testing.assert_array_equal(np.arange(20, dtype=np.float32).reshape(4, 5),
                                      cache.get("concentration", "sub-01"))
        self.assertEqual({"model": "tofts"}, cache.get_entry("concentration", "sub-01")["metadata"])

    def test_a_block_that_raises_publishes_nothing_and_leaves_no_file(self):
        cache = self.open_cache(default_policy=RetentionPolicy.PERSISTENT)

        with self.assertRaises(ZeroDivisionError):
            with cache.create("concentration", "sub-01", (100,), np.float64) as out:
                out[:] = 1
                1 / 0

        self.assertFalse(cache.has("concentration", "sub-01"))
        self.assertEqual([], [p for p in Path(self.cache_dir).rglob("*") if p.is_file() and "concentration" in str(p)])

    def test_out_kept_past_the_block_reads_the_entry_and_its_writes_change_nothing(self):
        cache = self.open_cache(default_policy=RetentionPolicy.PERSISTENT)
        with cache.create("t1_map", "sub-01", (1000,), np.float64) as out:
            out[:] = 7.0

        out[:] = -1.0  # after the commit: private memory
        gc.collect()

        np.testing.assert_array_equal(np.full(1000, 7.0), cache.get("t1_map", "sub-01"))
        cache.close()
        fresh = self.open_cache(default_policy=RetentionPolicy.PERSISTENT)
        np.testing.assert_array_equal(np.full(1000, 7.0), fresh.get("t1_map", "sub-01"))
        np.testing.assert_array_equal(np.full(1000, -1.0), out)

    def test_create_checks_its_arguments_before_making_anything(self):
        cache = self.open_cache()
        with self.assertRaises(TypeError):
            cache.create("t", "k", (4,), np.dtype("U4"))
        with self.assertRaises(ValueError):
            cache.create("t", "k", (-1,), np.float32)
        self.assertEqual([], [p for p in Path(self.cache_dir).rglob("*.npy")])


class EscapedFillArrayTests(CacheTestCase):
    def test_an_array_kept_by_the_fill_never_changes_published_data_or_other_memory(self):
        cache = self.open_cache(default_policy=RetentionPolicy.PERSISTENT)
        kept = []

        def fill(out: np.ndarray) -> None:
            out[:] = 3.0
            kept.append(out)

        result = cache.get_or_create("t1_map", "sub-01", (4096,), np.float64, fill)
        kept[0][:] = 99.0  # after the call

        np.testing.assert_array_equal(np.full(4096, 3.0), result)
        np.testing.assert_array_equal(np.full(4096, 3.0), cache.get("t1_map", "sub-01"))
        del result
        gc.collect()
        cache.invalidate("t1_map", "sub-01")
        cache.put("t1_map", "sub-02", np.zeros(4096))
        kept[0][:] = 5.0  # still private, mapped memory: no crash, nothing else changes
        np.testing.assert_array_equal(np.zeros(4096), cache.get("t1_map", "sub-02"))
        self.assertEqual(5.0 * 4096, kept[0].sum())

    def test_a_fill_that_raises_and_keeps_its_array_leaves_nothing_and_no_crash(self):
        cache = self.open_cache()
        kept = []

        def fill(out: np.ndarray) -> None:
            kept.append(out)
            raise KeyError("fit failed")

        with self.assertRaises(KeyError):
            cache.get_or_create("t", "k", (512,), np.float32, fill)
        kept[0][:] = 1.0
        self.assertFalse(cache.has("t", "k"))
        self.assertEqual(512.0, kept[0].sum())


if __name__ == "__main__":
    unittest.main()

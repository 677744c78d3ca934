"""Issue 21 through Python: the provenance key encoding (pinned), what a key depends on, and
memoize's contract in one process (results, scalars, TRANSIENT, inputs from the cache)."""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import unittest
from pathlib import Path
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from osipy_mappedcache import CacheConfig, IntermediateCache, RetentionPolicy  # noqa: E402
from osipy_mappedcache import _encoding, _native  # noqa: E402

try:
    _native.locate()
    _MISSING = None
except OSError as error:  # pragma: no cover - depends on the machine
    _MISSING = str(error)


class EncodingIsPinnedTests(unittest.TestCase):
    """docs/FORMAT.md's test vectors: the C# encoding pins the same values."""

    VECTORS = [
        (None, b"N", "8ce86a6ae65d3692e7305e2c58ac62eebd97d3d943e093f577da25c36988246b"),
        (True, b"T", "e632b7095b0bf32c260fa4c539e9fd7b852d0de454e9be26f24d0d6f91d069d3"),
        (3, b"i3;", "041625c207dd9ad620af34547f9e374ffa0c0e7494d00d971303bbdb30565c4d"),
        (-7, b"i-7;", "70b7f8ee6275740d7d091580f3b8bc4800f2b16b412fa3b49c953bcac96a939e"),
        (0.1, b"f3fb999999999999a", "89691f235d3c5a003a68a674b198b47fe9938fafb41eb214f08f0abf9f8b93e7"),
        (-0.0, b"f8000000000000000", "41a0dc27b172e64dd87e093a1791ce76e267eba82873c7edba3d88736f52e7a9"),
        (np.float32(0.1), b"f3fb99999a0000000", "8e97b2dfa4276a927aa2840841dcd961f5c4337da925235035071c6226dc8eb3"),
        ("flip α", "s7:flip α".encode(), "aaecf959754be4dd3d538e0ade6f0f2b5a84790c9d144227a3e6677e68dedc79"),
        ([2, 5, 10, 15], b"l4:i2;i5;i10;i15;", "08da150834e72d9fe02a3ba746e79b183239bc3f8c0d55be7740045cc9d8f747"),
        ((2.0, 5.0), b"l2:f4000000000000000f4014000000000000",
         "90a4728dac72aaf4233dd4e2ce2bc4f53909c5023b47d0ba345678d26b998052"),
        ({"b": 1, "a": [None, "x"]}, b"d2:s1:al2:Ns1:xs1:bi1;",
         "bae5e14f1d086df185cfff5df73c9672f2cf47a1257932509a679455cc6c7158"),
    ]

    def test_every_vector_encodes_to_its_pinned_bytes_and_digest(self):
        for value, encoded, digest in self.VECTORS:
            with self.subTest(value=value):
                self.assertEqual(_encoding.encode(value), encoded)
                self.assertEqual(_encoding.digest(value), digest)

    def test_an_array_is_pinned_by_dtype_shape_and_content(self):
        array = np.array([[1, 2], [3, 4]], np.float32)
        self.assertEqual(_encoding.digest(array), "0d0cb04465f32a47562905e6fee45097b2426fec88d7c34c10510cdd263c0092")
        # Byte order and memory layout are not part of the value.
        self.assertEqual(_encoding.digest(array.astype(">f4")), _encoding.digest(array))
        self.assertEqual(_encoding.digest(np.asfortranarray(array)), _encoding.digest(array))

    def test_the_key_of_a_fixed_call_is_pinned(self):
        components = {"argument flip_angles": _encoding.digest([2, 5, 10, 15]), "version": _encoding.digest("2")}
        self.assertEqual(_encoding.key_text("fit_t1", components), "fit_t1@d6c6fb62e114538a17b5aa053fbcb861")
        self.assertEqual(_encoding.key_text("fit_t1", dict(reversed(list(components.items())))),
                         "fit_t1@d6c6fb62e114538a17b5aa053fbcb861", "component order is not part of the key")

    def test_dict_order_does_not_matter_but_exact_bits_and_kinds_do(self):
        self.assertEqual(_encoding.digest({"a": 1, "b": 2}), _encoding.digest({"b": 2, "a": 1}))
        self.assertNotEqual(_encoding.digest(0.0), _encoding.digest(-0.0))
        self.assertNotEqual(_encoding.digest(1), _encoding.digest(1.0))
        self.assertNotEqual(_encoding.digest(0.1), _encoding.digest(0.1 + 1e-17 * 2))
        self.assertEqual(_encoding.digest(np.int64(5)), _encoding.digest(5))

    def test_a_value_without_a_canonical_form_is_refused_naming_it(self):
        with self.assertRaisesRegex(TypeError, r"argument 'model' of fit\(\) is a builtins.object"):
            _encoding.encode(object(), "argument 'model' of fit()")
        with self.assertRaisesRegex(TypeError, "str keys only"):
            _encoding.encode({1: "a"})


def _signal(flip_angles):
    return np.sin(np.deg2rad(np.asarray(flip_angles, dtype=np.float64)))


@unittest.skipIf(_MISSING is not None, f"native library not built: {_MISSING}")
class MemoizeInOneProcessTests(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="osipy-mc-prov-")
        self.cache = IntermediateCache(CacheConfig(cache_dir=self.dir, default_policy=RetentionPolicy.PERSISTENT,
                                                   policies={"scratch": RetentionPolicy.TRANSIENT}))
        self.calls = 0

    def tearDown(self) -> None:
        self.cache.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def fit(self, series, flip_angles, n_jobs=1):
        self.calls += 1
        return {"t1": series.mean(axis=-1) * _signal(flip_angles).sum(), "r2": 0.98, "converged": 7}

    def test_a_hit_returns_the_stored_arrays_zero_copy_and_scalars_as_numpy_scalars(self):
        fit = self.cache.memoize("t1_map", self.fit, ignore=["n_jobs"])
        series = np.ones((4, 5), np.float32)

        computed = fit(series, [2, 5])
        hit = fit(series, [2, 5], n_jobs=8)

        self.assertEqual(self.calls, 1, "n_jobs is ignored: the second call is a hit")
        self.assertFalse(hit["t1"].flags.writeable, "the hit is a read-only view of the mapping")
        self.assertIsNotNone(hit["t1"].base, "a view, not a copy")
        np.testing.assert_array_equal(hit["t1"], computed["t1"])
        self.assertIsInstance(hit["r2"], np.floating)
        self.assertEqual(hit["r2"], 0.98)
        self.assertEqual(hit["converged"], 7)
        provenance = self.cache.get_entry("t1_map", fit.key(series, [2, 5]))["metadata"]["osipy_provenance"]
        self.assertEqual(provenance["function"], "MemoizeInOneProcessTests.fit")
        self.assertEqual(provenance["components"]["argument flip_angles"]["text"], "[2, 5]")
        self.assertNotIn("argument n_jobs", provenance["components"])

    def test_eight_threads_asking_at_once_compute_once_and_share_the_result(self):
        started, release = threading.Barrier(8), threading.Event()
        calls = []

        def slow_fit(series, flip_angles):
            calls.append(threading.get_ident())
            release.wait(30)  # hold the computation until every thread has asked
            return series.sum(axis=-1) * len(flip_angles)

        fit = self.cache.memoize("t1_map", slow_fit)
        series = np.ones((3, 4), np.float32)
        results = [None] * 8

        def ask(slot):
            started.wait(30)
            if slot == 7:
                threading.Timer(0.2, release.set).start()
            results[slot] = fit(series, [2, 5])

        threads = [threading.Thread(target=ask, args=(slot,)) for slot in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertEqual(len(calls), 1)
        for result in results:
            np.testing.assert_array_equal(result, np.full(3, 8.0, np.float32))

    def test_a_transient_type_computes_every_time_and_keeps_nothing(self):
        fit = self.cache.memoize("scratch", self.fit)
        series = np.ones((2, 2), np.float32)
        fit(series, [2])
        fit(series, [2])
        self.assertEqual(self.calls, 2)
        self.assertFalse(self.cache.has("scratch", fit.key(series, [2])))

    def test_an_input_from_the_cache_is_keyed_by_its_stored_checksum_without_reading_it(self):
        self.cache.put("dce", "sub-01", np.arange(60, dtype=np.float32).reshape(3, 4, 5))
        series = self.cache.get("dce", "sub-01")
        fit = self.cache.memoize("t1_map", self.fit)
        with mock.patch.object(_encoding, "_write_array", side_effect=AssertionError("the input was hashed")):
            key = fit.key(series, [2, 5])
        self.assertEqual(key, fit.key(self.cache.get("dce", "sub-01"), [2, 5]))
        # A copy of the same bytes is an ordinary array, hashed by content: another key.
        self.assertNotEqual(key, fit.key(np.array(series), [2, 5]))
        # So is a slice, or a writable get (its bytes are the caller's to change).
        self.assertNotEqual(key, fit.key(series[:2], [2, 5]))
        self.assertNotEqual(key, fit.key(self.cache.get("dce", "sub-01", writable=True), [2, 5]))

    def test_an_argument_without_a_canonical_form_is_a_type_error_naming_it(self):
        fit = self.cache.memoize("t1_map", self.fit)
        with self.assertRaisesRegex(TypeError, "argument 'flip_angles'"):
            fit(np.ones(3), object())
        self.assertEqual(self.calls, 0)

    def test_a_result_the_cache_cannot_store_is_a_type_error_and_stores_nothing(self):
        fit = self.cache.memoize("t1_map", lambda x: [x])
        with self.assertRaisesRegex(TypeError, "returned a list"):
            fit(1)
        self.assertEqual(self.cache._entries("t1_map"), [])

    def test_an_exception_in_the_function_reaches_the_caller_and_the_next_call_computes(self):
        attempts = []

        def flaky(x):
            attempts.append(x)
            if len(attempts) == 1:
                raise RuntimeError("pre-empted")
            return np.full(3, x, np.float64)

        fit = self.cache.memoize("t1_map", flaky)
        with self.assertRaisesRegex(RuntimeError, "pre-empted"):
            fit(2.0)
        np.testing.assert_array_equal(fit(2.0), [2.0, 2.0, 2.0])
        np.testing.assert_array_equal(fit(2.0), [2.0, 2.0, 2.0])
        self.assertEqual(len(attempts), 2)

    def test_a_key_remembered_from_an_earlier_call_is_never_reused_for_other_arguments(self):
        fit = self.cache.memoize("t1_map", lambda x, y=None: np.zeros(1))
        aif = np.linspace(0, 1, 5)
        pairs = [((0.0,), (-0.0,)), ((1,), (True,)), ((1,), (1.0,)), (([1, 2],), ((1, 2, 3),)),
                 ((aif,), (aif.astype(np.float32),)), ((aif,), (aif[::-1].copy(),))]
        for first, second in pairs:
            with self.subTest(first=first, second=second):
                remembered = fit.key(*first)
                self.assertEqual(fit.key(*first), remembered)
                self.assertNotEqual(fit.key(*second), remembered)
        # In place: the same array object with other bytes is another key.
        before = fit.key(aif)
        aif[0] = 9.0
        self.assertNotEqual(fit.key(aif), before)
        # Another spelling of the same call is the same key.
        self.assertEqual(fit.key(aif, y=None), fit.key(aif))

    def test_version_changes_the_key_and_explain_says_so(self):
        series = np.ones((2, 2), np.float32)
        self.cache.memoize("t1_map", self.fit, version="1")(series, [2])
        explained = self.cache.memoize("t1_map", self.fit, version="2").explain(series, [2])
        self.assertFalse(explained["hit"])
        self.assertEqual(explained["changed"], ["version: '1' → '2'"])


if __name__ == "__main__":
    unittest.main()

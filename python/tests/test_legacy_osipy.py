"""CacheConfig(legacy_osipy_dir=...): a miss falls back to the files osipy's own cache wrote.

The files are written here by osipy's own save logic (osipy/common/caching.py, _put_disk and
_get_cache_path).  Run from the repository root:
    /usr/bin/python3 -m unittest discover -s python/tests -p test_legacy_osipy.py
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_seed_behaviour import CacheTestCase, setUpModule  # noqa: E402,F401
from osipy_mappedcache import RetentionPolicy  # noqa: E402
from osipy_cache_writer import osipy_put  # noqa: E402


class LegacyOsipyTests(CacheTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.osipy_dir = Path(tempfile.mkdtemp(prefix="osipy_cache_"))
        self.addCleanup(shutil.rmtree, self.osipy_dir, ignore_errors=True)

    def open_legacy(self, **settings):
        return self.open_cache(legacy_osipy_dir=self.osipy_dir, **settings)

    def test_get_returns_the_array_osipy_wrote_with_its_metadata_and_stores_it(self):
        t1 = np.asfortranarray(np.linspace(500, 1500, 24, dtype=np.float32).reshape(2, 3, 4))
        path = osipy_put(self.osipy_dir, "t1_map", "sub-01", t1, metadata={"tr": 4.5, "n": 3})
        cache = self.open_legacy(default_policy=RetentionPolicy.PERSISTENT)

        got = cache.get("t1_map", "sub-01")

        np.testing.assert_array_equal(got, t1)
        self.assertEqual(got.dtype, np.float32)
        entry = cache.get_entry("t1_map", "sub-01")
        self.assertEqual(entry["metadata"], {"tr": 4.5, "n": 3})
        self.assertIsInstance(entry["metadata"]["n"], int)
        path.unlink()  # served from this cache from now on
        np.testing.assert_array_equal(cache.get("t1_map", "sub-01"), t1)

    def test_get_returns_osipys_dict_data_as_a_dict(self):
        osipy_put(self.osipy_dir, "fit", "sub-01", {"ktrans": np.arange(4.0), "ve": np.ones(4, np.float32)})
        cache = self.open_legacy()

        got = cache.get("fit", "sub-01")

        self.assertEqual(list(got), ["ktrans", "ve"])
        np.testing.assert_array_equal(got["ktrans"], np.arange(4.0))
        np.testing.assert_array_equal(got["ve"], np.ones(4, np.float32))

    def test_get_or_create_and_has_find_osipys_file_without_computing(self):
        osipy_put(self.osipy_dir, "conc", "a", np.arange(6, dtype=np.float64).reshape(2, 3), compression=False)
        osipy_put(self.osipy_dir, "conc", "b", np.zeros(2))
        cache = self.open_legacy()

        def fill(_array):
            raise AssertionError("osipy's file was there")

        made = cache.get_or_create("conc", "a", (2, 3), np.float64, fill)

        np.testing.assert_array_equal(made, np.arange(6.0).reshape(2, 3))
        self.assertTrue(cache.has("conc", "b"))
        self.assertFalse(cache.has("conc", "c"))

    def test_a_file_of_another_type_is_a_miss(self):
        path = osipy_put(self.osipy_dir, "t1_map", "k", np.ones(3))
        shutil.copy(path, self.osipy_dir / f"{hashlib.md5(b'r1_map:k').hexdigest()}.npz")
        cache = self.open_legacy()

        with self.assertLogs("osipy_mappedcache", "WARNING") as logged:
            self.assertIsNone(cache.get("r1_map", "k"))

        self.assertIn("holds result type 't1_map', not 'r1_map'", logged.output[0])

    def test_an_object_array_is_a_counted_miss_logged_with_its_reason_and_never_unpickled(self):
        osipy_put(self.osipy_dir, "t1_map", "objects", np.array([{"a": 1}, None], dtype=object))
        cache = self.open_legacy()

        with self.assertLogs("osipy_mappedcache", "WARNING") as logged:
            self.assertIsNone(cache.get("t1_map", "objects"))

        self.assertIn("object array", logged.output[0])
        self.assertEqual(cache.get_stats()["misses"], 1)
        self.assertEqual(self.segment_files(), [])


if __name__ == "__main__":
    unittest.main()

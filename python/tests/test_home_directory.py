"""A leading ``~`` in a path setting is the home directory, as everywhere in Python.

``CacheConfig(cache_dir="~/osipy-cache")`` puts the cache in $HOME/osipy-cache, never in a
directory named ``~`` under the working directory; so does ``cached_dir``.
Run from the repository root:  /usr/bin/python3 -m unittest discover -s python/tests -v
"""

from __future__ import annotations

import glob
import json
import os
import sys
import unittest
from pathlib import Path
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_seed_behaviour import CacheTestCase, setUpModule  # noqa: E402,F401
from osipy_mappedcache import CacheConfig, RetentionPolicy  # noqa: E402


class HomeDirectoryTests(CacheTestCase):
    def setUp(self) -> None:
        super().setUp()
        # A home and a working directory of the test's own, both inside its temporary directory.
        self.home = os.path.join(self.cache_dir, "home")
        self.work = os.path.join(self.cache_dir, "work")
        os.makedirs(self.home)
        os.makedirs(self.work)
        patcher = mock.patch.dict(os.environ, {"HOME": self.home})
        patcher.start()
        self.addCleanup(patcher.stop)
        previous = os.getcwd()
        os.chdir(self.work)
        self.addCleanup(os.chdir, previous)

    def test_cache_dir_and_cached_dir_with_tilde_are_in_the_home_directory(self):
        cache = self.open_cache(cache_dir="~/osipy-cache", cached_dir="~/shm",
                                policies={"t1_map": RetentionPolicy.PERSISTENT})
        cache.put("t1_map", "sub-01", np.arange(4, dtype=np.float32))
        cache.put("concentration", "sub-01", np.arange(4, dtype=np.float32))

        self.assertEqual(os.path.join(self.home, "osipy-cache"), cache.get_stats()["cache_dir"])
        self.assertEqual(1, len(glob.glob(os.path.join(self.home, "osipy-cache", "**", "*.npy"), recursive=True)))
        self.assertEqual(1, len(glob.glob(os.path.join(self.home, "shm", "**", "*.npy"), recursive=True)))
        self.assertEqual([], os.listdir(self.work))

    def test_the_configuration_hands_the_library_expanded_paths(self):
        sent = json.loads(CacheConfig(cache_dir="~/osipy-cache", cached_dir="~").to_json())

        self.assertEqual(os.path.join(self.home, "osipy-cache"), sent["cache_dir"])
        self.assertEqual(self.home, sent["cached_dir"])


if __name__ == "__main__":
    unittest.main()

"""Device gets and puts through registered mappings: the lifetime rules, with a fake CuPy.

The fake (fake_cupy.py) records every cudaHostRegister and cudaHostUnregister and checks them
against /proc/self/maps, so these tests need no GPU and run everywhere.  The rules:

- a mapping is registered once, on its first device get, and every later device get of it copies
  from that registration;
- it is unregistered before it is unmapped, whatever lets it go (invalidate, replace, the mapping
  limit, close, interpreter exit), and nothing stays registered after close;
- a put or create from the device copies straight into the new segment's mapping, registered for
  that copy alone;
- without CuPy the device calls raise DeviceUnavailableError, and everything else works.

Run from the repository root:  /usr/bin/python3 -m unittest discover -s python/tests -v
"""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import threading
import unittest
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import fake_cupy  # noqa: E402
from osipy_mappedcache import DeviceUnavailableError, RetentionPolicy  # noqa: E402
from osipy_mappedcache import _registrations  # noqa: E402
from test_seed_behaviour import CacheTestCase, setUpModule  # noqa: E402,F401


class DeviceTestCase(CacheTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.cp = fake_cupy.install()
        self.addCleanup(fake_cupy.uninstall)
        # Checked after every cache is closed (cleanups run last-in first-out).
        self.addCleanup(self.assert_no_violations)

    def assert_no_violations(self) -> None:
        self.assertEqual([], fake_cupy.violations)

    def persistent(self, **settings):
        return self.open_cache(default_policy=RetentionPolicy.PERSISTENT, **settings)

    def series(self, seed: int = 0, shape=(64, 48, 20)) -> np.ndarray:
        return np.random.default_rng(seed).random(shape, dtype=np.float32)


class DeviceGetTests(DeviceTestCase):
    def test_a_device_get_returns_a_device_array_with_the_entry_s_values(self):
        cache = self.persistent()
        data = self.series()
        cache.put("dce", "s1", data)

        on_device = cache.get("dce", "s1", device="cuda")

        self.assertIsInstance(on_device, fake_cupy.ndarray)
        self.assertEqual(data.shape, on_device.shape)
        np.testing.assert_array_equal(data, on_device.get())

    def test_the_first_device_get_registers_the_mapping_read_only_and_later_ones_reuse_it(self):
        cache = self.persistent()
        cache.put("dce", "s1", self.series())

        for _ in range(5):
            cache.get("dce", "s1", device="cuda")

        self.assertEqual(1, len(fake_cupy.registrations))
        address, length, flags = fake_cupy.registrations[0]
        self.assertTrue(flags & fake_cupy.READ_ONLY)
        self.assertEqual("r--s", fake_cupy.permissions(address))  # shared read-only: no page copied
        self.assertGreaterEqual(length, self.series().nbytes)
        self.assertEqual({"registered": 5, "pageable": 0}, fake_cupy.copies)

    def test_invalidate_unregisters_before_the_unmap(self):
        cache = self.persistent()
        cache.put("dce", "s1", self.series())
        cache.get("dce", "s1", device="cuda")
        (address, length, _), = fake_cupy.registrations

        cache.invalidate("dce", "s1")

        self.assertEqual([address], fake_cupy.unregistrations)  # the fake checked it was mapped
        self.assertFalse(fake_cupy.is_mapped(address, length))  # and the hold let it go after
        self.assertEqual([], _registrations.registered_ranges())

    def test_an_invalidate_during_a_copy_unregisters_when_the_copy_ends_not_during_it(self):
        cache = self.persistent()
        data = self.series()
        cache.put("dce", "s1", data)
        cache.get("dce", "s1", device="cuda")
        fake_cupy.copy_gate = threading.Event()
        fake_cupy.copy_started.clear()
        got = []
        copying = threading.Thread(target=lambda: got.append(cache.get("dce", "s1", device="cuda")))
        copying.start()
        self.assertTrue(fake_cupy.copy_started.wait(60))

        cache.invalidate("dce", "s1")  # the cache lets go while the copy is under way
        self.assertEqual([], fake_cupy.unregistrations)
        fake_cupy.copy_gate.set()
        copying.join()

        np.testing.assert_array_equal(data, got[0].get())
        self.assertEqual(1, len(fake_cupy.unregistrations))  # by the copy's end, still mapped

    def test_a_replacing_put_unregisters_the_old_mapping_and_the_next_get_registers_the_new(self):
        cache = self.persistent()
        cache.put("dce", "s1", self.series(1))
        cache.get("dce", "s1", device="cuda")

        cache.put("dce", "s1", self.series(2))
        again = cache.get("dce", "s1", device="cuda")

        np.testing.assert_array_equal(self.series(2), again.get())
        self.assertEqual(2, len(fake_cupy.registrations))
        self.assertEqual([fake_cupy.registrations[0][0]], fake_cupy.unregistrations)

    def test_host_arrays_of_a_registered_mapping_stay_valid_after_it_is_unregistered(self):
        cache = self.persistent()
        data = self.series()
        cache.put("dce", "s1", data)
        host = cache.get("dce", "s1")
        cache.get("dce", "s1", device="cuda")

        cache.invalidate("dce", "s1")

        self.assertEqual(1, len(fake_cupy.unregistrations))
        np.testing.assert_array_equal(data, host)  # its own lease keeps the pages

    def test_the_mapping_limit_unregisters_what_it_unmaps(self):
        cache = self.persistent(max_mapped_segments=2)
        for index in range(4):
            cache.put("dce", f"s{index}", self.series(index, shape=(1000,)))
            cache.get("dce", f"s{index}", device="cuda")

        self.assertGreaterEqual(len(fake_cupy.unregistrations), 2)
        self.assertLessEqual(len(_registrations.registered_ranges()), 2)

    def test_close_leaves_nothing_registered_and_nothing_mapped(self):
        cache = self.persistent()
        for index in range(3):
            cache.put("dce", f"s{index}", self.series(index))
            cache.get("dce", f"s{index}", device="cuda")
        ranges = [(a, n) for a, n, _ in fake_cupy.registrations]

        cache.close()

        self.assertEqual({}, fake_cupy.registered)
        self.assertEqual([], _registrations.registered_ranges())
        self.assertFalse(any(fake_cupy.is_mapped(a, n) for a, n in ranges))

    def test_a_dict_entry_comes_back_as_a_dict_of_device_arrays_under_one_registration(self):
        cache = self.persistent()
        fit = {"ktrans": self.series(1, (32, 32)), "ve": self.series(2, (32, 32))}
        cache.put("fit", "s1", fit)

        on_device = cache.get("fit", "s1", device="cuda")

        self.assertEqual({"ktrans", "ve"}, set(on_device))
        for name, values in fit.items():
            np.testing.assert_array_equal(values, on_device[name].get())
        self.assertEqual(1, len(fake_cupy.registrations))

    def test_a_miss_is_none_and_registers_nothing(self):
        cache = self.persistent()
        self.assertIsNone(cache.get("dce", "absent", device="cuda"))
        self.assertEqual([], fake_cupy.registrations)

    def test_where_cuda_refuses_the_registration_the_copy_still_arrives_and_one_warning_says_why(self):
        fake_cupy.refuse_flags = fake_cupy.READ_ONLY
        _registrations._warned = False
        cache = self.persistent()
        data = self.series()
        cache.put("dce", "s1", data)

        with self.assertLogs("osipy_mappedcache", logging.WARNING) as logged:
            first = cache.get("dce", "s1", device="cuda")
            second = cache.get("dce", "s1", device="cuda")

        np.testing.assert_array_equal(data, first.get())
        np.testing.assert_array_equal(data, second.get())
        self.assertEqual({"registered": 0, "pageable": 2}, fake_cupy.copies)
        self.assertEqual(1, len(logged.output))
        self.assertIn("cudaHostRegister", logged.output[0])

    def test_device_gets_racing_replacements_register_each_mapping_once_and_unregister_it_mapped(self):
        cache = self.persistent()
        cache.put("dce", "s1", self.series(0, (4096,)))
        errors: list[BaseException] = []

        def getter():
            try:
                for _ in range(150):
                    got = cache.get("dce", "s1", device="cuda")
                    self.assertEqual((4096,), got.shape)
            except BaseException as error:  # noqa: BLE001 - reported by the main thread
                errors.append(error)

        def replacer():
            for round_ in range(1, 60):
                cache.put("dce", "s1", self.series(round_, (4096,)))

        threads = [threading.Thread(target=getter) for _ in range(3)] + [threading.Thread(target=replacer)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        cache.close()

        self.assertEqual([], errors)
        self.assertEqual([], fake_cupy.violations)  # no double registration, no late unregister
        self.assertEqual({}, fake_cupy.registered)
        self.assertEqual(len(fake_cupy.registrations), len(fake_cupy.unregistrations))


class DeviceWriteTests(DeviceTestCase):
    def test_a_put_of_a_device_array_stores_its_values_through_a_registered_writable_mapping(self):
        cache = self.persistent()
        data = self.series()

        cache.put("dce", "from-gpu", self.cp.asarray(data), metadata={"source": "gpu"})

        np.testing.assert_array_equal(data, cache.get("dce", "from-gpu"))
        self.assertEqual("gpu", cache.get_entry("dce", "from-gpu")["metadata"]["source"])
        (address, _, flags), = fake_cupy.registrations
        self.assertFalse(flags & fake_cupy.READ_ONLY)
        self.assertEqual([address], fake_cupy.unregistrations)  # before the commit unmapped it
        self.assertEqual({"registered": 1, "pageable": 0}, fake_cupy.copies)

    def test_a_dict_with_device_arrays_is_stored_whole(self):
        cache = self.persistent()
        cache.put("fit", "s1", {"ktrans": self.cp.asarray(np.ones((4, 4), np.float32)),
                                "r2": np.zeros(3)})

        got = cache.get("fit", "s1")
        np.testing.assert_array_equal(np.ones((4, 4), np.float32), got["ktrans"])
        np.testing.assert_array_equal(np.zeros(3), got["r2"])

    def test_create_on_the_device_publishes_what_the_block_wrote(self):
        cache = self.persistent()

        with cache.create("t1", "s1", (16, 16), np.float32, device="cuda") as out:
            out[...] = self.cp.asarray(np.full((16, 16), 7, np.float32))
            self.assertFalse(cache.has("t1", "s1"))  # nothing is published before the block ends

        np.testing.assert_array_equal(np.full((16, 16), 7, np.float32), cache.get("t1", "s1"))
        self.assertEqual(fake_cupy.registrations[0][0], fake_cupy.unregistrations[0])

    def test_create_whose_block_raises_publishes_nothing_and_leaves_no_file(self):
        cache = self.persistent()

        with self.assertRaises(ZeroDivisionError):
            with cache.create("t1", "s1", (16, 16), np.float32, device="cuda"):
                1 / 0

        self.assertFalse(cache.has("t1", "s1"))
        self.assertEqual([], [p for p in Path(self.cache_dir).rglob("*") if p.is_file() and "t1" in str(p)])

    def test_create_refuses_an_unsupported_dtype_or_shape_before_anything_is_made(self):
        cache = self.persistent()
        with self.assertRaises(TypeError):
            cache.create("t1", "s1", (4,), np.dtype("U4"), device="cuda")
        with self.assertRaises(ValueError):
            cache.create("t1", "s1", (1,) * 33, np.float32, device="cuda")


class WithoutAGpuTests(CacheTestCase):
    def setUp(self) -> None:
        super().setUp()
        # None in sys.modules makes "import cupy" raise ImportError, as on a machine without it.
        saved = sys.modules.get("cupy")
        sys.modules["cupy"] = None
        self.addCleanup(lambda: sys.modules.__setitem__("cupy", saved) if saved else sys.modules.pop("cupy", None))

    def test_a_device_get_names_what_is_missing_and_host_gets_still_work(self):
        cache = self.open_cache(default_policy=RetentionPolicy.PERSISTENT)
        cache.put("dce", "s1", np.arange(10.0))

        with self.assertRaises(DeviceUnavailableError) as raised:
            cache.get("dce", "s1", device="cuda")

        self.assertIn("CuPy", str(raised.exception))
        np.testing.assert_array_equal(np.arange(10.0), cache.get("dce", "s1"))

    def test_create_names_what_is_missing(self):
        cache = self.open_cache()
        with self.assertRaises(DeviceUnavailableError):
            cache.create("t1", "s1", (4,), np.float32, device="cuda")

    def test_bad_device_arguments_are_value_errors(self):
        cache = self.open_cache()
        with self.assertRaises(ValueError):
            cache.get("dce", "s1", device="gpu")
        with self.assertRaises(ValueError):
            cache.get("dce", "s1", like="torch")


class InterpreterExitTests(CacheTestCase):
    def test_a_cache_left_open_at_exit_unregisters_everything_before_the_process_unmaps(self):
        script = textwrap.dedent(f"""
            import atexit, sys
            sys.path[:0] = [{str(Path(__file__).resolve().parent)!r}, {str(Path(__file__).resolve().parents[1])!r}]
            import numpy as np, fake_cupy
            fake_cupy.install()
            # Registered before the cache exists, so it runs after the cache's own exit handler.
            atexit.register(lambda: print("left", len(fake_cupy.registered), "violations", fake_cupy.violations))
            import osipy_mappedcache as oc
            cache = oc.IntermediateCache(oc.CacheConfig(cache_dir=sys.argv[1],
                                         default_policy=oc.RetentionPolicy.PERSISTENT))
            cache.put("dce", "s1", np.ones(1000, np.float32))
            cache.get("dce", "s1", device="cuda")
            print("registered", len(fake_cupy.registered))
        """)
        done = subprocess.run([sys.executable, "-c", script, self.cache_dir], capture_output=True,
                              text=True, timeout=120)

        self.assertEqual(0, done.returncode, done.stderr)
        self.assertEqual(["registered 1", "left 0 violations []"], done.stdout.split("\n")[:2])


if __name__ == "__main__":
    unittest.main()

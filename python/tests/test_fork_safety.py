"""Issue 20 item 16: a fork at any moment gives a child that works, or one that says why not.

Forking while other threads are inside the library used to leave children hung in their first
call or dead of SIGSEGV (3 of 100 with three busy threads).  The package quiesces its calls around
fork (os.register_at_fork) and the library its own (pthread_atfork); a fork from inside a fill
callback while another thread waits for that fill gives a child that refuses, naming the fix.
Run from the repository root:  /usr/bin/python3 -m unittest discover -s python/tests -v
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import unittest
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_seed_behaviour import CacheTestCase, setUpModule  # noqa: E402,F401
from osipy_mappedcache import CacheConfig, CacheForkedError, IntermediateCache  # noqa: E402

FORKS = 100
CHILD_LIMIT_SECONDS = 10  # a child still running then is hung: SIGALRM ends it


def _fork_and_wait(body) -> int:
    """Forks; the child runs body() under an alarm and exits with its code.  The child's wait status."""
    pid = os.fork()
    if pid == 0:
        signal.alarm(CHILD_LIMIT_SECONDS)
        code = 1
        try:
            code = body()
        except BaseException as error:  # noqa: BLE001 - reported through the exit code
            print(f"child: {error!r}", file=sys.stderr)
            code = 2
        finally:
            os._exit(code)
    return os.waitpid(pid, 0)[1]


def _square(x: int) -> int:
    return x * x


class ForkWhileBusyTests(CacheTestCase):
    def test_forks_while_three_threads_call_the_library_all_give_working_children(self):
        cache = self.open_cache()
        stop = threading.Event()
        data = np.ones(1 << 18, dtype=np.float32)

        def busy(n: int) -> None:
            i = 0
            while not stop.is_set():
                key = f"{n}-{i % 8}"
                cache.put("busy", key, data)
                cache.get("busy", key)
                cache.get_or_create("filled", key, data.shape, np.float32, lambda out: out.fill(2))
                if i % 16 == 0:
                    cache.invalidate("filled", key)
                i += 1

        threads = [threading.Thread(target=busy, args=(n,)) for n in range(3)]
        for thread in threads:
            thread.start()

        def child_uses_its_own_cache(k: int):
            def body() -> int:
                own = IntermediateCache(CacheConfig(cache_dir=self.cache_dir))
                own.put("child", str(k), np.arange(4.0))
                ok = own.get("child", str(k))[3] == 3.0
                own.close()
                return 0 if ok else 3
            return body

        try:
            statuses = [_fork_and_wait(child_uses_its_own_cache(k)) for k in range(FORKS)]
        finally:
            stop.set()
            for thread in threads:
                thread.join()

        hung = sum(1 for s in statuses if os.WIFSIGNALED(s) and os.WTERMSIG(s) == signal.SIGALRM)
        crashed = sum(1 for s in statuses if os.WIFSIGNALED(s)) - hung
        failed = sum(1 for s in statuses if os.WIFEXITED(s) and os.WEXITSTATUS(s) != 0)
        self.assertEqual((0, 0, 0), (hung, crashed, failed), f"of {FORKS} forks: hung, crashed, failed")


class ForkInsideFillTests(CacheTestCase):
    def test_a_fill_that_computes_with_a_fork_pool_gets_its_results(self):
        cache = self.open_cache()

        def fill(out: np.ndarray) -> None:
            with multiprocessing.get_context("fork").Pool(2) as pool:
                out[:] = pool.map(_square, range(out.size))

        got = cache.get_or_create("t", "pooled", (8,), np.float64, fill)
        np.testing.assert_array_equal(np.arange(8.0) ** 2, got)

    def test_a_child_forked_inside_a_fill_with_no_other_call_in_flight_uses_the_cache(self):
        cache = self.open_cache()
        statuses = []

        def fill(out: np.ndarray) -> None:
            def body() -> int:
                own = IntermediateCache(CacheConfig(cache_dir=self.cache_dir))
                own.put("child", "k", np.arange(3.0))
                ok = own.get("child", "k").sum() == 3.0
                own.close()
                return 0 if ok else 3
            statuses.append(_fork_and_wait(body))
            out.fill(1)

        cache.get_or_create("t", "forks-inside", (4,), np.float64, fill)
        self.assertEqual(0, os.waitstatus_to_exitcode(statuses[0]))

    def test_a_child_forked_inside_a_fill_another_thread_waits_for_refuses_and_names_the_fix(self):
        cache = self.open_cache()
        filling = threading.Event()
        child_said = []

        def waiter() -> None:
            filling.wait()
            cache.get_or_create("t", "shared", (4,), np.float64, lambda out: out.fill(5))

        def fill(out: np.ndarray) -> None:
            filling.set()
            # The waiter is inside the library (waiting on this very fill) before the fork, or
            # about to be: either way the fork must not wait for it.
            read, write = os.pipe()

            def body() -> int:
                os.close(read)
                try:
                    IntermediateCache(CacheConfig(cache_dir=self.cache_dir))
                    os.write(write, b"opened")
                except CacheForkedError as error:
                    os.write(write, str(error).encode())
                return 0

            threading.Event().wait(0.2)  # lets the waiter reach the library
            status = _fork_and_wait(body)
            os.close(write)
            with os.fdopen(read) as reader:
                child_said.append(reader.read())
            self.assertEqual(0, os.waitstatus_to_exitcode(status))
            out.fill(1)

        thread = threading.Thread(target=waiter)
        thread.start()
        got = cache.get_or_create("t", "shared", (4,), np.float64, fill)
        thread.join()
        np.testing.assert_array_equal(np.ones(4), got)
        self.assertIn("forkserver", child_said[0])
        self.assertIn("spawn", child_said[0])


if __name__ == "__main__":
    unittest.main()

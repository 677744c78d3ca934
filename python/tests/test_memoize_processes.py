"""Issue 21 through Python: a memoized function computes once across processes, and exactly the
changes that alter its result (an input element, a parameter, its body, a nested helper's body)
make a new key, each named by ``explain``; a changed comment does not.

Every call runs in a new process, as a pipeline rerun would, against a package written here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PACKAGE_ROOT))

from osipy_mappedcache import CacheConfig, IntermediateCache, RetentionPolicy  # noqa: E402
from osipy_mappedcache import _native  # noqa: E402

try:
    _native.locate()
    _MISSING = None
except OSError as error:  # pragma: no cover - depends on the machine
    _MISSING = str(error)

FIT = '''\
import os
import time

from .model import signal_model


def _note_computation():
    with open(os.path.join(os.environ["WORK"], "computed"), "a") as log:
        log.write(f"{os.getpid()}\\n")
    # Hold the computation until every peer process has asked, so that they all ask at once.
    deadline = time.monotonic() + 60
    peers = int(os.environ.get("PEERS", "1"))
    while len(os.listdir(os.path.join(os.environ["WORK"], "started"))) < peers and time.monotonic() < deadline:
        time.sleep(0.01)


def fit_t1(series, flip_angles):
    # COMMENT
    _note_computation()
    return series.mean(axis=-1) * signal_model(flip_angles) * SCALE
'''

MODEL = '''\
import numpy as np


def signal_model(flip_angles):
    return float(np.sin(np.deg2rad(flip_angles)).sum()) * HELPER_SCALE
'''

RUN = '''\
import json, os, sys
sys.dont_write_bytecode = True
sys.path[:0] = [os.environ["PACKAGE_ROOT"], os.environ["WORK"]]
from osipy_mappedcache import CacheConfig, IntermediateCache, RetentionPolicy
from pipeline.fit import fit_t1

cache = IntermediateCache(CacheConfig(cache_dir=os.environ["CACHE"], default_policy=RetentionPolicy.PERSISTENT))
series = cache.get("dce", sys.argv[1])
flip_angles = json.loads(sys.argv[2])
memoized = cache.memoize("t1_map", fit_t1)
explained = memoized.explain(series, flip_angles)
open(os.path.join(os.environ["WORK"], "started", str(os.getpid())), "w").close()
result = memoized(series, flip_angles)
print(json.dumps({"explain": explained, "sum": float(result.sum()), "key": memoized.key(series, flip_angles)}))
'''


@unittest.skipIf(_MISSING is not None, f"native library not built: {_MISSING}")
class MemoizeAcrossProcessesTests(unittest.TestCase):
    def setUp(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="osipy-mc-memo-"))
        self.work = self.root / "work"
        (self.work / "pipeline").mkdir(parents=True)
        (self.work / "started").mkdir()
        (self.work / "pipeline" / "__init__.py").write_text("")
        self.write_code(scale="1.0", helper_scale="1.0")
        (self.work / "run.py").write_text(RUN)
        self.cache_dir = self.root / "cache"
        with IntermediateCache(CacheConfig(cache_dir=str(self.cache_dir),
                                           default_policy=RetentionPolicy.PERSISTENT)) as cache:
            series = np.arange(2 * 3 * 8, dtype=np.float32).reshape(2, 3, 8)
            cache.put("dce", "sub-01", series)
            changed = series.copy()
            changed[1, 2, 7] += 1  # one element of 48
            cache.put("dce", "sub-01-edited", changed)

    def tearDown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def write_code(self, scale: str, helper_scale: str, comment: str = "# COMMENT") -> None:
        fit = FIT.replace("# COMMENT", comment).replace("* SCALE", f"* {scale}")
        (self.work / "pipeline" / "fit.py").write_text(fit)
        (self.work / "pipeline" / "model.py").write_text(MODEL.replace("* HELPER_SCALE", f"* {helper_scale}"))

    def start(self, series: str = "sub-01", flip_angles: str = "[2, 5, 10, 15]",
              peers: int = 1) -> subprocess.Popen:
        env = {**os.environ, "WORK": str(self.work), "CACHE": str(self.cache_dir),
               "PACKAGE_ROOT": str(PACKAGE_ROOT), "PEERS": str(peers), "PYTHONDONTWRITEBYTECODE": "1"}
        return subprocess.Popen([sys.executable, str(self.work / "run.py"), series, flip_angles],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def finish(self, process: subprocess.Popen) -> dict:
        out, err = process.communicate(timeout=120)
        self.assertEqual(process.returncode, 0, err)
        return json.loads(out)

    def run_once(self, **arguments) -> dict:
        for marker in (self.work / "started").iterdir():
            marker.unlink()
        return self.finish(self.start(**arguments))

    def computations(self) -> int:
        log = self.work / "computed"
        return len(log.read_text().splitlines()) if log.exists() else 0

    def test_four_processes_asking_at_once_compute_once_and_all_get_the_result(self):
        processes = [self.start(peers=4) for _ in range(4)]
        results = [self.finish(process) for process in processes]

        self.assertEqual(self.computations(), 1)
        self.assertEqual(len({result["sum"] for result in results}), 1)
        self.assertEqual(len({result["key"] for result in results}), 1)

    def test_each_change_that_alters_the_result_recomputes_and_explain_names_it_a_comment_does_not(self):
        first = self.run_once()
        self.assertEqual(self.computations(), 1)
        self.assertFalse(first["explain"]["hit"])
        self.assertEqual(first["explain"]["changed"], ["no earlier entry of fit_t1 in t1_map"])

        again = self.run_once()
        self.assertEqual(self.computations(), 1, "the same call in a new process is a hit")
        self.assertTrue(again["explain"]["hit"])
        self.assertEqual(again["key"], first["key"])

        self.write_code(scale="1.0", helper_scale="1.0", comment="# a reworded comment\n\n    # and a blank line")
        commented = self.run_once()
        self.assertEqual(self.computations(), 1, "a comment and a blank line change nothing")
        self.assertTrue(commented["explain"]["hit"])

        edited = self.run_once(series="sub-01-edited")
        self.assertEqual(self.computations(), 2)
        self.assertEqual(len(edited["explain"]["changed"]), 1)
        self.assertRegex(edited["explain"]["changed"][0],
                         r"^argument series: cache entry dce/sub-01 \(.*\) → cache entry dce/sub-01-edited \(.*\)$")

        parameter = self.run_once(flip_angles="[2, 5, 10, 12]")
        self.assertEqual(self.computations(), 3)
        self.assertEqual(parameter["explain"]["changed"], ["argument flip_angles: [2, 5, 10, 15] → [2, 5, 10, 12]"])

        self.write_code(scale="2.0", helper_scale="1.0")
        body = self.run_once()
        self.assertEqual(self.computations(), 4)
        self.assertEqual(body["explain"]["changed"], ["code of fit_t1 changed"])
        self.assertAlmostEqual(body["sum"], 2 * first["sum"], places=3)

        self.write_code(scale="2.0", helper_scale="3.0")
        helper = self.run_once()
        self.assertEqual(self.computations(), 5)
        self.assertEqual(helper["explain"]["changed"], ["code of fit_t1 changed (helper signal_model)"])
        self.assertAlmostEqual(helper["sum"], 6 * first["sum"], places=2)


if __name__ == "__main__":
    unittest.main()

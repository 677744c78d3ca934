"""Issue 22 item 1: a new worker's first get as cheap as numpy's.

Importing the package in a process that has numpy loads only what a get needs: no logging (its
logger is made when the library first warns), no typing (annotations are strings), no memoize
or provenance modules (they come with the first memoize or explain), no GPU registrations or
writers (they come with the first device get, create or block fill).  Opening a session and
getting an entry load no OpenSSL (a session's id comes from the kernel's random source).
Checked in fresh interpreters, by the modules and libraries they hold, never by time.
Run from the repository root:  /usr/bin/python3 -m unittest discover -s python/tests -v
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

PYTHON_DIR = Path(__file__).resolve().parent.parent

# Prints the modules importing the package added to a process that had imported numpy.
_CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
import numpy
before = set(sys.modules)
import osipy_mappedcache
print(json.dumps(sorted(set(sys.modules) - before)))
"""


# Opens a session on the cache directory argv[2], gets ("t", "k"), and prints the shared
# libraries then mapped.
_OPEN_AND_GET = """
import json, sys
sys.path.insert(0, sys.argv[1])
import numpy
import osipy_mappedcache as oc
cache = oc.IntermediateCache(oc.CacheConfig(cache_dir=sys.argv[2], default_policy=oc.RetentionPolicy.PERSISTENT))
assert cache.get("t", "k") is not None
print(json.dumps(sorted({line.split()[-1] for line in open("/proc/self/maps") if ".so" in line})))
"""


def _modules_added_by_import() -> set[str]:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(PYTHON_DIR)],
                         check=True, capture_output=True, text=True, timeout=120)
    return set(json.loads(out.stdout))


class ImportCostTests(unittest.TestCase):
    def test_Import_AfterNumpy_LoadsNeitherLoggingNorTyping(self):
        added = _modules_added_by_import()
        self.assertNotIn("logging", added)
        self.assertNotIn("typing", added)

    def test_Import_AfterNumpy_LeavesTheGpuModulesAndWritersForTheirFirstUse(self):
        added = _modules_added_by_import()
        for module in ("osipy_mappedcache._registrations", "osipy_mappedcache._device_writer",
                       "osipy_mappedcache._host_writer", "osipy_mappedcache._blocks"):
            self.assertNotIn(module, added)

    def test_Import_AfterNumpy_LeavesMemoizeAndProvenanceForTheirFirstUse(self):
        added = _modules_added_by_import()
        for module in ("osipy_mappedcache._memoize", "osipy_mappedcache._provenance",
                       "osipy_mappedcache._code_identity"):
            self.assertNotIn(module, added)

    def test_OpenAndFirstGet_InANewProcess_LoadNoOpenSsl(self):
        with tempfile.TemporaryDirectory() as directory:
            # The entry is put by another process: a put may use OpenSSL, the reader may not.
            put = ("import sys; sys.path.insert(0, sys.argv[1]); import numpy as np, osipy_mappedcache as oc; "
                   "oc.IntermediateCache(oc.CacheConfig(cache_dir=sys.argv[2], default_policy=oc.RetentionPolicy.PERSISTENT))"
                   ".put('t', 'k', np.arange(12, dtype=np.float32))")
            subprocess.run([sys.executable, "-c", put, str(PYTHON_DIR), directory], check=True, timeout=120)
            out = subprocess.run([sys.executable, "-c", _OPEN_AND_GET, str(PYTHON_DIR), directory],
                                 check=True, capture_output=True, text=True, timeout=120)
        libraries = json.loads(out.stdout)
        self.assertTrue(any("libosipy_mappedcache" in library for library in libraries), libraries)
        self.assertFalse([library for library in libraries if "libssl" in library])


if __name__ == "__main__":
    unittest.main()

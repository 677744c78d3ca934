"""Issue 22 item 1: a new worker's first get as cheap as numpy's.

Importing the package in a process that has numpy loads only what a get needs: no logging (its
logger is made when the library first warns), no typing (annotations are strings), no memoize
or provenance modules (they come with the first memoize or explain).  Checked in a fresh
interpreter, by the modules it holds, never by time.
Run from the repository root:  /usr/bin/python3 -m unittest discover -s python/tests -v
"""

from __future__ import annotations

import json
import subprocess
import sys
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


def _modules_added_by_import() -> set[str]:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(PYTHON_DIR)],
                         check=True, capture_output=True, text=True, timeout=120)
    return set(json.loads(out.stdout))


class ImportCostTests(unittest.TestCase):
    def test_Import_AfterNumpy_LoadsNeitherLoggingNorTyping(self):
        added = _modules_added_by_import()
        self.assertNotIn("logging", added)
        self.assertNotIn("typing", added)

    def test_Import_AfterNumpy_LeavesMemoizeAndProvenanceForTheirFirstUse(self):
        added = _modules_added_by_import()
        for module in ("osipy_mappedcache._memoize", "osipy_mappedcache._provenance",
                       "osipy_mappedcache._code_identity"):
            self.assertNotIn(module, added)


if __name__ == "__main__":
    unittest.main()

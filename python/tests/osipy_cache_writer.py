"""Writes cache files exactly as osipy's own cache does (osipy/common/caching.py: ``_put_disk``
and ``_get_cache_path``, verbatim but for the function around them).  Used by
test_legacy_osipy.py and by the C# tests (tests/.../Legacy/OsipyCacheFiles.cs)."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import numpy as np


def osipy_put(cache_dir: Path, result_type: str, key: str, data, metadata=None, compression=True,
              created_at=None) -> Path:
    """What osipy's put writes for (result_type, key); the file's path."""
    full_key = f"{result_type}:{key}"
    cache_file = Path(cache_dir) / f"{hashlib.md5(full_key.encode()).hexdigest()}.npz"
    metadata = metadata or {}
    created_at = time.time() if created_at is None else created_at
    if isinstance(data, np.ndarray):
        if compression:
            np.savez_compressed(cache_file, data=data, metadata=json.dumps(metadata),
                                result_type=result_type, created_at=created_at)
        else:
            np.savez(cache_file, data=data, metadata=json.dumps(metadata),
                     result_type=result_type, created_at=created_at)
    elif isinstance(data, dict):
        np.savez_compressed(cache_file, **{f"data_{k}": v for k, v in data.items()},
                            metadata=json.dumps(metadata), result_type=result_type,
                            created_at=created_at)
    return cache_file

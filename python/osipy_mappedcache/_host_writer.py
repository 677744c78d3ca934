"""``with cache.create(type, key, shape, dtype) as out``: the zero-copy writer of host arrays.

``out`` is a writable numpy view of the new segment file's mapping, filled in place.  Leaving the
block normally commits (the entry is published as ``put`` would publish it); an exception
abandons it and leaves nothing behind.  ``out`` kept past the block stays safe: the library turns
its memory into a private copy-on-write mapping at the commit or abandon
(osipy_cache_keep_memory), so it reads what was written and writes to it reach nothing else.
"""

from __future__ import annotations

import ctypes
from ctypes import byref, c_int64, c_void_p
# typing is imported by type checkers only: importing it costs a new process about 1.5 ms
# (docs/PERFORMANCE.md, issue 22), and every annotation here is a string.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

import numpy as np

from . import _dtypes, _leases, _native
from ._errors import check

_MAX_DIMS = 32


class HostWriter:
    """The context manager ``create`` returns for a host array; the segment is made when the
    block starts, so a ``create`` call never entered leaves nothing behind."""

    def __init__(self, lib: ctypes.CDLL, args: tuple, shape: tuple[int, ...], dtype: np.dtype,
                 metadata_json: bytes | None) -> None:
        if len(shape) > _MAX_DIMS:
            raise ValueError(f"shape {shape} has {len(shape)} dimensions; the cache stores arrays of "
                             f"0 (a scalar) to {_MAX_DIMS} dimensions.")
        if any(d < 0 for d in shape):
            raise ValueError(f"shape {shape} has a negative dimension.")
        self._lib = lib
        self._args = args
        self._shape = shape
        self._dtype = dtype
        self._code = _dtypes.code_for(dtype)  # an unsupported dtype fails here, before any file
        self._metadata = metadata_json
        self._writer: int | None = None

    def __enter__(self) -> np.ndarray:
        if self._writer is not None:
            raise RuntimeError("this create() block is already open; call create() again for another entry")
        writer, data = c_void_p(), c_void_p()
        dims = (c_int64 * len(self._shape))(*self._shape)
        status = self._lib.osipy_cache_create(*self._args, self._code, dims, len(self._shape),
                                              self._metadata, byref(writer), byref(data))
        _native.report_warnings(self._lib)
        check(self._lib, status, "osipy_cache_create")
        try:
            out = _leases.writer_view(self._lib, data.value, self._dtype, self._shape)
        except BaseException:
            self._lib.osipy_cache_abandon(writer.value)
            raise
        self._writer = writer.value
        return out

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: Any) -> None:
        writer, self._writer = self._writer, None
        if writer is None:
            return
        if exc_type is not None:
            self._lib.osipy_cache_abandon(writer)  # the block's exception is what the caller sees
            return
        status = self._lib.osipy_cache_commit(writer)
        _native.report_warnings(self._lib)
        check(self._lib, status, "osipy_cache_commit")

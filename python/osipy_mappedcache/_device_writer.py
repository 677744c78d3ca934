"""Entries written from the GPU: a device array copied straight into a new segment's mapping.

The segment is created only when the device array is ready (at the end of a ``create`` block, or
at once for a ``put``), so a GPU computation that fails leaves no file behind, and nothing that
points into the segment's mapping ever reaches the caller: the mapping is unmapped at commit, and
a numpy view of it kept past that would point at freed memory.
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

from . import _device, _dtypes, _registrations
from ._errors import check

_MAX_DIMS = 32


class DeviceWriter:
    """``with cache.create(...) as out``: ``out`` is a zeroed device array; leaving the block
    normally writes it to the cache, an exception drops it.  A put of a device array uses the
    same writer with the caller's array."""

    def __init__(self, lib: ctypes.CDLL, args: tuple, backend: Any, source: Any,
                 dtype: np.dtype, shape: tuple[int, ...], metadata_json: bytes | None) -> None:
        self._lib = lib
        self._args = args
        self._backend = backend
        self._source = source
        self._dtype = dtype
        self._shape = shape
        self._metadata = metadata_json
        self._code = _dtypes.code_for(dtype)
        self._done = False

    @classmethod
    def for_array(cls, lib: ctypes.CDLL, args: tuple, data: Any,
                  metadata_json: bytes | None) -> "DeviceWriter":
        """A writer of an existing device array (made C-contiguous on the device first)."""
        backend = _device.backend_of(data)
        contiguous, dtype, shape = backend.describe(data)
        _check_shape(shape)
        return cls(lib, args, backend, contiguous, dtype, shape, metadata_json)

    @classmethod
    def for_shape(cls, lib: ctypes.CDLL, args: tuple, backend: Any, shape: tuple[int, ...],
                  dtype: np.dtype, metadata_json: bytes | None) -> "DeviceWriter":
        """A writer of a new zeroed device array, to be filled by the caller."""
        _dtypes.code_for(dtype)  # an unsupported dtype fails before any device memory is taken
        _check_shape(shape)
        return cls(lib, args, backend, backend.zeros(shape, dtype), dtype, shape, metadata_json)

    def __enter__(self) -> Any:
        return self._source

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: Any) -> None:
        source, self._source = self._source, None  # the writer keeps no device memory after
        if exc_type is None and not self._done:
            self._done = True
            self._write(source)
        self._done = True

    def _write(self, source: Any) -> None:
        writer, data = c_void_p(), c_void_p()
        dims = (c_int64 * len(self._shape))(*self._shape)
        status = self._lib.osipy_cache_create(*self._args, self._code, dims, len(self._shape),
                                              self._metadata, byref(writer), byref(data))
        check(self._lib, status, "osipy_cache_create")
        try:
            nbytes = int(np.prod(self._shape, dtype=np.int64)) * self._dtype.itemsize
            if nbytes:
                target = np.frombuffer((ctypes.c_char * nbytes).from_address(data.value),
                                       dtype=self._dtype).reshape(self._shape)
                _registrations.write_from_device(self._backend, source, target)
                del target  # gone before the commit unmaps what it points at
        except BaseException:
            self._lib.osipy_cache_abandon(writer)
            raise
        check(self._lib, self._lib.osipy_cache_commit(writer), "osipy_cache_commit")


def _check_shape(shape: tuple[int, ...]) -> None:
    if len(shape) > _MAX_DIMS:
        raise ValueError(
            f"shape {shape} has {len(shape)} dimensions; the cache stores arrays of 0 (a scalar) to "
            f"{_MAX_DIMS} dimensions.")
    if any(d < 0 for d in shape):
        raise ValueError(f"shape {shape} has a negative dimension.")

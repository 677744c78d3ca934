"""get_or_create with ``blocks``: the fill called per block, through osipy_cache_get_or_create_blocks."""

from __future__ import annotations

import ctypes
import math
from ctypes import byref, c_int32, c_int64, c_void_p
# typing is imported by type checkers only: importing it costs a new process about 1.5 ms
# (docs/PERFORMANCE.md, issue 22), and every annotation here is a string.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

import numpy as np

from . import _leases, _native
from ._callbacks import Callback
from ._errors import check


def get_or_create_blocks(lib: ctypes.CDLL, args: tuple, code: int, wanted: np.dtype,
                         dims: tuple[int, ...], blocks: int, metadata: bytes | None,
                         fill: Callable[[int, np.ndarray], Any]) -> tuple[int, int, int, tuple[int, ...]]:
    """Calls the library; returns (lease handle, data address, dtype code, shape) of the result.

    ``fill(index, out)`` gets ``out``, a writable view of shape ``(rows, *dims[1:])`` over the
    block's rows in the new segment (a view of one array over the whole segment, so it stays safe
    to use after the call, as a plain fill's array does).
    """
    whole: list[np.ndarray] = []
    row_bytes = math.prod(dims[1:]) * wanted.itemsize

    def fill_block(_user: int, index: int, data: int, first_row: int, rows: int) -> None:
        if not whole:
            base = (data or 0) - first_row * row_bytes
            whole.append(_leases.writer_view(lib, base or None, wanted, dims))
        fill(int(index), whole[0][first_row:first_row + rows])

    callback = Callback(_native.BLOCK_CALLBACK, fill_block)
    lease, data, dtype_code, ndim = c_void_p(), c_void_p(), c_int32(), c_int32()
    out_shape = (c_int64 * _native.MAX_DIMS)()
    status = lib.osipy_cache_get_or_create_blocks(
        *args, code, (c_int64 * len(dims))(*dims), len(dims), blocks, metadata,
        callback.pointer, None, byref(lease), byref(data), byref(dtype_code), byref(ndim), out_shape)
    _native.report_warnings(lib)
    callback.raise_failure()
    check(lib, status, "osipy_cache_get_or_create_blocks")
    return lease.value, data.value, dtype_code.value, tuple(out_shape[:ndim.value])

"""Element types: numpy dtypes <-> the header's codes, and arrays made ready for a put."""

from __future__ import annotations

import numpy as np

# Keyed by the little-endian dtype string, the byte order of the segment format.
_CODES = {
    "<f4": 1,   # OSIPY_FLOAT32
    "<f8": 2,   # OSIPY_FLOAT64
    "|i1": 3,   # OSIPY_INT8
    "<i2": 4,   # OSIPY_INT16
    "<i4": 5,   # OSIPY_INT32
    "<i8": 6,   # OSIPY_INT64
    "|u1": 7,   # OSIPY_UINT8
    "<u2": 8,   # OSIPY_UINT16
    "<u4": 9,   # OSIPY_UINT32
    "<u8": 10,  # OSIPY_UINT64
    "<f2": 11,  # OSIPY_FLOAT16
    "<c16": 12,  # OSIPY_COMPLEX128
    "|b1": 13,  # OSIPY_BOOL
    "<c8": 14,  # OSIPY_COMPLEX64
}
_DTYPES = {code: np.dtype(descr) for descr, code in _CODES.items()}
_SUPPORTED = ", ".join(str(np.dtype(descr)) for descr in _CODES)


def code_for(dtype: np.dtype) -> int:
    """The header's code for dtype, whatever its byte order.

    Raises:
        TypeError: the dtype is not one of the fourteen the format stores.
    """
    code = _CODES.get(dtype.newbyteorder("<").str)
    if code is None:
        raise TypeError(
            f"dtype {dtype} cannot be cached; supported dtypes are {_SUPPORTED}.")
    return code


def dtype_for(code: int) -> np.dtype:
    """The little-endian dtype of a header code returned by the library."""
    try:
        return _DTYPES[code]
    except KeyError:
        raise RuntimeError(f"The native library returned an unknown dtype code {code}.") from None


def prepare(data: object, what: str = "data") -> tuple[np.ndarray, int]:
    """data as a C-contiguous little-endian array the library can copy, and its dtype code.

    Copies only when data is not already in that form (non-contiguous, big-endian, a list).
    A Python or numpy scalar (bool, int, float, complex) becomes a 0-d array, as osipy stores it,
    and comes back from a get as a 0-d array.

    Raises:
        TypeError: an unsupported dtype (object, strings, datetimes, structured, ...), or an int
            too large for 64 bits.
    """
    try:
        array = np.asarray(data)
    except OverflowError:
        raise TypeError(f"{what} is an integer too large for 64 bits: {data!r}") from None
    code = code_for(array.dtype)
    # Not np.ascontiguousarray: it turns a 0-d array into shape (1,).
    return np.require(array, dtype=_DTYPES[code], requirements="C"), code

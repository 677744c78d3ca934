"""Turning the C ABI's status codes into Python exceptions.

A failed call raises the built-in exception a Python user would expect for that kind of failure
(ValueError for a bad argument, OSError for a file problem, ...).  Each carries two extra
attributes: ``status`` (the header's code) and ``native_message`` (osipy_cache_last_error()).
"""

from __future__ import annotations

import ctypes

from . import _native


class CacheClosedError(RuntimeError):
    """The cache (or a lease) was already closed: the C ABI's OSIPY_BAD_HANDLE."""


class CacheForkedError(RuntimeError):
    """A cache (or lease) opened in one process was used in a child forked from it: OSIPY_WRONG_PROCESS.

    The child must open its own cache (``get_cache()`` does so by itself in each process), or the
    workers must be started with multiprocessing's "spawn" or "forkserver" method.
    """


_EXCEPTIONS: dict[int, type[Exception]] = {
    _native.WRONG_PROCESS: CacheForkedError,
    _native.INVALID_ARGUMENT: ValueError,
    _native.TYPE_MISMATCH: TypeError,
    _native.IO_ERROR: OSError,
    _native.ACCESS_DENIED: PermissionError,
    _native.BAD_HANDLE: CacheClosedError,
    _native.NOT_SUPPORTED: NotImplementedError,
}

_NAMES = {
    _native.MISS: "OSIPY_MISS",
    _native.INVALID_ARGUMENT: "OSIPY_INVALID_ARGUMENT",
    _native.TYPE_MISMATCH: "OSIPY_TYPE_MISMATCH",
    _native.IO_ERROR: "OSIPY_IO_ERROR",
    _native.ACCESS_DENIED: "OSIPY_ACCESS_DENIED",
    _native.BAD_HANDLE: "OSIPY_BAD_HANDLE",
    _native.NOT_SUPPORTED: "OSIPY_NOT_SUPPORTED",
    _native.WRONG_PROCESS: "OSIPY_WRONG_PROCESS",
    _native.FILL_FAILED: "OSIPY_FILL_FAILED",
    _native.UNEXPECTED: "OSIPY_UNEXPECTED",
}


def error_for(lib: ctypes.CDLL, status: int, operation: str) -> Exception:
    """The exception for a failed call; must run on the failing thread, before any other call."""
    # last_error is per thread and valid until the next call: read it first.
    raw = lib.osipy_cache_last_error() or b""
    message = raw.decode("utf-8", errors="replace")
    name = _NAMES.get(status, f"status {status}")
    error = _EXCEPTIONS.get(status, RuntimeError)(
        f"{operation} failed ({name}): {message or 'no details'}")
    error.status = status
    error.native_message = message
    return error


def check(lib: ctypes.CDLL, status: int, operation: str) -> None:
    """Raises unless status is OSIPY_OK."""
    if status != _native.OK:
        raise error_for(lib, status, operation)

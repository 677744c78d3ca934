"""Finding, loading and declaring libosipy_mappedcache.so, the C ABI of Osipy.MappedCache.

Nothing here is loaded at import time: ``import osipy_mappedcache`` works without the library,
and the first cache that is opened calls :func:`library`.  Every function of the header
``src/Osipy.MappedCache.Native/include/osipy_mappedcache.h`` is declared with its exact
argument and return types, so ctypes never guesses a width.
"""

from __future__ import annotations

import ctypes
import os
import threading
from ctypes import byref, POINTER, c_char_p, c_int32, c_int64, c_void_p
from pathlib import Path

LIBRARY_ENV = "OSIPY_MAPPEDCACHE_LIBRARY"
LIBRARY_NAME = "libosipy_mappedcache.so"
PUBLISH_COMMAND = "dotnet publish src/Osipy.MappedCache.Native -r linux-x64 -c Release"

_PACKAGE_DIR = Path(__file__).resolve().parent
# The package lives at <repo>/python/osipy_mappedcache.
_REPO_ROOT = _PACKAGE_DIR.parent.parent
_PUBLISH_OUTPUT = (
    _REPO_ROOT / "src" / "Osipy.MappedCache.Native" / "bin" / "Release" / "net10.0"
    / "linux-x64" / "publish" / LIBRARY_NAME
)

# Status codes (header: never renumbered, only appended).
OK = 0
MISS = 1
INVALID_ARGUMENT = 2
TYPE_MISMATCH = 3
IO_ERROR = 4
ACCESS_DENIED = 5
BAD_HANDLE = 6
NOT_SUPPORTED = 7
WRONG_PROCESS = 8
FILL_FAILED = 9
UNEXPECTED = 99

# Entry kinds (osipy_cache_get_any).
KIND_ARRAY = 1
KIND_BUNDLE = 2

MAX_DIMS = 32

# int32_t (*fill)(void *data, int64_t bytes, void *user_data)
FILL_CALLBACK = ctypes.CFUNCTYPE(c_int32, c_void_p, c_int64, c_void_p)
# int32_t (*fill)(void *user_data, int32_t index, void *data, int64_t first_row, int64_t rows)
BLOCK_CALLBACK = ctypes.CFUNCTYPE(c_int32, c_void_p, c_int32, c_void_p, c_int64, c_int64)

# int32_t (*compute)(void *user_data)
COMPUTE_CALLBACK = ctypes.CFUNCTYPE(c_int32, c_void_p)

# void (*leaving)(osipy_hold *hold, void *user_data)
LEAVING_CALLBACK = ctypes.CFUNCTYPE(None, c_void_p, c_void_p)

# Shorthands for the signatures below. Handles are opaque pointers: c_void_p.
_handle = c_void_p
_out_handle = POINTER(c_void_p)
_string = c_char_p  # UTF-8, NUL-terminated, encoded by the caller
_out_string = POINTER(c_void_p)  # a char* we must free: kept as an address, not converted
_int32_ptr = POINTER(c_int32)  # an int32_t out value, or a const int32_t array
_shape = POINTER(c_int64)

_SIGNATURES = {
    "osipy_cache_last_error": (c_char_p, []),
    "osipy_cache_open": (c_int32, [_string, _out_handle]),
    "osipy_cache_close": (c_int32, [_handle]),
    "osipy_cache_get_policy": (c_int32, [_handle, _string, _int32_ptr]),
    "osipy_cache_put": (
        c_int32, [_handle, _string, _string, c_int32, c_void_p, _shape, c_int32, _string]),
    "osipy_cache_put_bundle": (
        c_int32,
        [_handle, _string, _string, c_int32, POINTER(c_char_p), _int32_ptr, POINTER(c_void_p),
         POINTER(_shape), _int32_ptr, _string]),
    "osipy_cache_create": (
        c_int32,
        [_handle, _string, _string, c_int32, _shape, c_int32, _string, _out_handle,
         POINTER(c_void_p)]),
    "osipy_cache_get_or_create": (
        c_int32,
        [_handle, _string, _string, c_int32, _shape, c_int32, _string, c_void_p, c_void_p,
         _out_handle, POINTER(c_void_p), _int32_ptr, _int32_ptr, _shape]),
    "osipy_cache_get_or_compute": (
        c_int32, [_handle, _string, _string, c_void_p, c_void_p, _out_handle, _int32_ptr, _int32_ptr]),
    "osipy_cache_lease_checksum": (c_int32, [_handle, c_int32, POINTER(ctypes.c_uint64), POINTER(c_int64)]),
    "osipy_cache_entries_json": (c_int32, [_handle, _string, _out_string]),
    "osipy_cache_get_or_create_blocks": (
        c_int32,
        [_handle, _string, _string, c_int32, _shape, c_int32, c_int32, _string, c_void_p, c_void_p,
         _out_handle, POINTER(c_void_p), _int32_ptr, _int32_ptr, _shape]),
    "osipy_cache_commit": (c_int32, [_handle]),
    "osipy_cache_abandon": (c_int32, [_handle]),
    "osipy_cache_get": (
        c_int32,
        [_handle, _string, _string, _out_handle, POINTER(c_void_p), _int32_ptr, _int32_ptr,
         _shape]),
    "osipy_cache_get_bundle": (c_int32, [_handle, _string, _string, _out_handle, _int32_ptr]),
    "osipy_cache_get_any": (
        c_int32, [_handle, _string, _string, _out_handle, _int32_ptr, _int32_ptr]),
    "osipy_cache_bundle_array": (
        c_int32,
        [_handle, c_int32, POINTER(c_char_p), POINTER(c_void_p), _int32_ptr, _int32_ptr, _shape]),
    "osipy_cache_release": (c_int32, [_handle]),
    "osipy_cache_has": (c_int32, [_handle, _string, _string, _int32_ptr]),
    "osipy_cache_invalidate": (c_int32, [_handle, _string, _string]),
    "osipy_cache_invalidate_tag": (c_int32, [_handle, _string, _int32_ptr]),
    "osipy_cache_clear": (c_int32, [_handle, _string]),
    "osipy_cache_stats_json": (c_int32, [_handle, _out_string]),
    "osipy_cache_entry_json": (c_int32, [_handle, _string, _string, _out_string]),
    "osipy_cache_free_string": (c_int32, [c_void_p]),
    "osipy_take_warning": (c_int32, [_out_string]),
    "osipy_cache_prepare_fork": (c_int32, []),
    "osipy_cache_lease_mapping": (c_int32, [_handle, POINTER(c_void_p), POINTER(c_int64)]),
    "osipy_cache_hold": (
        c_int32,
        [_handle, LEAVING_CALLBACK, c_void_p, _out_handle, POINTER(c_void_p), POINTER(c_int64)]),
    "osipy_cache_release_hold": (c_int32, [_handle]),
    "osipy_cache_keep_memory": (c_int32, [c_void_p, _out_handle]),
    "osipy_cache_release_memory": (c_int32, [_handle]),
    "osipy_cache_lease_private": (c_int32, [_handle, _out_handle]),
}

_lock = threading.Lock()
_library: ctypes.CDLL | None = None


def candidate_paths() -> list[Path]:
    """The places searched, in order: $OSIPY_MAPPEDCACHE_LIBRARY, beside the package, then the
    publish output."""
    paths = []
    configured = os.environ.get(LIBRARY_ENV)
    if configured:
        paths.append(Path(configured))
    paths.append(_PACKAGE_DIR / LIBRARY_NAME)
    paths.append(_PUBLISH_OUTPUT)
    return paths


def locate() -> Path:
    """The path of the native library to load.

    Raises:
        OSError: $OSIPY_MAPPEDCACHE_LIBRARY names a missing file (an explicit setting that is
            wrong is an error, not a reason to load some other build), or no place holds it.
    """
    configured = os.environ.get(LIBRARY_ENV)
    if configured:
        if Path(configured).is_file():
            return Path(configured)
        raise OSError(f"{LIBRARY_ENV} is set to '{configured}', which is not a file.")
    for path in candidate_paths():
        if path.is_file():
            return path
    raise OSError(
        f"{LIBRARY_NAME} was not found. Looked in: (1) the file named by ${LIBRARY_ENV} (unset); "
        f"(2) beside the package, {_PACKAGE_DIR / LIBRARY_NAME}; (3) the repository's publish "
        f"output, {_PUBLISH_OUTPUT}. Build it from the repository root with: {PUBLISH_COMMAND}")


def library() -> ctypes.CDLL:
    """The loaded, declared library; loaded once per process."""
    global _library
    with _lock:
        if _library is None:
            loaded = ctypes.CDLL(str(locate()))
            for name, (restype, argtypes) in _SIGNATURES.items():
                function = getattr(loaded, name)
                function.restype = restype
                function.argtypes = argtypes
            # The library holds a fork until other threads' calls return, but its fork handler
            # runs inside fork(), where this thread holds the GIL that a get_or_create fill in
            # another thread needs to finish.  So the wait happens first, here: a ctypes call
            # releases the GIL (include/osipy_mappedcache.h, osipy_cache_prepare_fork).
            os.register_at_fork(before=loaded.osipy_cache_prepare_fork)
            _library = loaded
        return _library


def logger():
    """The ``osipy_mappedcache`` logger, imported when the first message comes: importing
    logging costs a new process about 1 ms that a get never needs (docs/PERFORMANCE.md, issue 22)."""
    import logging

    return logging.getLogger("osipy_mappedcache")


def report_warnings(lib: ctypes.CDLL) -> None:
    """Sends the library's untaken warnings (a cluster out of reach, once per outage; a corrupt
    segment set aside) to the ``osipy_mappedcache`` logger.  Called after the calls that can
    cause them, never on a hit."""
    while True:
        text = c_void_p()
        if lib.osipy_take_warning(byref(text)) != OK or not text.value:
            return
        try:
            logger().warning("%s", ctypes.string_at(text.value).decode("utf-8", "replace"))
        finally:
            lib.osipy_cache_free_string(text.value)

"""Zero-copy numpy views over mapped segments, and the leases (or kept writer memory) that keep them mapped.

Lifetime rule: a lease (osipy_cache_get / osipy_cache_get_bundle) keeps the segment mapped until
osipy_cache_release.  Here a :class:`Lease` object owns that handle and releases it from a
``weakref.finalize`` when it is garbage-collected.  Each returned array's base is a
:class:`MappedBuffer` that holds the lease, and every numpy view keeps its base alive, so the
release happens only after the array, every slice of it and (for a bundle) every sibling array
are gone.  No array can outlive its mapping.
"""

from __future__ import annotations

import ctypes
import math
import os
import weakref

from ctypes import byref, c_void_p

import numpy as np

from . import _dtypes
from ._errors import check


def _release(lib: ctypes.CDLL, handle: int, pid: int) -> None:
    # Runs from the garbage collector: it must not raise, and a failure (BAD_HANDLE) cannot be
    # acted on, so its status is ignored.  In a forked child the lease is the parent's: the
    # child's copy of the mapping goes when the child exits, and the library is not called.
    if os.getpid() == pid:
        lib.osipy_cache_release(handle)


class Lease:
    """Owns one lease handle; releases it once, when this object is collected or on release()."""

    __slots__ = ("__weakref__", "_finalizer")

    def __init__(self, lib: ctypes.CDLL, handle: int) -> None:
        self._finalizer = weakref.finalize(self, _release, lib, handle, os.getpid())
        # At interpreter exit the process unmaps everything anyway; calling into the library
        # during shutdown would gain nothing.
        self._finalizer.atexit = False

    def release(self) -> None:
        """Releases now (used when no array was built on the lease)."""
        self._finalizer()


class MappedBuffer:
    """The base object of an array returned by a get: mapped memory described to numpy.

    It exposes the mapped bytes through ``__array_interface__`` (read-only) and holds the lease,
    so the mapping stays valid while any array over it is referenced.  ``address`` is the start
    of the mapped payload.
    """

    __slots__ = ("__array_interface__", "__weakref__", "_lease", "address", "handle", "index", "source", "stored", "whole")

    def __init__(self, lease: Lease, address: int, dtype: np.dtype, shape: tuple[int, ...],
                 writable: bool = False, handle: int | None = None, index: int = 0,
                 source: str | None = None):
        self._lease = lease
        self.address = address
        # Where the bytes come from, for a provenance key: the lease handle and the array's index
        # in it give the record's stored checksum (osipy_cache_lease_checksum); None when the
        # memory is private (a writable get), whose bytes the caller may have changed.
        self.handle = None if writable else handle
        self.index = index
        self.source = source
        self.stored = None  # the provenance identity, once asked for (cache._as_input)
        self.whole = None  # a weak reference to the array over all of it, as the get returned it
        self.__array_interface__ = {
            "version": 3,
            "data": (address, not writable),  # True: read-only
            "shape": shape,
            "typestr": dtype.str,
        }


def view(lease: Lease, address: int | None, code: int, shape: tuple[int, ...],
         writable: bool = False, handle: int | None = None, index: int = 0,
         source: str | None = None) -> np.ndarray:
    """An ndarray over `address` that keeps `lease` alive; read-only unless `writable` (a lease
    from osipy_cache_lease_private, whose mapping is this array's alone)."""
    dtype = _dtypes.dtype_for(code)
    if not address:
        # A zero-size array may legitimately come back without a data pointer; numpy cannot
        # describe NULL memory, and there are no bytes to share anyway.
        if math.prod(shape) != 0:
            raise RuntimeError("The native library returned no data for a non-empty array.")
        empty = np.empty(shape, dtype)
        empty.flags.writeable = writable
        return empty
    buffer = MappedBuffer(lease, address, dtype, shape, writable, handle, index, source)
    array = np.asarray(buffer)
    buffer.whole = weakref.ref(array)  # weak: the array owns the buffer, not the other way round
    return array


def _release_memory(lib: ctypes.CDLL, handle: int, pid: int) -> None:
    # As _release: from the garbage collector, never raising, never in a forked child.
    if os.getpid() == pid:
        lib.osipy_cache_release_memory(handle)


class KeptMemory:
    """The base of a writable array over a writer's memory (a ``create`` block's ``out``, the
    array a ``get_or_create`` fill is given): keeps that memory mapped while the array or any view
    of it is referenced.  When the writer commits or abandons, the library turns the memory into a
    private copy-on-write mapping, so an array kept past the block or the fill still reads what
    was written, and writing to it changes nothing in the cache and no other memory."""

    __slots__ = ("__array_interface__", "__weakref__", "_finalizer")

    def __init__(self, lib: ctypes.CDLL, address: int, dtype: np.dtype, shape: tuple[int, ...]):
        handle = c_void_p()
        check(lib, lib.osipy_cache_keep_memory(address, byref(handle)), "osipy_cache_keep_memory")
        self._finalizer = weakref.finalize(self, _release_memory, lib, handle.value, os.getpid())
        self._finalizer.atexit = False  # the process unmaps everything at exit anyway
        self.__array_interface__ = {
            "version": 3,
            "data": (address, False),
            "shape": shape,
            "typestr": dtype.str,
        }


def writer_view(lib: ctypes.CDLL, address: int | None, dtype: np.dtype,
                shape: tuple[int, ...]) -> np.ndarray:
    """A writable ndarray over a writer's data that stays safe to use after the writer is done."""
    if not address or math.prod(shape) == 0:
        return np.zeros(shape, dtype)  # nothing to write into: no bytes are shared
    return np.asarray(KeptMemory(lib, address, dtype, shape))

"""Registered mappings: each mapping a device get reads is registered with CUDA once, reused by
every later device get of it, and unregistered before the mapping can be unmapped.

The library's holds (``osipy_cache_hold``) make the last rule hold: a hold keeps the mapping
mapped, and the library calls :func:`_leaving` when the cache lets go of it (eviction,
invalidation, replacement, expiry, close).  Then the registration is undone as soon as no copy
is in flight from it, and only after that is the hold released::

    first device get:  hold -> cudaHostRegister -> copy
    later device gets: (found by the mapping's address) -> copy
    cache lets go:     _leaving -> [copies in flight end] -> cudaHostUnregister -> release hold

What is registered is the hold's range: the segment file mapped again, shared and read-only,
beside the lease's private copy-on-write mapping (the kernel copies every page of a private
mapping before pinning it, which made registering a large segment take minutes).  Copies read
the same offsets from it (:meth:`Registration.source`).

One registry per process (a CUDA registration is the process's), keyed by the address of the
lease's mapping: an address names one mapping for as long as it is held, and it leaves the
registry before its hold is released, so a later mapping at the same address is never mistaken
for it.
"""

from __future__ import annotations

import ctypes
import itertools
import threading
from ctypes import byref, c_int64, c_void_p
# typing is imported by type checkers only: importing it costs a new process about 1.5 ms
# (docs/PERFORMANCE.md, issue 22), and every annotation here is a string.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

import numpy as np

from . import _native
from ._device import _Backend
from ._errors import check



class Registration:
    """One held mapping and what was attached to it.  ``registered`` is False where CUDA refused
    (copies from it then go the pageable way, and are still correct)."""

    __slots__ = ("address", "backend", "base", "copies", "error", "finished", "hold", "id",
                 "length", "leaving", "ready", "registered", "token")

    def __init__(self, backend: _Backend, base: int, length: int) -> None:
        self.id = next(_ids)
        self.backend = backend
        self.base = base          # the lease's mapping: the key
        self.address = 0          # the hold's shared read-only mapping: what is registered
        self.length = length
        self.hold: int | None = None
        self.registered = False
        self.token: Any = None
        self.error: BaseException | None = None
        self.copies = 1  # the creating get's copy, counted from the start
        self.leaving = False
        self.finished = False
        self.ready = threading.Event()

    def source(self, view: np.ndarray) -> np.ndarray:
        """The bytes of ``view`` (an array of the lease's mapping) read through the registered
        mapping: same offset, same values, pages pinned.  ``view`` itself where not registered."""
        if not self.registered or view.nbytes == 0:
            return view
        start = self.address + (view.ctypes.data - self.base)
        raw = (ctypes.c_char * view.nbytes).from_address(start)
        twin = np.frombuffer(raw, dtype=view.dtype).reshape(view.shape)
        twin.flags.writeable = False
        return twin


_ids = itertools.count(1)
_lock = threading.Lock()
_live: dict[int, Registration] = {}   # by mapping address: those a get may still use
_held: dict[int, Registration] = {}   # by id: every one whose hold is not yet released
_warned = False


def registered_ranges() -> list[tuple[int, int]]:
    """(address, length) of every mapping registered now; for tests and diagnostics."""
    with _lock:
        return [(r.address, r.length) for r in _held.values() if r.registered]


def acquire(lib: ctypes.CDLL, lease: int, backend: _Backend) -> Registration | None:
    """The registration of the lease's mapping, made on the first call; counts one copy in flight
    until :func:`release`.  None where the mapping cannot be held (the cache let go of it while
    the lease was taken): copy without one."""
    base, length = c_void_p(), c_int64()
    check(lib, lib.osipy_cache_lease_mapping(lease, byref(base), byref(length)),
          "osipy_cache_lease_mapping")
    with _lock:
        # A registration made through either GPU library serves both: it is the driver's, for
        # every context (portable), and it is undone through the library that made it.
        found = _live.get(base.value)
        if found is not None:
            found.copies += 1
        else:
            created = Registration(backend, base.value, length.value)
            _live[created.base] = created
            _held[created.id] = created
    if found is not None:
        found.ready.wait()
        return found
    _attach(lib, lease, created)
    return created if created.hold is not None else None


def _attach(lib: ctypes.CDLL, lease: int, registration: Registration) -> None:
    try:
        hold, base, length = c_void_p(), c_void_p(), c_int64()
        status = lib.osipy_cache_hold(lease, _LEAVING, registration.id, byref(hold), byref(base),
                                      byref(length))
        if status == _native.MISS:
            with _lock:
                _forget(registration)
            return
        check(lib, status, "osipy_cache_hold")
        registration.hold = hold.value
        registration.address = base.value
        try:
            registration.token = registration.backend.register(
                registration.address, registration.length, read_only=True)
            registration.registered = True
        except Exception as error:  # noqa: BLE001 - any CUDA refusal: copy the pageable way
            registration.error = error
            _warn_once(f"cudaHostRegister of a {registration.length}-byte cache mapping failed "
                       f"({error}); device copies from it go through pageable memory.")
    except BaseException:
        with _lock:
            _forget(registration)
        raise
    finally:
        registration.ready.set()


def release(lib: ctypes.CDLL, registration: Registration) -> None:
    """Ends one copy; the last copy from a mapping the cache has let go of finishes it."""
    with _lock:
        registration.copies -= 1
        finish = _take_finish(registration)
    if finish:
        _finish(lib, registration)


def _take_finish(registration: Registration) -> bool:
    # Under _lock: whether this caller is the one to unregister and release the hold.
    if registration.leaving and registration.copies == 0 and not registration.finished \
            and registration.hold is not None:
        registration.finished = True
        return True
    return False


def _forget(registration: Registration) -> None:
    # Under _lock.
    if _live.get(registration.base) is registration:
        del _live[registration.base]
    _held.pop(registration.id, None)


def _finish(lib: ctypes.CDLL, registration: Registration) -> None:
    try:
        if registration.registered:
            registration.backend.unregister(registration.address, registration.token)
    except Exception as error:  # noqa: BLE001 - at interpreter exit CUDA may be gone already
        _warn_once(f"cudaHostUnregister of a cache mapping failed ({error}).")
    finally:
        registration.registered = False
        with _lock:
            _held.pop(registration.id, None)
        lib.osipy_cache_release_hold(registration.hold)


def _leaving(hold: int, user_data: int) -> None:
    """Called by the library (any thread, outside its locks) when the cache lets go of a held
    mapping: no new copy may use it, and the last copy in flight finishes it."""
    try:
        with _lock:
            registration = _held.get(user_data or 0)
            if registration is None:
                return
            registration.leaving = True
            if _live.get(registration.base) is registration:
                del _live[registration.base]
            finish = _take_finish(registration)
        if finish:
            _finish(_native.library(), registration)
    except BaseException as error:  # noqa: BLE001 - nothing may escape into the library's thread
        _warn_once(f"Undoing a GPU registration failed: {error!r}")


def _warn_once(message: str) -> None:
    global _warned
    if not _warned:
        _warned = True
        _native.logger().warning("%s", message)


# Kept for the life of the process: the library may call it until the last hold goes.
_LEAVING = _native.LEAVING_CALLBACK(_leaving)


def write_from_device(backend: _Backend, array: Any, view: Any) -> None:
    """Copies a device array into ``view``, a new segment's writable mapping, registered for the
    copy alone (the writer owns that mapping and unmaps it at commit, after this returns).

    Where CUDA refuses to register it (some kernels refuse to page-lock a writable shared file
    mapping for long), the copy still goes straight into the mapping, staged by the driver."""
    address, length = view.ctypes.data, view.nbytes
    token, registered = None, False
    try:
        token = backend.register(address, length, read_only=False)
        registered = True
    except Exception as error:  # noqa: BLE001 - any CUDA refusal: copy unregistered
        # Expected on most file systems (ext4, xfs): Linux refuses to page-lock a writable shared
        # file mapping for long (it cannot track the device's writes), and CUDA says "invalid
        # argument". tmpfs allows it. The copy is as correct either way, so this is no warning.
        _native.logger().debug("cudaHostRegister of a new segment's mapping failed (%s); the copy from the "
                      "device goes through the driver's staging buffers.", error)
    try:
        backend.to_host(array, view)
    finally:
        if registered:
            backend.unregister(address, token)

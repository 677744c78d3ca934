"""IntermediateCache: osipy's intermediate-result cache over the memory-mapped native store."""

from __future__ import annotations

import ctypes
import json
import os
import re
import weakref
from collections.abc import Mapping
from ctypes import POINTER, byref, c_char_p, c_int32, c_int64, c_void_p
# typing is imported by type checkers only: importing it costs a new process about 1.5 ms
# (docs/PERFORMANCE.md, issue 22), and every annotation here is a string.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ._device_writer import DeviceWriter
    from ._host_writer import HostWriter

import numpy as np

from . import _device, _dtypes, _encoding, _leases, _metadata, _native
from ._errors import CacheClosedError, CacheForkedError, check, error_for
from ._callbacks import Callback
from ._text import text as _text
from .config import CacheConfig, RetentionPolicy

ArrayResult = np.ndarray | dict[str, np.ndarray]


def _close(lib: ctypes.CDLL, handle: int, pid: int) -> int | None:
    # A forked child never closes its parent's session: the parent still uses it.
    return lib.osipy_cache_close(handle) if os.getpid() == pid else None


class IntermediateCache:
    """A session on a cache directory of memory-mapped arrays, with the seed's interface.

    ``get`` returns zero-copy, read-only views of the mapped files: an array stays valid while it
    (or any view of it) is referenced, even after the entry is invalidated, evicted or the cache
    closed.  Closing ends the session: its CACHED entries are removed, PERSISTENT ones stay.
    Closing also happens when the object is garbage-collected or the interpreter exits.
    All methods may be called from any thread.
    """

    def __init__(self, config: CacheConfig | None = None) -> None:
        """Opens a session.

        Raises:
            OSError: the library was not found, or the directory is a symlink or cannot be created.
            PermissionError: the directory belongs to another user.
            ValueError: a bad configuration value.
        """
        self.config = config if config is not None else CacheConfig()
        self._lib = _native.library()
        handle = c_void_p()
        status = self._lib.osipy_cache_open(self.config.to_json().encode("utf-8"), byref(handle))
        _native.report_warnings(self._lib)
        check(self._lib, status, "osipy_cache_open")
        self._handle: int = handle.value
        self._pid = os.getpid()
        self._finalizer = weakref.finalize(self, _close, self._lib, self._handle, self._pid)

    # -- lifetime -----------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """Whether close() has ended the session."""
        return not self._finalizer.alive

    def close(self) -> None:
        """Ends the session; CACHED entries are removed. Arrays got stay valid. Idempotent."""
        status = self._finalizer()  # None when already closed
        if status is not None:
            check(self._lib, status, "osipy_cache_close")

    def __enter__(self) -> IntermediateCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"IntermediateCache({state}, cache_dir={self.config.cache_dir!r})"

    def _cache(self) -> int:
        # The handle of an open session. A close() racing with this call makes the library
        # answer BAD_HANDLE, which also becomes CacheClosedError.
        if not self._finalizer.alive:
            raise CacheClosedError("The cache is closed.")
        if os.getpid() != self._pid:
            raise CacheForkedError(
                f"This IntermediateCache was opened in process {self._pid}; process {os.getpid()} is "
                "a child forked from it and cannot use it. Open an IntermediateCache in the worker "
                "(get_cache() opens one per process), or start workers with multiprocessing's "
                "'spawn' or 'forkserver' method.")
        return self._handle

    # -- the seed's interface -----------------------------------------------------------------

    def get_policy(self, result_type: str) -> RetentionPolicy:
        """The policy of result_type: its entry in ``config.policies``, else the default."""
        policy = c_int32()
        status = self._lib.osipy_cache_get_policy(
            self._cache(), _text(result_type, "result_type"), byref(policy))
        check(self._lib, status, "osipy_cache_get_policy")
        return RetentionPolicy.from_code(policy.value)

    def put(self, result_type: str, key: str, data: np.ndarray | Mapping[str, np.ndarray] | complex,
            metadata: dict[str, Any] | None = None, tags: list[str] | tuple[str, ...] | None = None,
            like: tuple[str, str] | None = None) -> None:
        """Stores an array, or a dict of named arrays, replacing any entry under (type, key).

        The data is copied into a new segment file (made C-contiguous and little-endian first);
        nothing is stored for a TRANSIENT type.  A scalar (``0.98``, ``True``, ``np.float32(2)``)
        or 0-d array, alone or as a dict value, is stored as a 0-d array and comes back as one.
        metadata must be JSON-serializable; its numbers keep their kind (``1400.0`` comes back a
        float, ``3`` an int).

        ``tags`` label the entry ("subject:07", "study:dce-2026"): :meth:`invalidate_tag` removes
        every entry carrying one, and :meth:`get_entry` lists them.

        ``like=("dce", "sub-01")`` gives the new entry the image geometry of that entry: its
        ``nifti.*`` metadata (voxel sizes, orientation; what ``osipy-cache import`` kept of the
        NIfTI header), so ``osipy-cache export`` writes a derived map with the source's affine.
        Keys in ``metadata`` win over copied ones.

        ``data`` may be on the GPU (a CuPy array, a torch CUDA tensor): it is copied from the
        device straight into the new segment's mapping, registered with CUDA for the copy, with
        no host array in between.  A dict's GPU arrays are copied to host arrays first.

        Raises:
            TypeError: an unsupported dtype, or a key, type or name that is not a str.
            ValueError: a shape the format cannot hold.
            OSError: the segment could not be written (disk full, ...).
            DeviceUnavailableError: data is on a GPU whose library (CuPy, PyTorch) is missing.
            KeyError: ``like`` names no entry.
        """
        args = (self._cache(), _text(result_type, "result_type"), _text(key, "key"))
        if like is not None:
            metadata = {**self._geometry_of(like), **(metadata or {})}
        metadata_json = _metadata.encode(metadata, tags)
        if _device.is_device_array(data):
            from ._device_writer import DeviceWriter  # with the GPU's modules, on first use (issue 22)

            with DeviceWriter.for_array(self._lib, args, data, metadata_json):
                pass  # for_array fills the segment from the array; leaving the block commits
            return
        if isinstance(data, Mapping):
            self._put_bundle(args, data, metadata_json)
            return
        array, code = _dtypes.prepare(data)
        shape = (c_int64 * array.ndim)(*array.shape)
        status = self._lib.osipy_cache_put(
            *args, code, array.ctypes.data, shape, array.ndim, metadata_json)
        _native.report_warnings(self._lib)
        check(self._lib, status, "osipy_cache_put")

    def _geometry_of(self, like: tuple[str, str]) -> dict[str, Any]:
        """The ``nifti.*`` metadata of the entry ``like`` names, but the stored type of its file."""
        if not (isinstance(like, tuple) and len(like) == 2):
            raise TypeError(f"like must be a (result_type, key) tuple naming an entry, not {like!r}")
        entry = self.get_entry(*like)
        if entry is None:
            raise KeyError(f"like={like!r} names no entry to take the geometry from")
        return {name: value for name, value in entry["metadata"].items()
                if name.startswith("nifti.") and name != "nifti.stored_datatype"}

    def _put_bundle(self, args: tuple, data: Mapping[str, np.ndarray],
                    metadata_json: bytes | None) -> None:
        names = [_text(name, "an array name") for name in data]
        prepared = [_dtypes.prepare(_device.to_numpy(array) if _device.is_device_array(array) else array,
                                    f"data[{name!r}]") for name, array in data.items()]
        count = len(prepared)
        # These ctypes arrays point into `prepared` and `shapes`, which stay referenced here
        # until the call returns.
        shapes = [(c_int64 * array.ndim)(*array.shape) for array, _ in prepared]
        status = self._lib.osipy_cache_put_bundle(
            *args, count,
            (c_char_p * count)(*names),
            (c_int32 * count)(*(code for _, code in prepared)),
            (c_void_p * count)(*(array.ctypes.data for array, _ in prepared)),
            (POINTER(c_int64) * count)(*(ctypes.cast(shape, POINTER(c_int64)) for shape in shapes)),
            (c_int32 * count)(*(array.ndim for array, _ in prepared)),
            metadata_json)
        _native.report_warnings(self._lib)
        check(self._lib, status, "osipy_cache_put_bundle")

    def create(self, result_type: str, key: str, shape: tuple[int, ...] | list[int],
               dtype: np.dtype | type | str, metadata: dict[str, Any] | None = None, *,
               device: str | None = None, like: Any = None,
               tags: list[str] | tuple[str, ...] | None = None) -> HostWriter | DeviceWriter:
        """A zero-copy put: ``with cache.create(type, key, shape, dtype) as out: out[...] = ...``.

        ``out`` is a writable, zeroed numpy view of the new segment file itself, to fill in place
        (no copy at the end).  Leaving the block normally publishes the entry, as ``put`` would;
        an exception abandons it and leaves nothing behind.  ``out`` may be kept past the block:
        it then reads what was written, and writing to it changes nothing in the cache (its memory
        becomes a private copy-on-write mapping when the block ends).

        With ``device="cuda"`` (or ``"cuda:N"``) the entry is computed on the GPU instead: ``out``
        is a zeroed CuPy array (a torch tensor with ``like=torch``) on that device, copied into
        the new segment through its CUDA-registered mapping when the block ends.

        For a host create, ``like=("dce", "sub-01")`` copies that entry's geometry, as ``put``'s.

        Raises:
            TypeError: an unsupported dtype.
            ValueError: a bad shape, key or device.
            DeviceUnavailableError: with ``device``, the GPU library or a CUDA device is missing.
            OSError: the segment could not be created (disk full, ...) or published.
        """
        args = (self._cache(), _text(result_type, "result_type"), _text(key, "key"))
        dims = tuple(int(d) for d in shape)
        if device is None:
            if isinstance(like, tuple):  # like=("dce", "sub-01"): that entry's geometry, as put's
                metadata = {**self._geometry_of(like), **(metadata or {})}
            elif like is not None:
                raise ValueError("like= is an entry's (result_type, key) for a host create, or the GPU "
                                 "library of a device create: pass device='cuda' too")
            from ._host_writer import HostWriter  # imported on first use (issue 22)

            return HostWriter(self._lib, args, dims, np.dtype(dtype), _metadata.encode(metadata, tags))
        metadata_json = _metadata.encode(metadata, tags)
        backend = _device.backend_for(device, like)
        from ._device_writer import DeviceWriter  # with the GPU's modules, on first use (issue 22)

        return DeviceWriter.for_shape(self._lib, args, backend, dims, np.dtype(dtype), metadata_json)

    def get(self, result_type: str, key: str, device: str | None = None,
            like: Any = None, writable: bool = False) -> ArrayResult | Any | None:
        """The entry as a read-only zero-copy array (or dict of arrays); None on a miss.

        A miss is an absent, TRANSIENT, expired or corrupt entry (with ``legacy_osipy_dir``, one
        that osipy's own cache does not have either).  The returned arrays keep the
        file mapped while they are referenced; writing to them is refused (they are views of
        the cache, and a private copy-on-write mapping besides).

        With ``writable=True`` the arrays may be written, as osipy's copies may: they are a
        private copy-on-write mapping of their own, so nothing is copied until a page is written,
        and writes reach neither the file, nor other gets (in this process or any other), nor
        the cache.  (If the entry was replaced or invalidated between the look-up and the
        mapping, the arrays are copied instead.)

        With ``device="cuda"`` (or ``"cuda:N"``) the entry comes back on the GPU instead: a new
        CuPy array, or a torch CUDA tensor with ``like=torch``, copied from the entry's mapping.
        The first device get of a mapping registers it with CUDA (page-locked, read-only), so
        that copy and every later one run at the bus's speed; the registration is undone before
        the mapping goes (eviction, invalidation, replacement, close).

        Raises:
            DeviceUnavailableError: a device get without CuPy/PyTorch or without a CUDA device.
            ValueError: a device other than None, "cuda" or "cuda:N"; like without device.
        """
        if device is None and like is not None:
            raise ValueError("like= chooses the GPU library of a device get: pass device='cuda' too")
        backend = None if device is None else _device.backend_for(device, like)
        return self._get(_text(result_type, "result_type"), _text(key, "key"), result_type, key,
                         backend, writable)

    def _get(self, type_text: bytes, key_text: bytes, result_type: str, key: str,
             backend: Any = None, writable: bool = False) -> ArrayResult | Any | None:
        """get() with its type and key already checked and encoded (memoize's hits reuse them)."""
        args = (self._cache(), type_text, key_text)
        # One look-up that reports the entry's kind: an array, or a bundle of named arrays.
        lease, kind, count = c_void_p(), c_int32(), c_int32()
        status = self._lib.osipy_cache_get_any(*args, byref(lease), byref(kind), byref(count))
        if status == _native.MISS:
            _native.report_warnings(self._lib)
            return None
        check(self._lib, status, "osipy_cache_get_any")
        # One lease for all the arrays: released when the last of them is collected.
        owner = _leases.Lease(self._lib, lease.value)
        if backend is not None:
            return self._to_device(lease.value, owner, count.value, kind.value, backend)
        return self._arrays(owner, lease.value, kind.value, count.value, writable,
                            f"{result_type}/{key}")

    def _arrays(self, owner: _leases.Lease, lease: int, kind: int, count: int, writable: bool,
                source: str) -> ArrayResult:
        """The array, or dict of arrays, of a lease that ``owner`` holds."""
        if writable:
            owner, handle, copy = self._private(owner, lease)
        else:
            handle, copy = lease, False
        arrays = {}
        for index in range(count):
            name, view = self._array_at(owner, handle, index, writable and not copy, source)
            arrays[name] = np.array(view) if copy else view
        if kind == _native.KIND_ARRAY:
            return arrays[""]
        return arrays

    def _to_device(self, lease: int, owner: _leases.Lease, count: int, kind: int,
                   backend: _device._Backend) -> Any:
        """Copies every array under the lease to the device through the mapping's registration."""
        from . import _registrations  # the GPU's modules, on first use (issue 22)

        registration = _registrations.acquire(self._lib, lease, backend)
        try:
            arrays = {}
            for index in range(count):
                name, view = self._array_at(owner, lease, index)
                source = registration.source(view) if registration is not None else view
                arrays[name] = backend.to_device(source)
                del view, source
        finally:
            if registration is not None:
                _registrations.release(self._lib, registration)
            owner.release()  # the device arrays are copies: the host lease is done with
        return arrays[""] if kind == _native.KIND_ARRAY else arrays

    def _private(self, owner: _leases.Lease, lease: int) -> tuple[_leases.Lease, int, bool]:
        """A lease over a private copy-on-write mapping of the same arrays, replacing `owner`'s;
        or `owner` itself and True (copy the arrays) when the entry's file is gone."""
        private = c_void_p()
        status = self._lib.osipy_cache_lease_private(lease, byref(private))
        if status == _native.MISS:
            return owner, lease, True
        check(self._lib, status, "osipy_cache_lease_private")
        owner.release()
        return _leases.Lease(self._lib, private.value), private.value, False

    def _array_at(self, owner: _leases.Lease, lease: int, index: int,
                  writable: bool = False, source: str | None = None) -> tuple[str, np.ndarray]:
        name, data, dtype, ndim = c_char_p(), c_void_p(), c_int32(), c_int32()
        shape = (c_int64 * _native.MAX_DIMS)()
        status = self._lib.osipy_cache_bundle_array(
            lease, index, byref(name), byref(data), byref(dtype), byref(ndim), shape)
        check(self._lib, status, "osipy_cache_bundle_array")
        # name.value copies the bytes now; the library's pointer dies with the lease.
        name = name.value.decode("utf-8")
        return name, _leases.view(owner, data.value, dtype.value, tuple(shape[:ndim.value]), writable,
                                  lease, index, source if not name else f"{source}[{name}]")

    def get_or_create(self, result_type: str, key: str, shape: tuple[int, ...] | list[int],
                      dtype: np.dtype | type | str, fill: Any,
                      tags: list[str] | tuple[str, ...] | None = None,
                      blocks: int | None = None) -> np.ndarray:
        """The entry if any session, process or node has it; otherwise computes it once.

        Exactly one caller in the cluster (or on this node, without ``redis``) calls ``fill(array)``
        with a writable, zeroed numpy array of ``shape`` and ``dtype`` that is the new segment
        itself, to be filled in place; the other callers wait, then every one gets the result as
        ``get`` returns it (read-only, zero-copy).  If ``fill`` raises, nothing is published and
        the exception reaches this caller (the next waiting caller computes).  An array the fill
        keeps stays safe to use after the call: it then reads what it wrote, and writing to it
        changes neither the entry nor any later get (its memory becomes private at the commit).

        With ``blocks=N`` the fill resumes after a kill: the outer dimension ``shape[0]`` is split
        into N blocks (block i covers rows ``i*shape[0]//N`` to ``(i+1)*shape[0]//N - 1``;
        ``1 <= N <= shape[0]``), and ``fill(index, out)`` is called once per block still to
        compute, ``out`` a writable, zeroed numpy view of shape ``(rows_in_block, *shape[1:])``
        over the block's rows in the new segment.  Each finished block is recorded on disk, so if
        the process is killed or ``fill`` raises, the next caller for the key calls ``fill`` only
        for the blocks not recorded, and the entry equals an uninterrupted fill's (as long as a
        block depends only on its index).  Records nobody resumes are removed after
        ``CacheConfig.unfinished_fill_retention_seconds``.

        Raises:
            TypeError: an unsupported dtype, or the entry exists with another dtype or as a dict.
            ValueError: a bad shape or key, or ``blocks`` out of range.
            OSError: the segment could not be created or published.
        """
        args = (self._cache(), _text(result_type, "result_type"), _text(key, "key"))
        wanted = np.dtype(dtype)
        code = _dtypes.code_for(wanted)
        dims = tuple(int(d) for d in shape)
        if blocks is not None:
            from . import _blocks  # imported on first use (issue 22)

            lease_handle, address, found_code, found_shape = _blocks.get_or_create_blocks(
                self._lib, args, code, wanted, dims, int(blocks), _metadata.encode(None, tags), fill)
            return _leases.view(_leases.Lease(self._lib, lease_handle), address, found_code, found_shape)
        callback = Callback(_native.FILL_CALLBACK, lambda data, _size, _user: fill(
            _leases.writer_view(self._lib, data, wanted, dims)))
        lease, data, dtype_code, ndim = c_void_p(), c_void_p(), c_int32(), c_int32()
        out_shape = (c_int64 * _native.MAX_DIMS)()
        status = self._lib.osipy_cache_get_or_create(
            *args, code, (c_int64 * len(dims))(*dims), len(dims), _metadata.encode(None, tags),
            callback.pointer, None, byref(lease), byref(data), byref(dtype_code), byref(ndim), out_shape)
        _native.report_warnings(self._lib)
        callback.raise_failure()
        check(self._lib, status, "osipy_cache_get_or_create")
        owner = _leases.Lease(self._lib, lease.value)
        return _leases.view(owner, data.value, dtype_code.value, tuple(out_shape[:ndim.value]))

    # -- provenance: memoize and explain ---------------------------------------------------------

    def memoize(self, result_type: str, function: Any = None, *, ignore: Any = (),
                version: Any = None) -> Any:
        """Caches a function's results under keys made from what they were computed from.

        ``@cache.memoize("t1_map")`` (or ``cache.memoize("t1_map", fit_t1)``) returns a function
        that, called with arguments, builds a provenance key from the function's code (its
        bytecode and that of the helpers it calls in the same package), each argument (arrays by
        content; an array got from this cache by its stored checksum, without reading it;
        numbers by their exact bits) and ``version``; returns the stored result zero-copy when
        the key is there; and otherwise computes it once across threads, processes and (with
        ``redis``) nodes, stores it (with its provenance in the metadata) and returns it as a
        get would.  A changed argument, function body or helper makes a new key; a changed
        comment, blank line or docstring does not.  The function must return a numpy array, a
        number or a dict of str to arrays and numbers; numbers come back as numpy scalars.
        For a TRANSIENT type the function just runs.

        ``ignore=["n_jobs"]`` leaves arguments that do not change the result out of the key;
        ``version="2"`` is a salt to change every key by hand.  The wrapper has ``.key(*args,
        **kwargs)`` and ``.explain(*args, **kwargs)``.

        Raises (when called):
            TypeError: an argument with no canonical form (pass it in ``ignore``), arguments
                that do not fit the signature, or a result the cache cannot store.
        """
        from . import _memoize  # imported on first use: it brings in inspect (issue 22)

        if function is None:
            return lambda decorated: _memoize.Memoized(self, result_type, decorated, ignore, version)
        return _memoize.Memoized(self, result_type, function, ignore, version)

    def explain(self, result_type: str, function: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Whether ``function(*args, **kwargs)``, memoized under result_type, would hit, and why not.

        Answers without computing: a dict with ``hit`` (bool), ``key``, ``components`` (name →
        readable value), ``nearest`` (on a miss: the key of the earlier entry of the same
        function and type that differs in the fewest components, or None) and ``changed``
        (lines naming each component that differs from it, e.g. ``"argument flip_angles: [2, 5,
        10, 15] → [2, 5, 10, 12]"`` or ``"code of fit_t1 changed (helper _signal)"``; empty on a
        hit).  ``function`` may be the memoized wrapper or the plain function; pass ``ignore``
        and ``version`` through a memoized wrapper's own ``.explain``.
        """
        from . import _memoize, _provenance  # imported on first use (issue 22)

        if isinstance(function, _memoize.Memoized):
            return function.explain(*args, **kwargs)
        return self._explain(result_type, _provenance.of_call(
            function, args, kwargs, (), None, self._as_input))

    def _explain(self, result_type: str, provenance: _provenance.Provenance) -> dict[str, Any]:
        from . import _provenance  # imported on first use (issue 22)

        stored = provenance.metadata()[_provenance.METADATA_KEY]
        answer = {"hit": self.has(result_type, provenance.key), "key": provenance.key,
                  "function": provenance.function,
                  "components": {name: text for name, (_, text) in sorted(provenance.components.items())},
                  "nearest": None, "changed": []}
        if answer["hit"]:
            return answer
        earlier = [(entry["key"], entry["created_at"], entry["metadata"][_provenance.METADATA_KEY])
                   for entry in self._entries(result_type)
                   if isinstance(entry["metadata"].get(_provenance.METADATA_KEY), dict)
                   and entry["metadata"][_provenance.METADATA_KEY].get("function") == provenance.function]
        if not earlier:
            answer["changed"] = [f"no earlier entry of {provenance.function} in {result_type}"]
            return answer
        # The fewest differences; among equals the newest.
        answer["nearest"], _, old = min(
            earlier, key=lambda row: (len(_provenance.changes(stored, row[2])), -_posix_time(row[1])))
        answer["changed"] = _provenance.changes(stored, old)
        return answer

    def _entries(self, result_type: str | None) -> list[dict[str, Any]]:
        """Every entry of result_type (every entry for None), as get_entry describes one."""
        name = None if result_type is None else _text(result_type, "result_type")
        listing = self._json(self._lib.osipy_cache_entries_json, (self._cache(), name),
                             "osipy_cache_entries_json")
        return listing["entries"] if listing is not None else []

    def _as_input(self, value: Any) -> Any:
        """A whole, read-only array got from this cache as its stored identity (its record's
        checksum: nothing is read); any other value as it is."""
        if not isinstance(value, np.ndarray):
            return value
        base = value.base
        while type(base) is np.ndarray:
            base = base.base
        if not isinstance(base, _leases.MappedBuffer) or base.handle is None:
            return value
        if base.whole is None or base.whole() is not value:  # not the very array the get returned
            whole = base.__array_interface__
            if (value.__array_interface__["data"][0] != base.address or value.shape != whole["shape"]
                    or value.dtype.str != whole["typestr"] or not value.flags.c_contiguous):
                return value  # a slice or a reinterpretation: hashed by content, like any array
        if base.stored is None:  # asked once per get: the bytes under a read-only lease never change
            checksum, length = ctypes.c_uint64(), c_int64()
            status = self._lib.osipy_cache_lease_checksum(base.handle, base.index, byref(checksum), byref(length))
            check(self._lib, status, "osipy_cache_lease_checksum")
            base.stored = _encoding.CacheInput(value.dtype, value.shape, checksum.value, length.value,
                                               base.source or "?")
        return base.stored

    def _get_or_compute(self, result_type: str, key: str, compute: Any) -> ArrayResult | None:
        """The entry, found or stored by ``compute()`` (called at most once cluster-wide);
        None for a TRANSIENT type, after compute ran."""
        args = (self._cache(), _text(result_type, "result_type"), _text(key, "key"))
        callback = Callback(_native.COMPUTE_CALLBACK, lambda _user: compute())
        lease, kind, count = c_void_p(), c_int32(), c_int32()
        status = self._lib.osipy_cache_get_or_compute(
            *args, callback.pointer, None, byref(lease), byref(kind), byref(count))
        _native.report_warnings(self._lib)
        callback.raise_failure()
        if status == _native.MISS:
            return None
        check(self._lib, status, "osipy_cache_get_or_compute")
        owner = _leases.Lease(self._lib, lease.value)
        return self._arrays(owner, lease.value, kind.value, count.value, False, f"{result_type}/{key}")

    def has(self, result_type: str, key: str) -> bool:
        """Whether a get would hit (never maps or reads the data, unless it stores a file of
        osipy's own cache: see ``CacheConfig.legacy_osipy_dir``)."""
        found = c_int32()
        status = self._lib.osipy_cache_has(
            self._cache(), _text(result_type, "result_type"), _text(key, "key"), byref(found))
        _native.report_warnings(self._lib)
        check(self._lib, status, "osipy_cache_has")
        return found.value == 1

    def invalidate(self, result_type: str, key: str) -> None:
        """Removes one entry, from disk too. Arrays already got stay valid."""
        status = self._lib.osipy_cache_invalidate(
            self._cache(), _text(result_type, "result_type"), _text(key, "key"))
        _native.report_warnings(self._lib)
        check(self._lib, status, "osipy_cache_invalidate")

    def invalidate_tag(self, tag: str) -> int:
        """Removes every entry carrying ``tag`` (given to put, create or get_or_create): every
        session's and process's, PERSISTENT and CACHED, with their raw copies, and with ``redis``
        each PERSISTENT one from the cluster and every node.  Returns how many entries the cache
        directory lost.  Arrays already got stay valid."""
        removed = c_int32()
        status = self._lib.osipy_cache_invalidate_tag(self._cache(), _text(tag, "tag"), byref(removed))
        _native.report_warnings(self._lib)
        check(self._lib, status, "osipy_cache_invalidate_tag")
        return removed.value

    def clear(self, result_type: str | None = None) -> None:
        """Removes every entry of result_type, or every entry when it is None."""
        name = None if result_type is None else _text(result_type, "result_type")
        status = self._lib.osipy_cache_clear(self._cache(), name)
        _native.report_warnings(self._lib)
        check(self._lib, status, "osipy_cache_clear")

    def get_stats(self) -> dict[str, Any]:
        """memory_entries, memory_size_mb, max_memory_mb, cache_dir, disk_entries (the seed's keys),
        and disk_size_bytes, hits, misses, hit_rate, evictions, max_disk_mb, disk_used_bytes,
        disk_evictions, expirations, corrupt_segments,
        quarantine_files, quarantine_bytes, remote_hits, remote_misses, remote_errors,
        remote_conflicts (the remote tier's; 0 without one)."""
        stats = self._json(self._lib.osipy_cache_stats_json, (self._cache(),),
                           "osipy_cache_stats_json")
        # JSON writes 1.0 as 1: keep the fractional figures floats whatever their value.
        for name in ("memory_size_mb", "hit_rate"):
            stats[name] = float(stats[name])
        return stats

    def get_entry(self, result_type: str, key: str) -> dict[str, Any] | None:
        """The entry's description without mapping it, or None if absent.

        Keys: key, result_type, created_at (a POSIX timestamp, float seconds, as the seed's
        CacheEntry has it), size_bytes, metadata (a dict), tags (a list), policy (a
        RetentionPolicy), dtype (a numpy dtype; None for a dict entry), shape (a tuple; () for a
        dict entry), array_names.
        """
        args = (self._cache(), _text(result_type, "result_type"), _text(key, "key"))
        entry = self._json(self._lib.osipy_cache_entry_json, args, "osipy_cache_entry_json")
        if entry is not None:
            entry["policy"] = RetentionPolicy(entry["policy"])
            entry["created_at"] = _posix_time(entry["created_at"])
            entry["shape"] = tuple(entry["shape"])
            if entry["dtype"] is not None:
                entry["dtype"] = _dtypes.dtype_for(entry["dtype"])
        return entry

    def _json(self, function: Any, args: tuple, operation: str) -> dict[str, Any] | None:
        # Calls a function returning a library-owned char*, parses it and frees it.
        text = c_void_p()
        status = function(*args, byref(text))
        if status == _native.MISS:
            return None
        check(self._lib, status, operation)
        try:
            return json.loads(ctypes.string_at(text.value).decode("utf-8"))
        finally:
            self._lib.osipy_cache_free_string(text.value)


def _posix_time(text: str) -> float:
    """An ISO 8601 time from the library (.NET's round-trip format, 7 fractional digits) as POSIX seconds."""
    # Python before 3.11 parses at most 6 fractional digits: drop the 7th (100 ns).
    match = re.fullmatch(r"(.*T\d\d:\d\d:\d\d)(\.\d+)?(.*)", text)
    if match is not None and match.group(2):
        text = match.group(1) + match.group(2)[:7] + match.group(3)
    from datetime import datetime  # imported on first use (issue 22)

    return datetime.fromisoformat(text).timestamp()

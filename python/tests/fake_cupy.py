"""A stand-in for CuPy that checks CUDA's host-registration rules instead of needing a GPU.

"Device memory" is host numpy arrays; copies are ctypes.memmove.  What it checks, as CUDA and
the kernel would make them matter on a real machine:

- hostRegister: the range is mapped now and overlaps no registered range (CUDA refuses a second
  registration of the same pages: cudaErrorHostMemoryAlreadyRegistered);
- hostUnregister: the address was registered, and its range is STILL mapped (unregistering after
  the unmap is the bug this exists to catch: the pages were pinned while the kernel freed them);
- memcpy from or to host memory: the range is mapped; copies from a registered range are
  counted apart from pageable ones.

Every rule broken is recorded in ``violations`` (the library calls some of these from its own
threads, where an exception would be lost).  ``install()`` puts the module in sys.modules as
"cupy"; ``uninstall()`` takes it out.
"""

from __future__ import annotations

import ctypes
import sys
import threading
import types

import numpy as np

READ_ONLY = 0x08

lock = threading.Lock()
registered: dict[int, tuple[int, int]] = {}   # address -> (length, flags)
registrations: list[tuple[int, int, int]] = []  # every hostRegister: (address, length, flags)
unregistrations: list[int] = []
violations: list[str] = []
copies = {"registered": 0, "pageable": 0}
refuse_flags: int | None = None  # hostRegister raises for flags including these bits
in_flight: list[tuple[int, int]] = []  # host ranges of copies under way
copy_started = threading.Event()
copy_gate: threading.Event | None = None  # when set to an Event, host-to-device copies wait for it


def reset() -> None:
    global refuse_flags, copy_gate
    with lock:
        in_flight.clear()
        copy_started.clear()
        copy_gate = None
        registered.clear()
        registrations.clear()
        unregistrations.clear()
        violations.clear()
        copies.update(registered=0, pageable=0)
        refuse_flags = None


def mapped_ranges() -> list[tuple[int, int]]:
    ranges = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            start, end = line.split(None, 1)[0].split("-")
            ranges.append((int(start, 16), int(end, 16)))
    return ranges


def permissions(address: int) -> str:
    """The permissions of the mapping holding address ("r--s", "rw-p", ...), or "" if none."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            span, perms = line.split(None, 2)[:2]
            start, end = (int(part, 16) for part in span.split("-"))
            if start <= address < end:
                return perms
    return ""


def is_mapped(address: int, length: int) -> bool:
    """Whether every byte of [address, address + length) lies in some mapping of this process."""
    position, end = address, address + max(length, 1)
    for start, stop in sorted(mapped_ranges()):
        if start <= position < stop:
            position = stop
            if position >= end:
                return True
    return False


def _registered_range(address: int, length: int) -> bool:
    return any(base <= address and address + length <= base + size
               for base, (size, _) in registered.items())


class CUDARuntimeError(RuntimeError):
    pass


class _Runtime(types.SimpleNamespace):
    memcpyHostToDevice = 1
    memcpyDeviceToHost = 2

    @staticmethod
    def getDeviceCount() -> int:
        return 1

    @staticmethod
    def getDevice() -> int:
        return 0

    @staticmethod
    def hostRegister(address: int, length: int, flags: int) -> None:
        with lock:
            if refuse_flags is not None and flags & refuse_flags == refuse_flags:
                raise CUDARuntimeError("cudaErrorNotSupported: refused by the fake")
            if not is_mapped(address, length):
                violations.append(f"hostRegister of unmapped memory at {address:#x}")
            if permissions(address).endswith("p") and "w" in permissions(address):
                # The kernel copies every page of a private writable mapping before pinning it,
                # read-only or not: minutes for a large segment on a real machine.
                violations.append(f"hostRegister of a private copy-on-write mapping at {address:#x}")
            for base, (size, _) in registered.items():
                if address < base + size and base < address + length:
                    violations.append(f"hostRegister of {address:#x} overlaps the registration at {base:#x}")
            registered[address] = (length, flags)
            registrations.append((address, length, flags))

    @staticmethod
    def hostUnregister(address: int) -> None:
        with lock:
            if address not in registered:
                violations.append(f"hostUnregister of {address:#x}, which is not registered")
                raise CUDARuntimeError("cudaErrorHostMemoryNotRegistered")
            length, _ = registered.pop(address)
            if any(address <= host < address + length for host, _ in in_flight):
                violations.append(f"hostUnregister of {address:#x} WHILE a copy from it was under way")
            if not is_mapped(address, length):
                violations.append(f"hostUnregister of {address:#x} AFTER its memory was unmapped")
            unregistrations.append(address)

    @staticmethod
    def memcpy(destination: int, source: int, length: int, kind: int) -> None:
        host = source if kind == _Runtime.memcpyHostToDevice else destination
        with lock:
            if not is_mapped(host, length):
                violations.append(f"memcpy with unmapped host memory at {host:#x}")
            copies["registered" if _registered_range(host, length) else "pageable"] += 1
            in_flight.append((host, length))
        try:
            copy_started.set()
            if copy_gate is not None and kind == _Runtime.memcpyHostToDevice:
                copy_gate.wait(60)
            ctypes.memmove(destination, source, length)
        finally:
            with lock:
                in_flight.remove((host, length))


class _Pointer:
    def __init__(self, ptr: int) -> None:
        self.ptr = ptr


class ndarray:
    """A "device" array: host memory that only the fake's memcpy and get() touch."""

    def __init__(self, host: np.ndarray) -> None:
        self._host = host

    shape = property(lambda self: self._host.shape)
    dtype = property(lambda self: self._host.dtype)
    nbytes = property(lambda self: self._host.nbytes)
    data = property(lambda self: _Pointer(self._host.ctypes.data))

    @property
    def __cuda_array_interface__(self) -> dict:
        return {"version": 3, "shape": self.shape, "typestr": self.dtype.str,
                "data": (self._host.ctypes.data, False), "strides": None}

    def __setitem__(self, index, value) -> None:
        self._host[index] = value._host if isinstance(value, ndarray) else value

    def get(self) -> np.ndarray:
        return self._host.copy()

    def __eq__(self, other) -> "ndarray":  # elementwise, as CuPy's
        return ndarray(self._host == (other._host if isinstance(other, ndarray) else other))

    __hash__ = object.__hash__

    def all(self) -> bool:
        return bool(self._host.all())


class _Device:
    def __init__(self, ordinal: int | None = 0) -> None:
        self.id = ordinal

    def __enter__(self) -> "_Device":
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass


class _Stream:
    def synchronize(self) -> None:
        pass


def empty(shape, dtype) -> ndarray:
    return ndarray(np.empty(shape, dtype))


def zeros(shape, dtype) -> ndarray:
    return ndarray(np.zeros(shape, dtype))


def asarray(host) -> ndarray:
    return ndarray(np.array(host, copy=True))


def ascontiguousarray(array: ndarray) -> ndarray:
    return array if array._host.flags.c_contiguous else ndarray(np.ascontiguousarray(array._host))


def install() -> types.ModuleType:
    module = sys.modules[__name__]
    module.cuda = types.SimpleNamespace(
        runtime=_Runtime(), Device=_Device, get_current_stream=lambda: _Stream())
    sys.modules["cupy"] = module
    reset()
    return module


def uninstall() -> None:
    sys.modules.pop("cupy", None)

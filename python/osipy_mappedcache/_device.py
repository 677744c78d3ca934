"""The GPU libraries a device get or put talks to: CuPy or PyTorch, imported only when asked for.

A backend does four things, each on host memory given as a numpy view of a mapping:

- ``register(address, length, read_only)`` / ``unregister(address, token)``: cudaHostRegister
  and cudaHostUnregister, so copies from or to those pages run at the bus's speed (direct DMA)
  instead of being staged by the driver through its own pinned buffers;
- ``to_device(view)``: a new device array holding a copy of ``view``;
- ``to_host(array, view)``: copies a device array (C-contiguous after ``describe``) into ``view``.

Without a GPU library, or without a GPU, every device call raises :class:`DeviceUnavailableError`
naming what is missing; nothing else in the package needs either.
"""

from __future__ import annotations

import importlib
import warnings
# typing is imported by type checkers only: importing it costs a new process about 1.5 ms
# (docs/PERFORMANCE.md, issue 22), and every annotation here is a string.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

import numpy as np

# cudaHostRegister flags (cuda_runtime_api.h).
_PORTABLE = 0x01   # usable from every CUDA context, whichever device is current when copying
_READ_ONLY = 0x08  # the device only reads: no write fault, so a private mapping is not copied
# cudaMemcpyKind
_HOST_TO_DEVICE = 1
_DEVICE_TO_HOST = 2


class DeviceUnavailableError(RuntimeError):
    """A device call (``get(..., device="cuda")``, a put of a GPU array) cannot run here: the GPU
    library (CuPy or PyTorch) or a CUDA device is missing.  The message names which."""


def is_device_array(data: object) -> bool:
    """Whether data lives on a GPU: a CuPy array, a torch CUDA tensor, anything with
    ``__cuda_array_interface__``."""
    if type(data).__module__.split(".")[0] == "torch":
        return bool(getattr(data, "is_cuda", False))
    return hasattr(data, "__cuda_array_interface__")


def backend_for(device: str, like: object = None) -> "_Backend":
    """The backend for ``device`` ("cuda" or "cuda:N"), as CuPy arrays unless ``like`` is the
    torch module (or "torch").

    Raises:
        ValueError: device is not "cuda" or "cuda:N", or like names no GPU library.
        DeviceUnavailableError: the library cannot be imported, or sees no CUDA device.
    """
    ordinal = _ordinal(device)
    name = like if isinstance(like, str) else getattr(like, "__name__", None) if like is not None else "cupy"
    if name == "cupy":
        return _CupyBackend(_import("cupy", "CuPy", "cupy-cuda12x or cupy-cuda13x"), ordinal)
    if name == "torch":
        return _TorchBackend(_import("torch", "PyTorch", "torch (a CUDA build)"), ordinal)
    raise ValueError(f"like must be the cupy or torch module (or their names), not {like!r}")


def backend_of(data: object) -> "_Backend":
    """The backend that owns a device array (torch tensors by PyTorch, everything else by CuPy)."""
    if type(data).__module__.split(".")[0] == "torch":
        return _TorchBackend(_import("torch", "PyTorch", "torch (a CUDA build)"), data.device.index or 0)
    return _CupyBackend(_import("cupy", "CuPy", "cupy-cuda12x or cupy-cuda13x"), None)


def to_numpy(array: object) -> np.ndarray:
    """A device array copied into a new host array (a dict's GPU arrays take this way)."""
    backend = backend_of(array)
    contiguous, dtype, shape = backend.describe(array)
    host = np.empty(shape, dtype)
    backend.to_host(contiguous, host)
    return host


def _ordinal(device: str) -> int | None:
    if device == "cuda":
        return None
    if isinstance(device, str) and device.startswith("cuda:") and device[5:].isdigit():
        return int(device[5:])
    raise ValueError(f"device must be 'cuda' or 'cuda:N' (or None for host arrays), not {device!r}")


def _import(module: str, library: str, install: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise DeviceUnavailableError(
            f"A device transfer needs {library}, which could not be imported ({error}). "
            f"Install {install}, or get host arrays (device=None).") from None


class _Backend:
    """What a registration and a device copy need from a GPU library."""

    name = "?"

    def register(self, address: int, length: int, read_only: bool) -> Any:
        raise NotImplementedError

    def unregister(self, address: int, token: Any) -> None:
        raise NotImplementedError

    def to_device(self, view: np.ndarray) -> Any:
        raise NotImplementedError

    def zeros(self, shape: tuple[int, ...], dtype: np.dtype) -> Any:
        """A zeroed device array."""
        raise NotImplementedError

    def describe(self, array: Any) -> tuple[Any, np.dtype, tuple[int, ...]]:
        """A C-contiguous version of array (the same one where it already is), its dtype, shape."""
        raise NotImplementedError

    def to_host(self, array: Any, view: np.ndarray) -> None:
        raise NotImplementedError


class _CupyBackend(_Backend):
    name = "cupy"

    def __init__(self, cupy: Any, ordinal: int | None) -> None:
        self._cp = cupy
        self._rt = cupy.cuda.runtime
        try:
            count = self._rt.getDeviceCount()
        except Exception as error:  # noqa: BLE001 - CUDA's own error type varies by version
            raise DeviceUnavailableError(f"CuPy finds no usable CUDA device ({error}).") from None
        if count == 0 or (ordinal is not None and ordinal >= count):
            raise DeviceUnavailableError(
                f"CuPy sees {count} CUDA device(s); device {ordinal or 0} is not among them.")
        self._ordinal = ordinal

    def _device(self) -> Any:
        return self._cp.cuda.Device(self._ordinal if self._ordinal is not None else self._rt.getDevice())

    def register(self, address: int, length: int, read_only: bool) -> Any:
        flags = _PORTABLE | (_READ_ONLY if read_only else 0)
        self._rt.hostRegister(address, length, flags)
        return self._rt.getDevice()

    def unregister(self, address: int, token: Any) -> None:
        with self._cp.cuda.Device(token):
            self._rt.hostUnregister(address)

    def to_device(self, view: np.ndarray) -> Any:
        with self._device():
            out = self._cp.empty(view.shape, view.dtype)
            if view.nbytes:
                # A plain cudaMemcpy from the mapping: cupy.asarray would stage it through a pinned
                # buffer of its own first, which is the copy a registration exists to avoid.
                self._rt.memcpy(out.data.ptr, view.ctypes.data, view.nbytes, _HOST_TO_DEVICE)
            return out

    def zeros(self, shape: tuple[int, ...], dtype: np.dtype) -> Any:
        with self._device():
            return self._cp.zeros(shape, dtype)

    def describe(self, array: Any) -> tuple[Any, np.dtype, tuple[int, ...]]:
        contiguous = self._cp.ascontiguousarray(array)
        return contiguous, np.dtype(contiguous.dtype), tuple(contiguous.shape)

    def to_host(self, array: Any, view: np.ndarray) -> None:
        # Work queued on the array's stream must end before the bytes are read.
        self._cp.cuda.get_current_stream().synchronize()
        if view.nbytes:
            self._rt.memcpy(view.ctypes.data, array.data.ptr, view.nbytes, _DEVICE_TO_HOST)


class _TorchBackend(_Backend):
    name = "torch"

    def __init__(self, torch: Any, ordinal: int | None) -> None:
        if not torch.cuda.is_available():
            raise DeviceUnavailableError(
                f"PyTorch {torch.__version__} sees no CUDA device (a CPU-only build, or no GPU).")
        self._torch = torch
        self._ordinal = ordinal

    def register(self, address: int, length: int, read_only: bool) -> Any:
        flags = _PORTABLE | (_READ_ONLY if read_only else 0)
        status = self._torch.cuda.cudart().cudaHostRegister(address, length, flags)
        if int(status) != 0:
            raise RuntimeError(f"cudaHostRegister failed with CUDA error {int(status)}")
        return None

    def unregister(self, address: int, token: Any) -> None:
        status = self._torch.cuda.cudart().cudaHostUnregister(address)
        if int(status) != 0:
            raise RuntimeError(f"cudaHostUnregister failed with CUDA error {int(status)}")

    def _host_tensor(self, view: np.ndarray) -> Any:
        with warnings.catch_warnings():
            # A read-only view: torch warns that it cannot protect it; only copy_ reads from it.
            warnings.simplefilter("ignore", UserWarning)
            return self._torch.from_numpy(view)

    def to_device(self, view: np.ndarray) -> Any:
        device = "cuda" if self._ordinal is None else f"cuda:{self._ordinal}"
        dtype = self._torch.from_numpy(np.empty(0, view.dtype)).dtype
        out = self._torch.empty(view.shape, dtype=dtype, device=device)
        if view.nbytes:
            out.copy_(self._host_tensor(view))
        return out

    def zeros(self, shape: tuple[int, ...], dtype: np.dtype) -> Any:
        device = "cuda" if self._ordinal is None else f"cuda:{self._ordinal}"
        return self._torch.zeros(shape, dtype=self._torch.from_numpy(np.empty(0, dtype)).dtype,
                                 device=device)

    def describe(self, array: Any) -> tuple[Any, np.dtype, tuple[int, ...]]:
        contiguous = array.detach().contiguous()
        try:
            dtype = np.dtype(str(contiguous.dtype).removeprefix("torch."))
        except TypeError:
            raise TypeError(f"dtype {contiguous.dtype} cannot be cached (numpy has no such type).") from None
        return contiguous, dtype, tuple(contiguous.shape)

    def to_host(self, array: Any, view: np.ndarray) -> None:
        if view.nbytes:
            self._torch.from_numpy(view).copy_(array)  # synchronous: returns once the bytes are in


"""The canonical encoding of provenance values (docs/FORMAT.md, "Provenance keys", version 1).

Every value a result was computed from becomes a byte string that depends only on the value:
never on dict order, object identity or the platform.  The C# library encodes the same values
to the same bytes (ProvenanceEncoding.cs); the test vectors in docs/FORMAT.md pin both.
"""

from __future__ import annotations

import hashlib
import math
import struct
from collections.abc import Mapping
# typing is imported by type checkers only: importing it costs a new process about 1.5 ms
# (docs/PERFORMANCE.md, issue 22), and every annotation here is a string.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

import numpy as np

#: Bumped whenever a value's bytes change: every key made before then stops matching, deliberately.
ENCODING_VERSION = 1


class CacheInput:
    """An input that is a cache entry: encoded by its stored payload checksum, never re-hashed."""

    __slots__ = ("dtype", "shape", "checksum", "length", "source", "identity")

    def __init__(self, dtype: np.dtype, shape: tuple[int, ...], checksum: int, length: int,
                 source: str) -> None:
        self.dtype, self.shape, self.checksum, self.length, self.source = dtype, shape, checksum, length, source
        # What decides its canonical bytes, as one hashable value (memoize's fingerprints).
        self.identity = ("entry", dtype.str, shape, checksum, length)


def encode(value: Any, path: str = "value") -> bytes:
    """The canonical bytes of value (``path`` names it in errors).

    Raises:
        TypeError: a type with no canonical form (pass it through ``ignore=`` or convert it).
    """
    out = bytearray()
    _write(out, value, path)
    return bytes(out)


def digest(value: Any, path: str = "value") -> str:
    """The SHA-256 (hex) of value's canonical bytes."""
    return hashlib.sha256(encode(value, path)).hexdigest()


def _text(out: bytearray, tag: bytes, data: bytes) -> None:
    out += tag + str(len(data)).encode("ascii") + b":" + data


def _float_bits(value: float) -> bytes:
    # The exact IEEE-754 binary64 bits: 0.1 and 0.1000000000000001 differ, -0.0 and 0.0 differ.
    return struct.pack(">d", value).hex().encode("ascii")


def _write_float(out: bytearray, value: float) -> None:
    out += b"f" + _float_bits(value)


def _write_int(out: bytearray, value: int) -> None:
    out += b"i" + str(value).encode("ascii") + b";"


def _write_str(out: bytearray, value: str) -> None:
    _text(out, b"s", value.encode("utf-8", "surrogatepass"))


# The plain types of most parameters, written without the isinstance chain below (a memoized
# hit derives its key on every call: this is most of its cost).
_EXACT = {float: _write_float, int: _write_int, str: _write_str}


def _write(out: bytearray, value: Any, path: str) -> None:
    exact = _EXACT.get(type(value))
    if exact is not None:
        exact(out, value)
    elif value is None:
        out += b"N"
    elif isinstance(value, (bool, np.bool_)):
        out += b"T" if value else b"F"
    elif isinstance(value, (int, np.integer)):
        out += b"i" + str(int(value)).encode("ascii") + b";"
    elif isinstance(value, (float, np.floating)):
        out += b"f" + _float_bits(float(value))
    elif isinstance(value, (complex, np.complexfloating)):
        out += b"c" + _float_bits(value.real) + _float_bits(value.imag)
    elif isinstance(value, str):
        _text(out, b"s", value.encode("utf-8", "surrogatepass"))
    elif isinstance(value, (bytes, bytearray, memoryview)):
        _text(out, b"b", bytes(value))
    elif isinstance(value, CacheInput):
        out += b"e"
        _write(out, value.dtype.str, path)
        _write(out, list(value.shape), path)
        out += b"k" + f"{value.checksum:016x}".encode("ascii")
        _write(out, value.length, path)
    elif isinstance(value, np.ndarray):
        _write_array(out, value, path)
    elif isinstance(value, Mapping):
        items = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path} is a dict with a key of type {type(key).__name__} ({key!r}); "
                                "a provenance key takes dicts with str keys only")
            items.append((key.encode("utf-8", "surrogatepass"), key, item))
        items.sort(key=lambda entry: entry[0])  # by UTF-8 bytes, as C# sorts them
        out += b"d" + str(len(items)).encode("ascii") + b":"
        for _, key, item in items:
            _write(out, key, path)
            _write(out, item, f"{path}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        out += b"l" + str(len(value)).encode("ascii") + b":"
        for index, item in enumerate(value):
            _write(out, item, f"{path}[{index}]")
    elif hasattr(value, "binaryblock") and isinstance(getattr(value, "binaryblock"), bytes):
        # A nibabel header (Nifti1Header): its 348 bytes are what it says.
        _text(out, b"b", value.binaryblock)
    else:
        raise TypeError(
            f"{path} is a {type(value).__module__}.{type(value).__qualname__}, which has no canonical "
            "form for a provenance key: pass numbers, strings, bools, None, lists, tuples, dicts, "
            "numpy arrays or scalars, or leave the argument out of the key with ignore=[...]")


def _write_array(out: bytearray, array: np.ndarray, path: str) -> None:
    if array.dtype.hasobject or array.dtype.fields is not None:
        raise TypeError(f"{path} is an array of dtype {array.dtype}, which has no canonical bytes")
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("<"))
    if not array.flags.c_contiguous:
        array = np.ascontiguousarray(array)
    out += b"a"
    _write_str(out, array.dtype.str)
    _write(out, list(array.shape), path)
    sha = hashlib.sha256(array.data.cast("B") if array.size else b"")  # the buffer itself, no copy
    out += b"x" + sha.hexdigest().encode("ascii")


def key_digest(function: str, components: Mapping[str, str]) -> str:
    """The SHA-256 (hex) naming a result: the encoding's version, the function and each component's digest."""
    lines = [f"osipy-provenance/{ENCODING_VERSION}", f"function {function}"]
    for name in sorted(components, key=lambda n: n.encode("utf-8")):
        lines.append(f"{name}\t{components[name]}")
    return hashlib.sha256(("\n".join(lines) + "\n").encode("utf-8")).hexdigest()


def key_text(function: str, components: Mapping[str, str]) -> str:
    """The entry key: the function's name, for people, and 32 hex digits of the key digest."""
    return f"{function}@{key_digest(function, components)[:32]}"


def short(value: Any, limit: int = 120) -> str:
    """A readable rendering of a component's value, for the entry's record and explain."""
    if isinstance(value, CacheInput):
        return f"cache entry {value.source} ({value.dtype.name}{list(value.shape)}, xxh3 {value.checksum:016x})"
    if isinstance(value, np.ndarray):
        if value.size <= 8 and value.ndim <= 1:
            text = f"array {value.dtype.name}{list(value.tolist())}"
        else:
            text = f"array {value.dtype.name}{list(value.shape)} sha256 {digest(value)[:12]}"
        return text
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    text = repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= limit else text[: limit - 1] + "…"

"""``cache.memoize``: a function's result kept under its provenance key, computed once.

A call builds the key from the function's code and its arguments (never calling it), returns
the stored result zero-copy on a hit, and otherwise computes it through the store's single flight
(``osipy_cache_get_or_compute``): one caller in the node, or the cluster with ``redis``, runs the
function and stores its result; the others wait and map it.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _provenance
from ._text import text as _text
from .config import RetentionPolicy

if TYPE_CHECKING:
    from .cache import IntermediateCache

# Fingerprints of calls kept per memoized function before the memory of them starts afresh.
_MAX_REMEMBERED_KEYS = 4096


class _NotFingerprinted(Exception):
    """An argument with no fast exact fingerprint: the key is derived in full."""


# The metadata property naming the results that were Python scalars, given back as such.
SCALARS_KEY = "osipy_scalars"


class Memoized:
    """A function whose results live in the cache, keyed by what they were computed from."""

    def __init__(self, cache: IntermediateCache, result_type: str, function: Callable,
                 ignore: Iterable[str], version: Any) -> None:
        if not callable(function):
            raise TypeError(f"memoize needs a function, not {type(function).__name__}")
        if isinstance(ignore, str):
            raise TypeError(f"ignore must be a list of parameter names, not the str {ignore!r}: "
                            f"write ignore=[{ignore!r}]")
        self._cache = cache
        self._result_type = result_type
        self._function = function
        self._ignore = tuple(ignore)
        self._version = version
        # Keys already derived in this process, by an exact fingerprint of the call's arguments:
        # the key is a pure function of them (the code identity is fixed per function object).
        self._keys: dict[tuple, tuple[str, bytes]] = {}
        self._type_text = _text(result_type, "result_type")
        functools.update_wrapper(self, function)

    def key(self, *args: Any, **kwargs: Any) -> str:
        """The entry key a call with these arguments reads or computes (the function is not called)."""
        return self._key(args, kwargs)[0]

    def _key(self, args: tuple, kwargs: Mapping[str, Any]) -> tuple[str, bytes]:
        """The key, and its UTF-8 bytes for the C ABI, remembered per fingerprint."""
        fingerprint = self._fingerprint(args, kwargs)
        known = self._keys.get(fingerprint) if fingerprint is not None else None
        if known is None:
            key = self._provenance(args, kwargs).key
            known = (key, key.encode("utf-8"))
            if fingerprint is not None:
                if len(self._keys) >= _MAX_REMEMBERED_KEYS:
                    self._keys.clear()
                self._keys[fingerprint] = known
        return known

    def explain(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """As ``cache.explain(result_type, function, *args, **kwargs)``."""
        return self._cache._explain(self._result_type, self._provenance(args, kwargs))

    def _fingerprint(self, args: tuple, kwargs: Mapping[str, Any]) -> tuple | None:
        """The arguments as a dict key that equals another only for arguments of the same
        canonical bytes; None when one is of a kind not fingerprinted here (then the key is
        derived in full).  Another spelling of the same call (keywords in another order, a
        default passed explicitly) is another fingerprint of the same key: harmless."""
        exact = self._exact
        parts: list[Any] = [len(args)]
        append = parts.append
        try:
            for value in args:
                kind = type(value)
                # The common parameters inline (a hit pays this per argument): strings, ints and
                # non-zero, non-NaN floats, whose equality is equality of their canonical bytes.
                if kind is str or kind is int or (kind is float and value and value == value):
                    append((kind, value))
                else:
                    append(exact(value))
            append(tuple(kwargs))  # the keywords' names, in the call's order
            for value in kwargs.values():
                kind = type(value)
                if kind is str or kind is int or (kind is float and value and value == value):
                    append((kind, value))
                else:
                    append(exact(value))
        except _NotFingerprinted:
            return None
        return tuple(parts)

    def _exact(self, value: Any) -> Any:
        kind = type(value)
        if kind is float:
            if value and value == value:
                return kind, value  # equal non-zero floats have equal bits
            if value != value:
                raise _NotFingerprinted  # NaNs of other payloads compare alike here
            return kind, value.hex()  # 0.0 and -0.0 differ, as their bits do
        if kind is str or kind is int or kind is bool or value is None:
            return kind, value
        if kind is tuple or kind is list:
            return tuple, tuple(self._exact(item) for item in value)
        if kind is np.ndarray and value.dtype.kind in "biufc":
            identity = self._cache._as_input(value)
            if identity is not value:  # from the cache: its stored checksum
                return identity.identity
            if value.flags.c_contiguous:
                return "array", value.dtype, value.shape, hashlib.sha256(value).digest()
        raise _NotFingerprinted

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        cache, result_type = self._cache, self._result_type
        key, key_text = self._key(args, kwargs)
        hit = cache._get(self._type_text, key_text, result_type, key)
        if hit is not None:
            return self._restore(hit, key)
        provenance = self._provenance(args, kwargs)
        computed: list[Any] = []

        def compute() -> None:
            result = self._function(*args, **kwargs)
            computed.append(result)
            metadata = provenance.metadata()
            scalars = _scalar_names(result)
            if scalars:
                metadata[SCALARS_KEY] = scalars
            cache.put(result_type, provenance.key, _storable(result, provenance.function), metadata)

        stored = cache._get_or_compute(result_type, provenance.key, compute)
        if stored is None:  # a TRANSIENT type: nothing kept, the computed value itself
            return computed[0]
        # When this call computed it, its own scalars are known; else the record says.
        return self._restore(stored, provenance.key, computed[0] if computed else None)

    def _provenance(self, args: tuple, kwargs: Mapping[str, Any]) -> _provenance.Provenance:
        return _provenance.of_call(self._function, args, kwargs, self._ignore, self._version,
                                   self._cache._as_input)

    def _restore(self, stored: Any, key: str, computed: Any = None) -> Any:
        """Scalars the function returned come back as numpy scalars, not 0-d arrays."""
        if not _has_0d(stored):
            return stored
        if computed is not None:
            scalars = _scalar_names(computed)
        else:
            entry = self._cache.get_entry(self._result_type, key)
            scalars = (entry or {}).get("metadata", {}).get(SCALARS_KEY, [])
        if isinstance(stored, np.ndarray):
            return stored[()] if "" in scalars else stored
        return {name: array[()] if name in scalars else array for name, array in stored.items()}


def _has_0d(stored: Any) -> bool:
    if isinstance(stored, np.ndarray):
        return stored.ndim == 0
    return any(array.ndim == 0 for array in stored.values())


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (bool, int, float, complex, np.generic))


def _scalar_names(result: Any) -> list[str]:
    if _is_scalar(result):
        return [""]
    if isinstance(result, Mapping):
        return sorted(name for name, value in result.items() if _is_scalar(value))
    return []


def _storable(result: Any, function: str) -> Any:
    if isinstance(result, np.ndarray) or _is_scalar(result):
        return result
    if isinstance(result, Mapping) and all(
            isinstance(name, str) and (isinstance(value, np.ndarray) or _is_scalar(value))
            for name, value in result.items()):
        return dict(result)
    raise TypeError(
        f"{function}() returned a {type(result).__name__}; a memoized function returns a numpy "
        "array, a number, or a dict of str to arrays and numbers (what the cache stores)")

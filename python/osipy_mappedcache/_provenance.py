"""Provenance keys: a result named by what it was computed from (docs/FORMAT.md, "Provenance keys").

A key's components are the function's code (and its helpers'), each argument by its parameter
name, and the user's ``version`` salt; each component's digest is the SHA-256 of its canonical
encoding, and the key hashes them all with the encoding's version.  The components travel with
the entry (metadata ``osipy_provenance``) so that the entry says what it was computed from and
``explain`` can say what changed.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from . import _code_identity, _encoding

METADATA_KEY = "osipy_provenance"


class Provenance:
    """The key of one call and its components (name → (digest, value)).

    A component's value is kept as it is and rendered as text only when the record is written or
    a call explained: a hit needs just the digests.
    """

    __slots__ = ("function", "key", "_components")

    def __init__(self, function: str, components: dict[str, tuple[str, Any]]) -> None:
        self.function = function
        self._components = components
        self.key = _encoding.key_text(function, {name: digest for name, (digest, _) in components.items()})

    @property
    def components(self) -> dict[str, tuple[str, str]]:
        """name → (digest, readable text)."""
        return {name: (digest, _readable(value)) for name, (digest, value) in self._components.items()}

    def metadata(self) -> dict[str, Any]:
        """What the entry's record keeps (the ``osipy_provenance`` metadata)."""
        return {METADATA_KEY: {
            "encoding": _encoding.ENCODING_VERSION,
            "function": self.function,
            "components": {name: {"digest": digest, "text": text}
                           for name, (digest, text) in sorted(self.components.items())},
        }}


def of_call(function: Callable, args: tuple, kwargs: Mapping[str, Any], ignore: Iterable[str],
            version: Any, as_input: Callable[[Any], Any]) -> Provenance:
    """The provenance of ``function(*args, **kwargs)``, without calling it.

    ``as_input`` replaces a value that is a cache entry's array by its stored identity
    (``_encoding.CacheInput``); other values pass through.

    Raises:
        TypeError: the arguments do not fit the function's signature, an argument has no
            canonical form, or ``ignore`` names no parameter.
    """
    code = _code_identity.of(function)  # taken once per function
    signature = _signature(function)
    ignored = set(ignore)
    unknown = ignored - set(signature.parameters)
    if unknown:
        raise TypeError(f"ignore= names {sorted(unknown)}, which {code.function}() has no parameter called")
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    components: dict[str, tuple[str, Any]] = {
        name: (digest, _Text(text)) for name, (digest, text) in code.components.items()}
    for name, value in bound.arguments.items():
        if name in ignored:
            continue
        value = _resolve(value, as_input)
        digest = _encoding.digest(value, f"argument {name!r} of {code.function}()")
        components[f"argument {name}"] = (digest, value)
    if version is not None:
        components["version"] = (_encoding.digest(version), version)
    return Provenance(code.function, components)


class _Text(str):
    """A component already rendered (code identities): shown as it is, not quoted."""


def _readable(value: Any) -> str:
    return str(value) if isinstance(value, _Text) else _encoding.short(value)


# Weak: a memoized lambda made in a loop must not be kept alive by its signature.
_signatures: weakref.WeakKeyDictionary[Callable, inspect.Signature] = weakref.WeakKeyDictionary()


def _signature(function: Callable) -> inspect.Signature:
    found = _signatures.get(function)
    if found is None:
        found = _signatures[function] = inspect.signature(function)
    return found


def _resolve(value: Any, as_input: Callable[[Any], Any]) -> Any:
    kind = type(value)
    if kind is float or kind is int or kind is str or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_resolve(item, as_input) for item in value]
    if isinstance(value, Mapping):
        return {key: _resolve(item, as_input) for key, item in value.items()}
    return as_input(value)


def changes(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[str]:
    """The lines saying how provenance ``new`` differs from an earlier entry's ``old`` (both as
    stored: {"encoding", "function", "components": {name: {"digest", "text"}}})."""
    lines: list[str] = []
    if new.get("encoding") != old.get("encoding"):
        lines.append(f"encoding {old.get('encoding')} → {new.get('encoding')}")
    function = new.get("function")
    mine, theirs = new.get("components", {}), old.get("components", {})
    for name in sorted(set(mine) | set(theirs), key=_order):
        a, b = theirs.get(name), mine.get(name)
        if a is not None and b is not None and a.get("digest") == b.get("digest"):
            continue
        kind, _, what = name.partition(" ")
        if kind == "argument":
            if a is None:
                lines.append(f"argument {what} added: {b['text']}")
            elif b is None:
                lines.append(f"argument {what} removed (was {a['text']})")
            else:
                lines.append(f"argument {what}: {a['text']} → {b['text']}")
        elif kind == "code":
            lines.append(f"code of {what} changed")
        elif kind == "helper":
            change = "added" if a is None else "removed" if b is None else None
            lines.append(f"code of {function} changed (helper {what}{' ' + change if change else ''})")
        elif name == "version":
            lines.append(f"version: {a['text'] if a else 'none'} → {b['text'] if b else 'none'}")
        else:
            lines.append(f"{name} changed")
    return lines


def _order(name: str) -> tuple[int, str]:
    # Arguments first, as a reader thinks of a call; then code, helpers, version.
    rank = {"argument": 0, "code": 1, "helper": 2}.get(name.partition(" ")[0], 3)
    return rank, name

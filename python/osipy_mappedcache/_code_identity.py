"""What a function's result depends on in code: its bytecode, and that of the helpers it calls.

A function's identity is its bytecode, constants and names (nested functions, lambdas and
comprehensions included), never its line numbers: a changed comment, blank line or docstring
leaves it as it was, a changed expression changes it.  The functions it calls that belong to the
same package (or the same ``__main__`` script) are followed, transitively, each becoming a
``helper`` component of the key, so a fix in a nested helper recomputes what used it (joblib
checks only the top-level function).  Bytecode differs between Python versions, so the
interpreter's tag (``cpython-311``) is part of every identity.
"""

from __future__ import annotations

import hashlib
import inspect
import sys
import types
import weakref
from typing import Any, Callable

from . import _encoding

_RUNTIME = sys.implementation.cache_tag or sys.implementation.name


class CodeIdentity:
    """A function's code components: name → (digest, text), its own first, then its helpers'."""

    __slots__ = ("function", "components")

    def __init__(self, function: str, components: dict[str, tuple[str, str]]) -> None:
        self.function = function
        self.components = components


# Taken once per function object: a hit must not re-walk bytecode.  (A helper redefined at run
# time, by reloading its module, is seen by functions looked at after that.)
_identities: weakref.WeakKeyDictionary[Callable, CodeIdentity] = weakref.WeakKeyDictionary()


def of(function: Callable) -> CodeIdentity:
    """The code components of function (a plain Python function, possibly decorated).

    Raises:
        TypeError: function has no Python bytecode (a builtin, a C extension's function).
    """
    found = _identities.get(function)
    if found is None:
        found = _identities[function] = _walk(function)
    return found


def _walk(function: Callable) -> CodeIdentity:
    root = _plain_function(function)
    if root is None:
        raise TypeError(
            f"{function!r} has no Python bytecode to identify; memoize a Python function, or pass "
            "version= and memoize a Python wrapper around it")
    components: dict[str, tuple[str, str]] = {}
    seen: set[types.CodeType] = set()
    pending: list[tuple[types.FunctionType, bool]] = [(root, True)]
    package = _package(root)
    while pending:
        current, is_root = pending.pop(0)
        if current.__code__ in seen:
            continue
        seen.add(current.__code__)
        digest = hashlib.sha256(_code_bytes(current)).hexdigest()
        name = ("code " if is_root else "helper ") + current.__qualname__
        components[name] = (digest, f"{_RUNTIME} bytecode {digest[:12]}")
        pending.extend((helper, False) for helper in _helpers(current, package))
    return CodeIdentity(root.__qualname__, components)


def _plain_function(function: Any) -> types.FunctionType | None:
    unwrapped = inspect.unwrap(function)
    if isinstance(unwrapped, types.MethodType):
        unwrapped = unwrapped.__func__
    return unwrapped if isinstance(unwrapped, types.FunctionType) else None


def _package(function: types.FunctionType) -> str:
    module = function.__module__ or "__main__"
    return module.split(".")[0]


def _helpers(function: types.FunctionType, package: str) -> list[types.FunctionType]:
    """The functions of the same package that function's code names: globals, and attributes of
    modules of the package it imported (``from . import model; model.signal(...)``)."""
    names = _names(function.__code__)
    found: list[types.FunctionType] = []
    for name in sorted(names):
        value = function.__globals__.get(name)
        if isinstance(value, types.ModuleType) and value.__name__.split(".")[0] == package:
            for attribute in sorted(names):
                candidate = _plain_function(getattr(value, attribute, None))
                if candidate is not None and _package(candidate) == package:
                    found.append(candidate)
            continue
        candidate = _plain_function(value) if callable(value) else None
        if candidate is not None and _package(candidate) == package:
            found.append(candidate)
    return found


def _names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _names(constant)
    return names


def _code_bytes(function: types.FunctionType) -> bytes:
    out = bytearray(_encoding.encode(_RUNTIME))
    code = function.__code__
    constants = code.co_consts
    if constants and isinstance(constants[0], str) and constants[0] == function.__doc__:
        constants = (None,) + constants[1:]  # the docstring is documentation, not code
    _write_code(out, code, constants)
    return bytes(out)


def _write_code(out: bytearray, code: types.CodeType, constants: tuple) -> None:
    # Line numbers (co_firstlineno, co_linetable), the file name and the positions table are left
    # out on purpose: they change with comments and blank lines, the result does not.
    out += _encoding.encode([code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount,
                             code.co_flags, list(code.co_names), list(code.co_varnames),
                             list(code.co_freevars), list(code.co_cellvars)])
    out += _encoding.encode(code.co_code)
    out += b"l" + str(len(constants)).encode("ascii") + b":"
    for constant in constants:
        if isinstance(constant, types.CodeType):
            out += b"C"
            _write_code(out, constant, constant.co_consts)
        else:
            out += _constant(constant)


def _constant(value: Any) -> bytes:
    if value is Ellipsis:
        return b"E"
    if isinstance(value, frozenset):
        items = sorted(_constant(item) for item in value)
        return b"S" + str(len(items)).encode("ascii") + b":" + b"".join(items)
    if isinstance(value, tuple):
        return b"l" + str(len(value)).encode("ascii") + b":" + b"".join(_constant(item) for item in value)
    return _encoding.encode(value)

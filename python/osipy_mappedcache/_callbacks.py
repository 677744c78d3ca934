"""Python functions the library calls back (fills, computations) and the exceptions they raise."""

from __future__ import annotations

import ctypes
from ctypes import c_void_p
# typing is imported by type checkers only: importing it costs a new process about 1.5 ms
# (docs/PERFORMANCE.md, issue 22), and every annotation here is a string.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


class Callback:
    """``function`` as a C function pointer of type ``ctype``.

    An exception cannot cross the library: it is kept, the library is answered 1 (which it treats
    as a failed fill: nothing is published), and :meth:`raise_failure` raises it in the caller once
    the library has returned.  Keep this object referenced until then: it owns the pointer.
    """

    def __init__(self, ctype: Any, function: Callable[..., None]) -> None:
        self._failure: BaseException | None = None

        def call(*args: Any) -> int:
            try:
                function(*args)
                return 0
            except BaseException as error:  # noqa: BLE001 - re-raised by raise_failure
                if self._failure is None:
                    self._failure = error
                return 1

        self._function = ctype(call)
        self.pointer = ctypes.cast(self._function, c_void_p)

    def raise_failure(self) -> None:
        """Raises what the function raised, if it raised."""
        if self._failure is not None:
            raise self._failure

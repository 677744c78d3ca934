"""Text arguments of the C ABI."""

from __future__ import annotations


def text(value: str, what: str) -> bytes:
    """A str argument as the NUL-terminated UTF-8 the C ABI takes."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    # c_char_p would silently cut the string at a NUL, turning "a\0b" into another key "a".
    if "\0" in value:
        raise ValueError(f"{what} must not contain NUL characters: {value!r}")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as error:
        # A lone surrogate: refused, never replaced (it would name another entry).
        raise ValueError(
            f"{what} is not valid text: it has a lone surrogate "
            f"(U+{ord(value[error.start]):04X}) at index {error.start}: {value!r}") from None

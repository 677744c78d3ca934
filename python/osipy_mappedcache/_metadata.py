"""Metadata dicts <-> the JSON objects the C ABI stores with an entry."""

from __future__ import annotations

import json
from pathlib import PurePath
# typing is imported by type checkers only: importing it costs a new process about 1.5 ms
# (docs/PERFORMANCE.md, issue 22), and every annotation here is a string.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

import numpy as np


def _plain(value: Any) -> Any:
    # Pipelines often put numpy scalars (np.float32 fit parameters) or small arrays in metadata;
    # they become the JSON numbers and lists they stand for.
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, PurePath):
        return str(value)
    raise TypeError(f"metadata value of type {type(value).__name__} is not JSON serializable")


# The metadata property the library keeps an entry's tags in (the C ABI's way to pass them).
TAGS_PROPERTY = "osipy_tags"


def encode(metadata: dict[str, Any] | None, tags: Any = None) -> bytes | None:
    """The metadata_json argument, with the tags under "osipy_tags"; None stays NULL (no metadata).

    Raises:
        TypeError: metadata is not a dict, holds a value JSON cannot represent, or tags is not an
            iterable of str (a single str is refused: it would be split into letters).
        ValueError: metadata uses the reserved "osipy_tags" key.
    """
    if metadata is not None and not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict, not {type(metadata).__name__}")
    if metadata is not None and TAGS_PROPERTY in metadata:
        raise ValueError(f"the metadata key {TAGS_PROPERTY!r} is reserved for the entry's tags: pass tags=[...]")
    if tags is not None:
        if isinstance(tags, (str, bytes)):
            raise TypeError(f"tags must be a list of str, not a single {type(tags).__name__} ({tags!r}): "
                            f"write tags=[{tags!r}]")
        tags = list(tags)
        for tag in tags:
            if not isinstance(tag, str):
                raise TypeError(f"each tag must be a str, not {type(tag).__name__} ({tag!r})")
        if tags:
            metadata = {**(metadata or {}), TAGS_PROPERTY: tags}
    if metadata is None:
        return None
    try:
        return json.dumps(metadata, default=_plain, allow_nan=False).encode("utf-8")
    except ValueError as error:  # json's own words are "Out of range float values are not JSON compliant"
        raise ValueError(f"metadata holds a NaN or infinite float, which JSON cannot store: {error}") from None

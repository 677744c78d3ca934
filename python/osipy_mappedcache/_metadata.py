"""Metadata dicts <-> the JSON objects the C ABI stores with an entry."""

from __future__ import annotations

import json
from pathlib import PurePath
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


def encode(metadata: dict[str, Any] | None) -> bytes | None:
    """The metadata_json argument: None stays NULL (no metadata).

    Raises:
        TypeError: metadata is not a dict, or holds a value JSON cannot represent.
    """
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict, not {type(metadata).__name__}")
    return json.dumps(metadata, default=_plain, allow_nan=False).encode("utf-8")

"""Helpers shared by the protocol tests: expected values in Sekisho's native types."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from botocore.model import Shape


def native(value: Any, shape: Shape) -> Any:
    """Turn a vector's JSON value into what Sekisho's parser/serializer use.

    Timestamps given as epoch seconds become aware UTC datetimes, blobs given
    as text become bytes, `"NaN"`/`"Infinity"` become floats.
    """
    kind = shape.type_name
    if value is None:
        return None
    if kind == "structure":
        return {k: native(v, shape.members[k]) for k, v in value.items()}
    if kind == "list":
        return [native(v, shape.member) for v in value]
    if kind == "map":
        return {native(k, shape.key): native(v, shape.value) for k, v in value.items()}
    if kind == "timestamp" and isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if kind == "blob" and isinstance(value, str):
        return value.encode("utf-8")
    if kind in ("float", "double"):
        return float(value)
    return value


def same(left: Any, right: Any) -> bool:
    """Deep equality where NaN equals NaN and aware datetimes compare by instant."""
    if isinstance(left, float) and isinstance(right, float):
        return (math.isnan(left) and math.isnan(right)) or left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    return (bool(left == right) and type(left) is type(right)) or (
        isinstance(left, datetime) and isinstance(right, datetime) and left == right
    )

"""Small helpers shared by the parser and the validator: how AWS names things.

AWS's validation messages name a member by its lowerCamelCase path
(`userName`, `tags.1.member.key`) and quote the value as Java prints it
(`'bob'`, `null`, `'[a, b]'`). Both helpers are pure and cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

__all__ = ["java_string", "member_path", "value_repr"]


def member_path(name: str) -> str:
    """`UserName` -> `userName`: AWS lowercases the first letter only."""
    return name[:1].lower() + name[1:]


def java_string(value: Any) -> str:
    """Render `value` roughly as Java's `toString` would (lists `[a, b]`, maps `{k=v}`)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}={java_string(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(java_string(v) for v in value) + "]"
    return str(value)


def value_repr(value: Any) -> str:
    """The `Value ...` part of a message: `'bob'` quoted, or `null` bare."""
    if value is None:
        return "null"
    return f"'{java_string(value)}'"


def shape_key(shape: Any) -> tuple[int, str]:
    """A cache key naming a shape definition within its service model.

    botocore builds a new `Shape` object each time a member is resolved, so a
    recursive shape would never hit a cache keyed by object identity. Names are
    unique within a model; the model's resolver tells models apart (callers
    keep the shape, hence the resolver, alive beside the cached value).
    """
    return (id(shape._shape_resolver), shape.name)

"""Markers for AWS-style pagination (Marker / MaxItems / IsTruncated).

A marker is opaque to clients; here it is the sort key of the first item of
the next page, base64url-encoded, so that pages stay stable while entities
before the marker are added or removed.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sekisho.errors import InvalidInput

T = TypeVar("T")

DEFAULT_MAX_ITEMS = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_marker: str | None

    @property
    def is_truncated(self) -> bool:
        return self.next_marker is not None


def decode_marker(marker: str | None) -> str | None:
    """The sort key after which a page starts (exclusive), or None for the first page."""
    if marker is None:
        return None
    try:
        key = base64.urlsafe_b64decode(marker.encode("ascii") + b"==").decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidInput("Invalid Marker.") from None
    if not key.startswith("k:"):
        raise InvalidInput("Invalid Marker.")
    return key[2:]


def _encode(sort_key: str) -> str:
    return base64.urlsafe_b64encode(("k:" + sort_key).encode("utf-8")).decode("ascii").rstrip("=")


def page_of(rows: Sequence[T], limit: int, sort_key: Callable[[T], str]) -> Page[T]:
    """Cut `rows` (fetched with limit + 1) into a page and the marker for the next one."""
    if len(rows) <= limit:
        return Page(rows, None)
    last = rows[limit - 1]
    return Page(rows[:limit], _encode(sort_key(last)))

"""What every taggable IAM entity's handlers share: tag condition keys and tag pages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sekisho.api.context import Params
from sekisho.domain.authorization import ContextValue
from sekisho.domain.pagination import DEFAULT_MAX_ITEMS
from sekisho.domain.tags import as_output
from sekisho.store.records import Tag

Context = dict[str, ContextValue]


def request_tag_context(tags: Iterable[Tag]) -> Context:
    """`aws:RequestTag/KEY` and `aws:TagKeys` for an operation that sets tags."""
    tags = list(tags)
    context: Context = {f"aws:RequestTag/{t.key}": t.value for t in tags}
    if tags:
        context["aws:TagKeys"] = tuple(t.key for t in tags)
    return context


def resource_tag_context(tags: Iterable[Tag]) -> Context:
    """`aws:ResourceTag/KEY` for an operation on an existing tagged entity."""
    return {f"aws:ResourceTag/{t.key}": t.value for t in tags}


def tag_page(tags: Sequence[Tag], p: Params) -> dict[str, Any]:
    """One page of an entity's tags (List*Tags); all 50 fit one page unless MaxItems is lower."""
    limit = p.get("MaxItems", DEFAULT_MAX_ITEMS)
    start = int(p["Marker"]) if str(p.get("Marker", "")).isdigit() else 0
    out: dict[str, Any] = {"Tags": as_output(tags[start:start + limit]),
                           "IsTruncated": start + limit < len(tags)}
    if start + limit < len(tags):
        out["Marker"] = str(start + limit)
    return out

"""Tag rules for IAM entities (IAM User Guide, "Tagging IAM resources").

At most 50 tags per entity; keys 1-128 and values 0-256 characters of
letters, digits, spaces and `_ . : / = + - @`; the `aws:` prefix is
reserved; keys are case-insensitive for users and roles (case preserved).
The model validates lengths and patterns; the rules across tags live here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sekisho.errors import InvalidInput, LimitExceeded
from sekisho.store.records import Tag

MAX_TAGS = 50


def tags_from_params(raw: Sequence[Mapping[str, Any]] | None) -> list[Tag]:
    tags = [Tag(str(t["Key"]), str(t.get("Value", ""))) for t in raw or ()]
    seen: set[str] = set()
    for tag in tags:
        if tag.key.lower().startswith("aws:"):
            raise InvalidInput("User-defined tag keys can't start with 'aws:'.")
        if tag.key.lower() in seen:
            raise InvalidInput("Duplicate tag keys found. Please note that Tag keys are case "
                               "insensitive.")
        seen.add(tag.key.lower())
    return tags


def check_tag_count(existing: Iterable[Tag], added: Iterable[Tag], entity: str) -> None:
    """`entity` names the quota as AWS does: `User` gives `TagsPerUser`."""
    keys = {t.key.lower() for t in existing} | {t.key.lower() for t in added}
    if len(keys) > MAX_TAGS:
        raise LimitExceeded(f"Cannot exceed quota for TagsPer{entity}: {MAX_TAGS}.")


def as_output(tags: Iterable[Tag]) -> list[dict[str, str]]:
    return [{"Key": t.key, "Value": t.value} for t in tags]

"""Precompiled wildcard matchers for actions, ARNs and ``StringLike`` values.

A pattern is a sequence of parts ``(is_pattern, text)``: in a pattern part
``*`` matches any run of characters and ``?`` exactly one; a literal part
(a substituted policy variable, or ``${*}``) matches itself only. Matchers are
plain callables ``str -> bool``; the common shapes (no wildcard, ``*``, one
trailing ``*``) avoid regular expressions altogether.

ARN matching follows the IAM User Guide (Resource element and ``ArnLike``):
the ARN is split into its six colon-separated parts and a wildcard does not
cross a colon in the first five; the sixth part (the resource id, which may
contain colons) is matched as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

Matcher = Callable[[str], bool]
Part = tuple[bool, str]


def _always(_value: str) -> bool:
    return True


ALWAYS: Matcher = _always
"""The matcher of ``*``: callers may test ``m is ALWAYS`` to skip matching."""


def _regex_source(parts: Sequence[Part], arn: bool) -> str:
    colons_total = sum(text.count(":") for _pat, text in parts)
    out: list[str] = []
    colons = 0
    for is_pattern, text in parts:
        if not is_pattern:
            out.append(re.escape(text))
            colons += text.count(":")
            continue
        for ch in text:
            # In an ARN the wildcard stays inside its segment, except in the
            # resource segment (the sixth) or the last segment of a short ARN.
            bounded = arn and colons < 5 and colons < colons_total
            if ch == "*":
                out.append("[^:]*" if bounded else ".*")
            elif ch == "?":
                out.append("[^:]" if bounded else ".")
            else:
                if ch == ":":
                    colons += 1
                out.append(re.escape(ch))
    return "".join(out)


@lru_cache(maxsize=8192)
def _compiled(source: str) -> Matcher:
    return re.compile(source, re.DOTALL).fullmatch  # type: ignore[return-value]


def compile_parts(parts: Sequence[Part], *, arn: bool = False) -> Matcher:
    """Return a matcher for ``parts`` (see the module docstring).

    ``arn`` selects segment-aware matching. Matching is case-sensitive; for a
    case-insensitive match, lower-case both the parts and the value.
    """
    if len(parts) == 1:
        is_pattern, text = parts[0]
        if not is_pattern or not has_wildcard(text):
            return text.__eq__
        if text == "*":
            return _always
        if "?" not in text and text.endswith("*") and "*" not in text[:-1]:
            return _prefix(text[:-1])
    matcher = _compiled(_regex_source(parts, arn))

    def match(value: str) -> bool:
        return matcher(value) is not None

    return match


def _prefix(prefix: str) -> Matcher:
    def match(value: str) -> bool:
        return value.startswith(prefix)

    return match


def compile_pattern(pattern: str, *, arn: bool = False) -> Matcher:
    """A matcher for one policy string with ``*`` and ``?`` wildcards."""
    if pattern == "*":
        return _always
    return compile_parts(((True, pattern),), arn=arn)


def has_wildcard(text: str) -> bool:
    """Whether ``text`` contains ``*`` or ``?``."""
    return "*" in text or "?" in text


def any_of(matchers: Sequence[Matcher]) -> Matcher:
    """One matcher that holds when any of ``matchers`` does."""
    if len(matchers) == 1:
        return matchers[0]
    if any(m is ALWAYS for m in matchers):
        return ALWAYS
    found = tuple(matchers)

    def match(value: str) -> bool:
        for m in found:  # noqa: SIM110 - a plain loop is cheaper than any() on a genexpr
            if m(value):
                return True
        return False

    return match

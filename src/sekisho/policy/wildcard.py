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


# A pattern as characters, each marked: "*" and "?" are wildcards only when marked.
_Char = tuple[bool, str]


def _chars(parts: Sequence[Part]) -> list[_Char]:
    return [(is_pattern and ch in "*?", ch) for is_pattern, text in parts for ch in text]


def _glob_source(chars: Sequence[_Char], any_char: str) -> str:
    """A regular expression for a glob that cannot backtrack without bound.

    Between two `*`s, matching the piece at its leftmost place is never worse than
    matching it further right (the classic wildcard-matching argument), so each such
    piece is an atomic, lazy group: `a*b*c` -> `a(?>.*?b).*c`. A plain translation
    (`a.*b.*c`) backtracks exponentially in the number of `*`s on a value that does
    not match (`*a*a*a*a*a*a*ab` against a long run of `a`s). `any_char` is what a
    wildcard may match: `.`, or `[^:]` inside an ARN's first five segments.
    """
    pieces: list[list[str]] = [[]]
    for wild, ch in chars:
        if wild and ch == "*":
            pieces.append([])
        else:
            pieces[-1].append(any_char if wild else re.escape(ch))
    texts = ["".join(piece) for piece in pieces]
    if len(texts) == 1:
        return texts[0]
    middle = "".join(f"(?>{any_char}*?{text})" for text in texts[1:-1] if text)
    return f"{texts[0]}{middle}{any_char}*{texts[-1]}"


def _arn_source(chars: Sequence[_Char]) -> str:
    """The pattern cut at its first five colons (fewer when it has fewer): a wildcard
    does not cross a colon in those segments, and the last one takes the rest. As no
    wildcard before the last colon crosses one, each segment matches on its own."""
    cuts = min(5, sum(1 for _wild, ch in chars if ch == ":"))
    segments: list[list[_Char]] = [[]]
    for wild, ch in chars:
        if ch == ":" and len(segments) <= cuts:
            segments.append([])
        else:
            segments[-1].append((wild, ch))
    bounded = [_glob_source(segment, "[^:]") for segment in segments[:-1]]
    return ":".join([*bounded, _glob_source(segments[-1], ".")])


@lru_cache(maxsize=8192)
def _compiled(source: str) -> Callable[[str], re.Match[str] | None]:
    return re.compile(source, re.DOTALL).fullmatch


def compile_parts(parts: Sequence[Part], *, arn: bool = False) -> Matcher:
    """Return a matcher for ``parts`` (see the module docstring).

    ``arn`` selects segment-aware matching. Matching is case-sensitive; for a
    case-insensitive match, lower-case both the parts and the value. No pattern
    makes matching take more than polynomial time in the value's length.
    """
    if len(parts) == 1:
        is_pattern, text = parts[0]
        if not is_pattern or not has_wildcard(text):
            return text.__eq__
        if text == "*":
            return _always
        if "?" not in text and text.endswith("*") and "*" not in text[:-1]:
            return _prefix(text[:-1])
    chars = _chars(parts)
    matcher = _compiled(_arn_source(chars) if arn else _glob_source(chars, "."))

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

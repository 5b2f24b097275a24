"""Java model patterns translated to Python `re`."""

from __future__ import annotations

import pytest

from sekisho.protocol.javaregex import compile_java_pattern


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        (r"[\w+=,.@-]+", "bob.smith@x", True),
        (r"[\w+=,.@-]+", "b\u00f6b", False),
        (r"[\d]+", "\u0661", False),
        (r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+", "\u00e9t\u00e9 \u65e5\u672c \u0661\u0662", True),
        (r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+", "a!", False),
        (r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*", "", True),
        (r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)", "/a/b/", True),
        (r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)", "/a/b", False),
        (r"^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$", "my-alias", True),
        (r"^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$", "my--alias", False),
        (r"\P{L}+", "123", True),
    ],
)
def test_pattern(pattern: str, value: str, matches: bool) -> None:
    assert bool(compile_java_pattern(pattern).fullmatch(value)) is matches


@pytest.mark.parametrize("pattern", [r"[a-z&&[^b]]", r"[\P{L}]", r"\p{IsAlphabetic}", r"\Qa\E"])
def test_untranslated_constructs_are_refused(pattern: str) -> None:
    with pytest.raises(ValueError):
        compile_java_pattern(pattern)

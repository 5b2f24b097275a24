"""Wildcard matching: `*` and `?` as the IAM User Guide defines them, without runaway
backtracking (a policy author must not be able to stall the server)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sekisho.policy.wildcard import compile_parts, compile_pattern


@pytest.mark.parametrize(("pattern", "value", "matches"), [
    ("a*b*c", "axxbyyc", True),
    ("a*b*c", "axxbyy", False),
    ("*a*a*b", "aaab", True),
    ("*a*a*b", "aab", True),
    ("*a*a*b", "ab", False),
    ("a?c*", "abcde", True),
    ("a?c*", "acde", False),
    ("*.txt", "x.txt.txt", True),
    ("**x", "x", True),
    ("a*", "a", True),
])
def test_glob_table(pattern: str, value: str, matches: bool) -> None:
    assert compile_pattern(pattern)(value) is matches


@pytest.mark.parametrize(("pattern", "value", "matches"), [
    # In the first five ARN segments a wildcard stays inside its segment.
    ("arn:aws:iam::*:user/*", "arn:aws:iam::123456789012:user/a:b", True),
    ("arn:aws:*:us-east-1:*:x", "arn:aws:s3:eu:west:us-east-1:1:x", False),
    ("arn:aws:iam::12345678901?:role/*", "arn:aws:iam::123456789012:role/r", True),
    ("arn:aws:s3:::bucket/*/logs/*", "arn:aws:s3:::bucket/a:b/logs/c", True),
    # A pattern with fewer colons lets its last wildcard take the rest.
    ("arn:aws:*", "arn:aws:iam::123456789012:user/a", True),
])
def test_arn_table(pattern: str, value: str, matches: bool) -> None:
    assert compile_pattern(pattern, arn=True)(value) is matches


def test_literal_parts_match_their_wildcard_characters_literally() -> None:
    match = compile_parts(((True, "a*"), (False, "*?"), (True, "?")))
    assert match("abc*?d") and not match("abcxyd")


@pytest.mark.parametrize("arn", [False, True])
def test_many_wildcards_against_a_long_near_miss_finish(arn: bool) -> None:
    # A regular expression translated naively backtracks exponentially here, holding the
    # GIL: only a separate process can be stopped if it never returns.
    code = (
        "from sekisho.policy.wildcard import compile_pattern\n"
        f"pattern = 'arn:aws:iam::*:user/' + '*a' * 12 + 'b'\n"
        "value = 'arn:aws:iam::123456789012:user/' + 'a' * 3000\n"
        f"print(compile_pattern(pattern, arn={arn})(value))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip() == "False"

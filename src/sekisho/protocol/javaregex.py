"""Translate the Java regular expressions of the service models to Python `re`.

AWS validates the models' `pattern` traits with `java.util.regex`, whose
dialect differs from Python's where the IAM and STS models care:

- `\\w`, `\\d`, `\\s` are ASCII-only in Java (no UNICODE_CHARACTER_CLASS flag),
  Unicode-aware in Python: compiled with `re.ASCII`;
- `\\p{L}`, `\\p{Z}`, `\\p{N}` (Unicode general categories) do not exist in
  Python's `re`: expanded to explicit code-point ranges from `unicodedata`;
- `\\u` takes exactly four hex digits in both, so the STS model's
  `\\u10000-\\u10FFFF` means what Java makes of it (`\\u1000`, `0-\\u10FF`, `F`).

A pattern must match the whole value (Java's `Matcher.matches`), so callers use
`fullmatch`. Constructs this module does not know (nested classes, `&&`,
`\\P{..}` inside a class, other `\\p` names) raise `ValueError` at compile
time, so a model upgrade cannot slip an untranslated pattern through.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["compile_java_pattern"]

_PROPERTY = re.compile(r"\\([pP])\{(?:Is|gc=|General_Category=)?([A-Z][a-z]?)\}")


def _escape(code: int) -> str:
    return f"\\U{code:08X}" if code > 0xFFFF else f"\\u{code:04X}"


# Planes 4 to 13 hold no assigned code point (category Cn) in any Unicode
# version Python ships; skipping them keeps the one-off table build fast.
_UNASSIGNED_PLANES = (0x40000, 0xE0000)


@functools.cache
def _runs() -> dict[str, list[tuple[int, int]]]:
    """Maximal runs of code points per two-letter general category (one pass)."""
    runs: dict[str, list[tuple[int, int]]] = {}
    codes = list(range(_UNASSIGNED_PLANES[0])) + list(range(_UNASSIGNED_PLANES[1], 0x110000))
    category = unicodedata.category
    current, start, previous = "", 0, -1
    for code in codes:
        cat = category(chr(code))
        if cat != current or code != previous + 1:
            if current:
                runs.setdefault(current, []).append((start, previous))
            current, start = cat, code
        previous = code
    runs.setdefault(current, []).append((start, previous))
    runs.setdefault("Cn", []).append((_UNASSIGNED_PLANES[0], _UNASSIGNED_PLANES[1] - 1))
    return runs


@functools.cache
def _category_ranges(category: str) -> str:
    """Code-point ranges of a Unicode general category (`L`, `Lu`, ...), class-ready."""
    chosen = sorted(r for cat, rs in _runs().items() if cat.startswith(category) for r in rs)
    if not chosen:
        raise ValueError(f"unknown Unicode category: {category}")
    return "".join(
        _escape(start) if start == end else f"{_escape(start)}-{_escape(end)}"
        for start, end in chosen
    )


def _translate(pattern: str) -> str:
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            match = _PROPERTY.match(pattern, i)
            if match:
                negated, category = match.group(1) == "P", match.group(2)
                ranges = _category_ranges(category)
                if in_class:
                    if negated:
                        raise ValueError(f"\\P{{..}} inside a class is not supported: {pattern}")
                    out.append(ranges)
                else:
                    out.append(f"[{'^' if negated else ''}{ranges}]")
                i = match.end()
                continue
            if pattern[i + 1 : i + 2] in ("p", "P", "Q", "x"):
                raise ValueError(f"unsupported escape in Java pattern: {pattern}")
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class and (char == "[" or pattern.startswith("&&", i)):
            raise ValueError(f"nested character classes are not supported: {pattern}")
        if char == "[" and not in_class:
            in_class = True
            out.append(char)
            if pattern[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1 : i + 2] == "]":
                out.append("\\]")
                i += 1
        elif char == "]" and in_class:
            in_class = False
            out.append(char)
        else:
            out.append(char)
        i += 1
    return "".join(out)


@functools.cache
def compile_java_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a model `pattern` (Java syntax) for use with `fullmatch`; cached.

    Raises `ValueError` for Java constructs that are not translated (see the
    module docstring) and `re.error` for a pattern neither dialect accepts.
    """
    return re.compile(_translate(pattern), re.ASCII)

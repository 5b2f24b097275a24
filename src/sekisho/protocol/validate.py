"""Check typed parameters against the constraints of an operation's input shape.

botocore's own `ParamValidator` checks types, required members and minimum
lengths only; AWS checks more, and says so in one `ValidationError` whose
message lists every violation:

    1 validation error detected: Value 'x!' at 'userName' failed to satisfy
    constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+

    2 validation errors detected: Value '' at 'path' failed to satisfy
    constraint: ...; Value null at 'userName' failed to satisfy constraint:
    Member must not be null

Conventions taken from AWS's messages:

- members in model order; for one member, the pattern before the length, then
  value ranges and enums (AWS puts the pattern first when both fail);
- paths are the member names with a lowercased first letter, list elements
  `tags.1.member.key`, map entries `name.entry.1.key` / `.value`;
- the value is quoted (`'bob'`), `null` when missing, and left out entirely
  (`Value at 'password' ...`) for shapes marked `sensitive`;
- lengths count code points, as AWS does (an emoji is one character).

Each shape is compiled once into a checker (patterns translated from Java and
compiled a single time), so a warm call costs a few dictionary lookups per
member.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from botocore.model import Shape

from sekisho import errors
from sekisho.protocol.javaregex import compile_java_pattern
from sekisho.protocol.service import Operation
from sekisho.protocol.shapes import member_path, shape_key, value_repr

__all__ = ["validate"]

_Checker = Callable[[Any, str, list[str]], None]


def validate(params: Mapping[str, Any], op: Operation) -> None:
    """Raise `errors.ValidationError` unless `params` satisfy `op.input_shape`.

    `params` is what `query.params_from_pairs` returns. An operation without
    an input shape accepts only empty parameters.
    """
    shape = op.input_shape
    if shape is None:
        return
    problems: list[str] = []
    checker = _checker(shape)
    if checker is not None:
        checker(params, "", problems)
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        raise errors.ValidationError(f"{count} validation {noun} detected: " + "; ".join(problems))


def _fail(problems: list[str], value: Any, path: str, sensitive: bool, constraint: str) -> None:
    shown = "" if sensitive and value is not None else " " + value_repr(value)
    problems.append(f"Value{shown} at '{path}' failed to satisfy constraint: {constraint}")


_CACHE: dict[tuple[int, str], tuple[Shape, _Checker | None]] = {}


def _checker(shape: Shape) -> _Checker | None:
    """The compiled checker of `shape`, or None when it constrains nothing."""
    hit = _CACHE.get(shape_key(shape))
    if hit is not None:
        return hit[1]
    build = _BUILDERS.get(shape.type_name, _build_scalar)
    return build(shape)


def _remember(shape: Shape, checker: _Checker | None) -> _Checker | None:
    _CACHE[shape_key(shape)] = (shape, checker)
    return checker


_Bound = tuple[bool, Any, str]  # (is a minimum, limit, constraint message)


def _bounds(shape: Shape, what: str) -> list[_Bound]:
    """The min/max constraints of `shape` on its `length` or its `value`."""
    bounds: list[_Bound] = []
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and not (what == "length" and low == 0):
        bounds.append((True, low, f"Member must have {what} greater than or equal to {low}"))
    if high is not None:
        bounds.append((False, high, f"Member must have {what} less than or equal to {high}"))
    return bounds


def _check_bounds(
    bounds: list[_Bound],
    measure: Any,
    value: Any,
    path: str,
    sensitive: bool,
    problems: list[str],
) -> None:
    for is_min, limit, message in bounds:
        if (measure < limit) if is_min else (measure > limit):
            _fail(problems, value, path, sensitive, message)


def _build_scalar(shape: Shape) -> _Checker | None:
    """Strings, blobs, numbers, booleans, timestamps: pattern, length, range, enum."""
    meta = shape.metadata
    sensitive = bool(meta.get("sensitive"))
    pattern_text = meta.get("pattern")
    pattern = compile_java_pattern(pattern_text) if pattern_text else None
    kind = shape.type_name
    lengths = _bounds(shape, "length") if kind in ("string", "blob") else []
    ranges = _bounds(shape, "value") if kind in ("integer", "long", "float", "double") else []
    enum = list(meta.get("enum") or [])
    enum_set = frozenset(enum)
    enum_message = "Member must satisfy enum value set: [" + ", ".join(enum) + "]"
    pattern_message = f"Member must satisfy regular expression pattern: {pattern_text}"
    if pattern is None and not lengths and not ranges and not enum:
        return _remember(shape, None)

    def check(value: Any, path: str, problems: list[str]) -> None:
        if pattern is not None and not (isinstance(value, str) and pattern.fullmatch(value)):
            _fail(problems, value, path, sensitive, pattern_message)
        if lengths:
            _check_bounds(lengths, len(value), value, path, sensitive, problems)
        if ranges:
            _check_bounds(ranges, value, value, path, sensitive, problems)
        if enum and value not in enum_set:
            _fail(problems, value, path, sensitive, enum_message)

    return _remember(shape, check)


def _build_structure(shape: Shape) -> _Checker | None:
    required = frozenset(shape.required_members)
    plan: list[tuple[str, str, bool, _Checker | None]] = []

    def check(value: Any, path: str, problems: list[str]) -> None:
        prefix = path + "." if path else ""
        for name, label, is_required, member_check in plan:
            member_value = value.get(name)
            if member_value is None:
                if is_required:
                    _fail(problems, None, prefix + label, False, "Member must not be null")
            elif member_check is not None:
                member_check(member_value, prefix + label, problems)

    _remember(shape, check)  # first, so that recursive shapes find it
    for name, member in shape.members.items():
        plan.append((name, member_path(name), name in required, _checker(member)))
    if not any(is_required or member_check for _, _, is_required, member_check in plan):
        plan.clear()
        return _remember(shape, None)
    return check


def _build_list(shape: Shape) -> _Checker | None:
    lengths = _bounds(shape, "length")

    def check(value: Any, path: str, problems: list[str]) -> None:
        if lengths:
            _check_bounds(lengths, len(value), value, path, False, problems)
        if item_check is not None:
            for position, item in enumerate(value, 1):
                if item is not None:
                    item_check(item, f"{path}.{position}.member", problems)

    _remember(shape, check)
    item_check = _checker(shape.member)
    if not lengths and item_check is None:
        return _remember(shape, None)
    return check


def _build_map(shape: Shape) -> _Checker | None:
    lengths = _bounds(shape, "length")

    def check(value: Any, path: str, problems: list[str]) -> None:
        if lengths:
            _check_bounds(lengths, len(value), value, path, False, problems)
        for position, (key, item) in enumerate(value.items(), 1):
            if key_check is not None:
                key_check(key, f"{path}.entry.{position}.key", problems)
            if value_check is not None and item is not None:
                value_check(item, f"{path}.entry.{position}.value", problems)

    _remember(shape, check)
    key_check, value_check = _checker(shape.key), _checker(shape.value)
    if not lengths and key_check is None and value_check is None:
        return _remember(shape, None)
    return check


_BUILDERS: dict[str, Callable[[Shape], _Checker | None]] = {
    "structure": _build_structure,
    "list": _build_list,
    "map": _build_map,
}

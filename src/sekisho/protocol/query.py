"""Parse AWS Query requests: form bytes -> pairs -> typed parameters.

Two steps, kept apart because the SigV4 verifier and the dispatcher need the
raw pairs (Action, Version, X-Amz-*) before any operation is known:

    parse_pairs(raw)             b"Action=CreateUser&UserName=bob"
                                 -> [("Action", "CreateUser"), ("UserName", "bob")]
    params_from_pairs(pairs, op) -> {"UserName": "bob"}  (typed by op.input_shape)

Wire rules (botocore's QuerySerializer and AWS's Query protocol vectors):

- structures nest with dots: `Nested.StringArg=foo`;
- lists are `Name.member.N` (N from 1; `member` is replaced by the list
  member's locationName when it has one), flattened lists `Name.N`; an empty
  list is sent as `Name=` with an empty value, so blank values are kept;
- maps are `Name.entry.N.key` / `Name.entry.N.value` (`key`/`value` renamed by
  locationName), flattened maps `Name.N.key`;
- integers/longs are decimal, booleans exactly `true`/`false`, timestamps
  ISO 8601 (or epoch seconds where the shape says `unixTimestamp`), blobs
  base64, floats decimal or `NaN`/`Infinity`/`-Infinity`.

Decisions where AWS documents nothing (each rejects rather than guesses,
because a silently ignored or reinterpreted parameter could change what a
write does):

- `Action`, `Version` and the SigV4 query parameters (`X-Amz-*`, any case)
  are skipped here; their callers read them from the pairs.
- An unknown parameter, a key that does not fit the shape, a duplicated key,
  a list index that is not 1..N without gaps, or a duplicated map key raise
  `errors.InvalidQueryParameter` (400, "does not adhere to AWS standards").
  AWS's EC2 rejects unknown parameters (`UnknownParameter`); IAM's behaviour is
  undocumented, and botocore never sends any of these.
- A value that is not of its shape's type raises `errors.ValidationError` in
  AWS's message form (`Value 'x' at 'maxItems' failed to satisfy constraint:
  Member must be ...`), paths written as `validate` writes them.
- Bytes that are not valid percent-encoding or UTF-8 raise
  `errors.MalformedQueryString` ("The query string contains a syntax error").
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_to_bytes

from botocore.model import Shape

from sekisho import errors
from sekisho.protocol.service import Operation
from sekisho.protocol.shapes import member_path, shape_key, value_repr

__all__ = ["params_from_pairs", "parse_pairs"]

_BAD_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|NaN|-?Infinity")
_INDEX = re.compile(r"[1-9][0-9]{0,8}")
_EPOCH = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,9})?")
_INT_RANGES = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
_IGNORED = frozenset({"Action", "Version"})


# --- bytes -> pairs


def parse_pairs(raw: bytes) -> list[tuple[str, str]]:
    """Split a form-urlencoded body or a raw query string into decoded pairs.

    Order and duplicates are kept; `a` and `a=` both give `("a", "")`; empty
    fields (`a=1&&b=2`) are dropped; `+` is a space. Raises
    `errors.MalformedQueryString` for a `%` not followed by two hex digits, for a
    NUL character and for bytes that do not decode as UTF-8.
    """
    if not raw:
        return []
    if _BAD_PERCENT.search(raw):
        raise errors.MalformedQueryString("The query string contains a syntax error.")
    pairs: list[tuple[str, str]] = []
    for field in raw.split(b"&"):
        if field:
            key, _, value = field.partition(b"=")
            pairs.append((_decode(key), _decode(value)))
    return pairs


def _decode(part: bytes) -> str:
    if b"%" in part or b"+" in part:
        part = unquote_to_bytes(part.replace(b"+", b" "))
    if b"\x00" in part:
        # No IAM or STS value holds one, and PostgreSQL text cannot store one.
        raise errors.MalformedQueryString(
            "The query string contains a syntax error: it contains a NUL character.")
    try:
        return part.decode("utf-8")
    except UnicodeDecodeError:
        raise errors.MalformedQueryString(
            "The query string contains a syntax error: it is not valid UTF-8."
        ) from None


# --- pairs -> a tree of key segments


class _Node:
    """One dotted segment of the parameter keys; `value` set when a key ends here."""

    __slots__ = ("children", "key", "value")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.value: str | None = None
        self.key = ""


def _tree(pairs: Iterable[tuple[str, str]]) -> _Node:
    root = _Node()
    for key, value in pairs:
        if key in _IGNORED or key[:6].lower() == "x-amz-":
            continue
        node = root
        for segment in key.split("."):
            child = node.children.get(segment)
            if child is None:
                child = node.children[segment] = _Node()
            node = child
        if node.value is not None:
            raise errors.InvalidQueryParameter(f"The parameter {key} is given more than once.")
        node.value = value
        node.key = key
    return root


# --- tree -> typed values


class _BadValue(Exception):
    """A scalar of the wrong type; the path is filled in while unwinding."""

    def __init__(self, value: str, constraint: str) -> None:
        super().__init__(constraint)
        self.value = value
        self.constraint = constraint
        self.path: list[str] = []


def params_from_pairs(pairs: Iterable[tuple[str, str]], op: Operation) -> dict[str, Any]:
    """Build the typed input of `op` from decoded pairs (see the module rules).

    Returns a dict keyed by member names (`UserName`), nested dicts for
    structures, lists, dicts for maps, `int`, `bool`, `float`, aware
    `datetime`, `bytes` and `str`. Constraints (required, lengths, patterns)
    are left to `validate`. Raises `errors.InvalidQueryParameter` or
    `errors.ValidationError` as described in the module docstring.
    """
    root = _tree(pairs)
    shape = op.input_shape
    if shape is None:
        if root.children:
            raise _unknown(next(iter(root.children.values())))
        return {}
    try:
        return _read_structure(shape, root)
    except _BadValue as bad:
        path = ".".join(reversed(bad.path))
        raise errors.ValidationError(
            f"1 validation error detected: Value {value_repr(bad.value)} at '{path}' "
            f"failed to satisfy constraint: {bad.constraint}"
        ) from None


def _first_key(node: _Node) -> str:
    """A full parameter key at or under `node`, to name it in an error."""
    while not node.key and node.children:
        node = next(iter(node.children.values()))
    return node.key or "(empty)"


def _unknown(node: _Node) -> errors.InvalidQueryParameter:
    return errors.InvalidQueryParameter(f"The parameter {_first_key(node)} is not recognized.")


def _read(shape: Shape, node: _Node) -> Any:
    return _READERS[shape.type_name](shape, node)


def _read_structure(shape: Shape, node: _Node) -> dict[str, Any]:
    if node.value is not None:
        raise _unknown(node)
    members = _structure_plan(shape)
    out: dict[str, Any] = {}
    for segment, child in node.children.items():
        entry = members.get(segment)
        if entry is None:
            raise _unknown(child)
        name, member_shape = entry
        try:
            out[name] = _read(member_shape, child)
        except _BadValue as bad:
            bad.path.append(member_path(name))
            raise
    return out


_PLANS: dict[tuple[int, str], tuple[Shape, dict[str, tuple[str, Shape]]]] = {}


def _structure_plan(shape: Shape) -> dict[str, tuple[str, Shape]]:
    """Serialized member name -> (member name, member shape), cached per shape."""
    cached = _PLANS.get(shape_key(shape))
    if cached is not None:
        return cached[1]
    plan = {
        member.serialization.get("name", name): (name, member)
        for name, member in shape.members.items()
    }
    _PLANS[shape_key(shape)] = (shape, plan)
    return plan


def _indexed(node: _Node) -> list[_Node]:
    """The children of `node` keyed 1..N, in order; anything else is rejected."""
    children = node.children
    for index, child in children.items():
        if not _INDEX.fullmatch(index) or int(index) > len(children):
            raise errors.InvalidQueryParameter(
                f"The parameter {_first_key(child)} has an index out of sequence: "
                "list and map indexes run from 1 without gaps."
            )
    return [children[str(i)] for i in range(1, len(children) + 1)]


def _read_list(shape: Shape, node: _Node) -> list[Any]:
    if node.value is not None:
        if node.value == "" and not node.children:
            return []
        raise _unknown(node)
    items_node = node
    if not shape.serialization.get("flattened"):
        item_name = shape.member.serialization.get("name", "member")
        if len(node.children) != 1 or item_name not in node.children:
            raise _unknown(node)
        items_node = node.children[item_name]
        if items_node.value is not None:
            raise _unknown(items_node)
    out = []
    for position, child in enumerate(_indexed(items_node), 1):
        try:
            out.append(_read(shape.member, child))
        except _BadValue as bad:
            bad.path.append(f"{position}.member")
            raise
    return out


def _read_map(shape: Shape, node: _Node) -> dict[str, Any]:
    if node.value is not None:
        if node.value == "" and not node.children:
            return {}
        raise _unknown(node)
    if shape.serialization.get("flattened"):
        entries_node = node
    else:
        if set(node.children) != {"entry"}:
            raise _unknown(node)
        entries_node = node.children["entry"]
    if entries_node.value is not None:
        raise _unknown(entries_node)
    key_name = shape.key.serialization.get("name", "key")
    value_name = shape.value.serialization.get("name", "value")
    out: dict[str, Any] = {}
    for position, entry in enumerate(_indexed(entries_node), 1):
        if entry.value is not None or set(entry.children) - {key_name, value_name}:
            raise _unknown(entry)
        key_node = entry.children.get(key_name)
        value_node = entry.children.get(value_name)
        if key_node is None or value_node is None:
            raise errors.InvalidQueryParameter(
                f"The map entry {position} of a parameter lacks its {key_name} or {value_name}."
            )
        key = _read_entry_part(shape.key, key_node, f"entry.{position}.key")
        if key in out:
            raise errors.InvalidQueryParameter(
                f"The parameter {key_node.key} repeats the map key {key}."
            )
        out[key] = _read_entry_part(shape.value, value_node, f"entry.{position}.value")
    return out


def _read_entry_part(shape: Shape, node: _Node, path: str) -> Any:
    try:
        return _read(shape, node)
    except _BadValue as bad:
        bad.path.append(path)
        raise


def _scalar(node: _Node) -> str:
    if node.children or node.value is None:
        raise _unknown(node)
    return node.value


def _read_string(shape: Shape, node: _Node) -> str:
    return _scalar(node)


def _read_integer(shape: Shape, node: _Node) -> int:
    text = _scalar(node)
    low, high = _INT_RANGES.get(shape.type_name, _INT_RANGES["long"])
    if _INTEGER.fullmatch(text):
        number = int(text)
        if low <= number <= high:
            return number
    raise _BadValue(text, f"Member must be an integer between {low} and {high}")


def _read_boolean(shape: Shape, node: _Node) -> bool:
    text = _scalar(node)
    if text == "true":
        return True
    if text == "false":
        return False
    raise _BadValue(text, "Member must be one of: [true, false]")


def _read_float(shape: Shape, node: _Node) -> float:
    text = _scalar(node)
    if not _FLOAT.fullmatch(text):
        raise _BadValue(text, "Member must be a number")
    number = float(text)
    if math.isinf(number) and "Infinity" not in text:
        raise _BadValue(text, "Member must be a number")
    return number


def _read_timestamp(shape: Shape, node: _Node) -> datetime:
    text = _scalar(node)
    try:
        if shape.serialization.get("timestampFormat") == "unixTimestamp":
            if not _EPOCH.fullmatch(text):
                raise ValueError(text)
            return datetime.fromtimestamp(float(text), UTC)
        if not text[:4].isdigit() or "T" not in text:
            raise ValueError(text)
        moment = datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        raise _BadValue(text, "Member must be a timestamp in ISO 8601 format") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def _read_blob(shape: Shape, node: _Node) -> bytes:
    text = _scalar(node)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _BadValue(text, "Member must be base64-encoded binary data") from None


_READERS: dict[str, Callable[[Shape, _Node], Any]] = {
    "structure": _read_structure,
    "list": _read_list,
    "map": _read_map,
    "string": _read_string,
    "integer": _read_integer,
    "long": _read_integer,
    "boolean": _read_boolean,
    "float": _read_float,
    "double": _read_float,
    "timestamp": _read_timestamp,
    "blob": _read_blob,
}

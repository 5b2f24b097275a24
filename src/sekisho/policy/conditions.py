"""Condition operators, compiled once per statement.

Semantics (IAM User Guide, "Condition operators" and "Conditions with multiple
context keys or values"):

* operators in one ``Condition`` block, and keys under one operator, are ANDed;
  the values listed for one key are ORed (NOR for a negated operator);
* a key absent from the request makes a positive operator false and a negated
  one (``StringNotEquals``, ``NotIpAddress``, ``ArnNotLike``...) true, except
  that ``...IfExists`` is true when the key is absent, and ``Null`` tests
  presence itself;
* ``ForAllValues:`` is true when every request value matches (and when the
  key is absent or empty); ``ForAnyValue:`` when at least one does (false when
  absent or empty); a multivalued key used without a qualifier behaves as
  ``ForAnyValue:``;
* condition key names are case-insensitive; values are compared as each
  operator family says.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from sekisho.policy import errors
from sekisho.policy.errors import PolicyParseError
from sekisho.policy.variables import Context, Template, parse_template
from sekisho.policy.wildcard import compile_parts

ValueTest = Callable[[str, Context], bool]
"""Does one request value match any of the clause's policy values?"""

QUALIFIER_NONE, QUALIFIER_ALL, QUALIFIER_ANY = 0, 1, 2

_STRING_OPS = {
    "StringEquals": ("eq", False),
    "StringNotEquals": ("eq", True),
    "StringEqualsIgnoreCase": ("ieq", False),
    "StringNotEqualsIgnoreCase": ("ieq", True),
    "StringLike": ("like", False),
    "StringNotLike": ("like", True),
    "ArnEquals": ("arn", False),
    "ArnLike": ("arn", False),
    "ArnNotEquals": ("arn", True),
    "ArnNotLike": ("arn", True),
    "Bool": ("bool", False),
}
_COMPARISONS: dict[str, tuple[Callable[[float, float], bool], bool]] = {
    "Equals": (lambda a, b: a == b, False),
    "NotEquals": (lambda a, b: a == b, True),
    "LessThan": (lambda a, b: a < b, False),
    "LessThanEquals": (lambda a, b: a <= b, False),
    "GreaterThan": (lambda a, b: a > b, False),
    "GreaterThanEquals": (lambda a, b: a >= b, False),
}
OPERATOR_NAMES: frozenset[str] = frozenset(
    [*_STRING_OPS, "BinaryEquals", "IpAddress", "NotIpAddress", "Null"]
    + [f"Numeric{c}" for c in _COMPARISONS]
    + [f"Date{c}" for c in _COMPARISONS]
)


@dataclass(frozen=True, slots=True)
class Clause:
    """One ``operator: {key: values}`` pair of a ``Condition`` block."""

    operator: str
    key: str
    qualifier: int
    negated: bool
    if_exists: bool
    test: ValueTest
    is_null: bool = False

    def evaluate(self, context: Context, missing: list[str] | None) -> bool:
        """Whether the clause holds; absent keys are appended to ``missing``."""
        raw = context.get(self.key)
        if self.is_null:
            return self.test("false" if raw is None else "true", context)
        if raw is None:
            if missing is not None:
                missing.append(self.key)
            if self.if_exists or self.qualifier == QUALIFIER_ALL:
                return True
            if self.qualifier == QUALIFIER_ANY:
                return False
            return self.negated
        test = self.test
        if isinstance(raw, str):
            return test(raw, context) != self.negated
        if self.qualifier == QUALIFIER_ALL:
            return all(test(v, context) != self.negated for v in raw)
        if self.qualifier == QUALIFIER_ANY:
            return any(test(v, context) != self.negated for v in raw)
        hit = any(test(v, context) for v in raw)
        return hit != self.negated


def compile_condition_block(block: object, use_variables: bool) -> tuple[Clause, ...]:
    """Compile a statement's ``Condition`` element.

    Raises ``PolicyParseError`` (``Syntax errors in policy.``) for an unknown
    operator or a badly shaped block, and AWS's legacy-parsing message for an
    invalid date value.
    """
    if not isinstance(block, Mapping):
        raise PolicyParseError(errors.SYNTAX)
    clauses: list[Clause] = []
    for operator, body in block.items():
        if not isinstance(body, Mapping):
            raise PolicyParseError(errors.SYNTAX)
        for key, value in body.items():
            values = _values(value)
            clauses.append(_clause(str(operator), str(key), values, use_variables))
    return tuple(clauses)


def _values(value: object) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, str):
            out.append(item)
        elif isinstance(item, int | float):
            out.append(str(item))
        else:
            raise PolicyParseError(errors.SYNTAX)
    return tuple(out)


def split_operator(operator: str) -> tuple[int, str, bool]:
    """Split ``ForAnyValue:StringLikeIfExists`` into qualifier, base, if-exists.

    Raises ``PolicyParseError`` for an operator AWS does not define.
    """
    qualifier = QUALIFIER_NONE
    base = operator
    if base.startswith("ForAllValues:"):
        qualifier, base = QUALIFIER_ALL, base[len("ForAllValues:") :]
    elif base.startswith("ForAnyValue:"):
        qualifier, base = QUALIFIER_ANY, base[len("ForAnyValue:") :]
    if_exists = base.endswith("IfExists") and base != "IfExists"
    if if_exists:
        base = base[: -len("IfExists")]
    if base not in OPERATOR_NAMES or (base == "Null" and if_exists):
        raise PolicyParseError(errors.SYNTAX)
    return qualifier, base, if_exists


def _clause(operator: str, key: str, values: tuple[str, ...], use_vars: bool) -> Clause:
    qualifier, base, if_exists = split_operator(operator)
    key = key.lower()
    if base == "Null":
        wanted = frozenset(v.lower() for v in values)

        def null_test(present: str, _ctx: Context) -> bool:
            # "true" in the policy asks that the key be absent.
            return ("false" if present == "true" else "true") in wanted

        return Clause(operator, key, qualifier, False, False, null_test, is_null=True)
    if base in _STRING_OPS:
        family, negated = _STRING_OPS[base]
        test = _string_test(family, values, use_vars)
    elif base.startswith("Numeric"):
        compare, negated = _COMPARISONS[base[len("Numeric") :]]
        test = _ordered_test(compare, [_number(v) for v in values], _number)
    elif base.startswith("Date"):
        compare, negated = _COMPARISONS[base[len("Date") :]]
        parsed = [_date(v) for v in values]
        if any(p is None for p in parsed):
            raise PolicyParseError(errors.LEGACY)
        test = _ordered_test(compare, parsed, _date)
    elif base == "BinaryEquals":
        negated = False
        wanted_bytes = frozenset(_binary(v) for v in values)

        def binary_test(value: str, _ctx: Context) -> bool:
            return _binary(value) in wanted_bytes

        test = binary_test
    else:
        negated = base == "NotIpAddress"
        test = _ip_test(values)
    return Clause(operator, key, qualifier, negated, if_exists, test)


def _normalize(family: str) -> Callable[[str], str]:
    if family == "ieq":
        return str.casefold
    if family == "bool":
        return str.lower
    return str


def _string_test(family: str, values: tuple[str, ...], use_vars: bool) -> ValueTest:
    norm = _normalize(family)
    static: list[str] = []
    templates: list[Template] = []
    for value in values:
        template = parse_template(value) if use_vars else None
        if template is None:
            static.append(value)
        else:
            templates.append(template)
    if family in ("like", "arn"):
        arn = family == "arn"
        matchers = [compile_parts(((True, v),), arn=arn) for v in static]

        def like_test(value: str, ctx: Context) -> bool:
            for m in matchers:
                if m(value):
                    return True
            for t in templates:
                parts = t.resolve(ctx)
                if parts is not None and compile_parts(parts, arn=arn)(value):
                    return True
            return False

        return like_test
    wanted = frozenset(norm(v) for v in static)
    if not templates:
        if family == "eq":

            def exact_test(value: str, _ctx: Context) -> bool:
                return value in wanted

            return exact_test

        def set_test(value: str, _ctx: Context) -> bool:
            return norm(value) in wanted

        return set_test

    def template_test(value: str, ctx: Context) -> bool:
        v = norm(value)
        if v in wanted:
            return True
        for t in templates:
            parts = t.resolve(ctx)
            if parts is not None and norm("".join(text for _p, text in parts)) == v:
                return True
        return False

    return template_test


def _ordered_test(
    compare: Callable[[float, float], bool],
    wanted: list[float | None],
    parse: Callable[[str], float | None],
) -> ValueTest:
    usable = [w for w in wanted if w is not None]

    def test(value: str, _ctx: Context) -> bool:
        got = parse(value)
        if got is None:
            return False
        return any(compare(got, w) for w in usable)

    return test


# A decimal number as policies write one; float() alone also takes other scripts' digits
# ("١٢"), underscores ("1_000"), "inf" and "nan".
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _number(text: str) -> float | None:
    text = text.strip()
    if not _DECIMAL.fullmatch(text):
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _date(text: str) -> float | None:
    """Seconds since the epoch for an ISO 8601 date/time or an epoch value."""
    text = text.strip()
    if not text:
        return None
    if text.lstrip("-").replace(".", "", 1).isdigit():
        # isdigit() also holds for digits float() refuses ("²"); "--5" passes the strip.
        return _number(text)
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    except (ValueError, OverflowError):
        return None


def _binary(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return b"\x00invalid:" + text.encode()


@lru_cache(maxsize=4096)
def _address(text: str) -> tuple[int, int] | None:
    """``(IP version, address as an integer)``, or ``None`` if ``text`` is no address."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    return address.version, int(address)


def _ip_test(values: tuple[str, ...]) -> ValueTest:
    networks: list[tuple[int, int, int]] = []
    for value in values:
        try:
            network = ipaddress.ip_network(value.strip(), strict=False)
        except ValueError:
            continue
        networks.append(
            (network.version, int(network.network_address), int(network.netmask))
        )
    blocks = tuple(networks)

    def test(value: str, _ctx: Context) -> bool:
        address = _address(value)
        if address is None:
            return False
        version, number = address
        for block_version, base, mask in blocks:
            if block_version == version and number & mask == base:
                return True
        return False

    return test

"""Cost of the Query protocol layer per request, in microseconds (run by hand).

    .venv/bin/python bench/protocol_bench.py

Times parse_pairs + params_from_pairs + validate + serialize_result for a
signed-CLI-shaped CreateUser (with one tag), and each step on its own, after a
warm-up so that per-shape compilation is excluded. Prints figures; asserts
nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from sekisho import errors
from sekisho.protocol.query import params_from_pairs, parse_pairs
from sekisho.protocol.serialize import serialize_error, serialize_result
from sekisho.protocol.service import load_service
from sekisho.protocol.validate import validate

BODY = (
    b"Action=CreateUser&Version=2010-05-08&UserName=alice&Path=%2Fengineering%2F"
    b"&Tags.member.1.Key=team&Tags.member.1.Value=platform"
)
RESULT = {
    "User": {
        "Path": "/engineering/",
        "UserName": "alice",
        "UserId": "AIDA2MGKZVQ5EXAMPLE1",
        "Arn": "arn:aws:iam::123456789012:user/engineering/alice",
        "CreateDate": datetime(2026, 11, 27, 21, 0, tzinfo=UTC),
        "Tags": [{"Key": "team", "Value": "platform"}],
    }
}


def per_call_us(fn: Callable[[], object], seconds: float = 0.5) -> float:
    """Best of three runs of about `seconds` each, in microseconds per call."""
    best = float("inf")
    for _ in range(3):
        count, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            for _ in range(200):
                fn()
            count += 200
        best = min(best, elapsed / count * 1e6)
    return best


def main() -> None:
    op = load_service("iam").operation("CreateUser")
    pairs = parse_pairs(BODY)
    params = params_from_pairs(pairs, op)

    def whole() -> None:
        p = params_from_pairs(parse_pairs(BODY), op)
        validate(p, op)
        serialize_result(op, RESULT, "c0a8f3d2-1b7e-4d55-9a65-3c9f0e2b7a11")

    whole()
    err = errors.NoSuchEntity("The user with name alice cannot be found.")
    steps = {
        "parse_pairs": lambda: parse_pairs(BODY),
        "params_from_pairs": lambda: params_from_pairs(pairs, op),
        "validate": lambda: validate(params, op),
        "serialize_result": lambda: serialize_result(op, RESULT, "request-id"),
        "serialize_error": lambda: serialize_error(err, "request-id", op.xml_namespace),
        "CreateUser parse+validate+serialize": whole,
    }
    for name, fn in steps.items():
        print(f"{name:40s} {per_call_us(fn):7.2f} us")


if __name__ == "__main__":
    main()

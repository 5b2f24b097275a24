"""Policy engine benchmark: median microseconds per ``authorize`` decision.

W1 "typical": a user in 3 groups with 10 managed and inline policies, ~40
statements with wildcards, conditions on aws:SourceIp, aws:RequestedRegion and
aws:MultiFactorAuthPresent and one explicit deny, over 1,000 mixed requests.
W2 "large": the same principal with 2,000 statements across many services.

Each workload is also decided by an "uncompiled loop": a straightforward
evaluator that walks every statement of every raw JSON document per request
(fnmatch-style matching, no index); its median and the ratio are printed too.
Run: ``.venv/bin/python bench/policy_bench.py [--passes N]``.
"""

from __future__ import annotations

import argparse
import ipaddress
import random
import statistics
import time
from collections.abc import Callable, Mapping
from fnmatch import fnmatchcase
from typing import Any

from sekisho.policy import PolicyKind, PolicySet, Principal, Request, authorize, parse_policy

ACCOUNT = "111122223333"
USER = Principal(f"arn:aws:iam::{ACCOUNT}:user/alice", ACCOUNT, "user")
SERVICES = ["s3", "ec2", "iam", "sqs", "sns", "dynamodb", "lambda", "kms", "logs", "cloudwatch"]
VERBS = ["Get", "List", "Put", "Delete", "Describe", "Create", "Update", "Tag"]
NOUNS = ["Object", "Bucket", "Instance", "Queue", "Topic", "Table", "Function", "Key", "Stream"]
REGIONS = ["us-east-1", "eu-west-1", "ap-south-1"]


def _statement(rng: random.Random, services: list[str]) -> dict[str, Any]:
    service = rng.choice(services)
    actions = [
        f"{service}:{rng.choice(VERBS)}{rng.choice(['*', rng.choice(NOUNS)])}"
        for _ in range(rng.randint(1, 3))
    ]
    resource = rng.choice(
        [
            "*",
            f"arn:aws:{service}:*:{ACCOUNT}:*",
            f"arn:aws:{service}:::{rng.choice(NOUNS).lower()}-*",
        ]
    )
    statement: dict[str, Any] = {"Effect": "Allow", "Action": actions, "Resource": resource}
    roll = rng.random()
    if roll < 0.25:
        statement["Condition"] = {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "10.0.0.0/8"]}}
    elif roll < 0.45:
        statement["Condition"] = {"StringEquals": {"aws:RequestedRegion": rng.sample(REGIONS, 2)}}
    elif roll < 0.6:
        statement["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    return statement


def workload(
    total_statements: int, services: list[str], seed: int
) -> tuple[list[dict[str, Any]], list[Request]]:
    rng = random.Random(seed)
    documents: list[dict[str, Any]] = []
    per_policy = max(1, total_statements // 10)
    for n in range(10):
        statements = [_statement(rng, services) for _ in range(per_policy)]
        if n == 0:
            statements.append(
                {"Effect": "Deny", "Action": ["iam:Delete*", "s3:DeleteBucket"], "Resource": "*"}
            )
        documents.append({"Version": "2012-10-17", "Statement": statements})
    requests = []
    for _ in range(1000):
        service = rng.choice(services)
        action = f"{service}:{rng.choice(VERBS)}{rng.choice(NOUNS)}"
        resource = rng.choice(
            [
                f"arn:aws:{service}:us-east-1:{ACCOUNT}:thing/x",
                f"arn:aws:{service}:::object-7/k",
                "*",
            ]
        )
        context = {
            "aws:SourceIp": rng.choice(["203.0.113.9", "198.51.100.4", "10.1.2.3"]),
            "aws:RequestedRegion": rng.choice(REGIONS),
            "aws:MultiFactorAuthPresent": rng.choice(["true", "false"]),
            "aws:username": "alice",
        }
        requests.append(Request(USER, action, resource, ACCOUNT, context))
    return documents, requests


# --- the uncompiled baseline -------------------------------------------------


def _glob(pattern: str, value: str, ignore_case: bool) -> bool:
    if ignore_case:
        pattern, value = pattern.lower(), value.lower()
    return fnmatchcase(value, pattern)


def _listify(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _condition(block: Mapping[str, Any], context: Mapping[str, str]) -> bool:
    for operator, body in block.items():
        for key, values in body.items():
            got = context.get(key)
            if got is None:
                return False
            wanted = _listify(values)
            if operator == "IpAddress":
                ok = any(ipaddress.ip_address(got) in ipaddress.ip_network(w) for w in wanted)
            elif operator == "Bool":
                ok = got.lower() in [w.lower() for w in wanted]
            else:
                ok = got in wanted
            if not ok:
                return False
    return True


def uncompiled_decide(documents: list[dict[str, Any]], request: Request) -> str:
    allowed = False
    for document in documents:
        for st in document["Statement"]:
            if not any(_glob(a, request.action, True) for a in _listify(st["Action"])):
                continue
            if not any(_glob(r, request.resource, False) for r in _listify(st["Resource"])):
                continue
            if "Condition" in st and not _condition(st["Condition"], request.context):  # type: ignore[arg-type]
                continue
            if st["Effect"] == "Deny":
                return "explicit-deny"
            allowed = True
    return "allow" if allowed else "implicit-deny"


def _median_us(decide: Callable[[Request], object], requests: list[Request], passes: int) -> float:
    samples: list[float] = []
    clock = time.perf_counter_ns
    for _ in range(passes):
        for request in requests:
            start = clock()
            decide(request)
            samples.append((clock() - start) / 1000)
    return statistics.median(samples)


def run(name: str, total: int, services: list[str], passes: int) -> None:
    documents, requests = workload(total, services, seed=len(services) * 7 + total)
    policies = PolicySet(
        identity=tuple(
            parse_policy(d, PolicyKind.IDENTITY, f"p{n}") for n, d in enumerate(documents)
        )
    )
    statements = sum(len(d["Statement"]) for d in documents)
    for request in requests:  # agreement check and warm-up
        assert authorize(request, policies).decision == uncompiled_decide(documents, request)
    compiled = _median_us(lambda r: authorize(r, policies), requests, passes)
    baseline = _median_us(lambda r: uncompiled_decide(documents, r), requests, 1)
    print(
        f"{name}: {statements} statements, {len(requests)} requests: "
        f"compiled median {compiled:.2f} us/decision; uncompiled loop median {baseline:.2f} us; "
        f"ratio {baseline / compiled:.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--passes", type=int, default=5, help="passes over the 1,000 requests")
    args = parser.parse_args()
    run("W1 typical", 40, SERVICES[:5], args.passes)
    many = [f"svc{n}" for n in range(60)] + SERVICES
    run("W2 large", 2000, many, args.passes)


if __name__ == "__main__":
    main()

"""Hypothesis properties of the engine (algebraic laws and robustness)."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sekisho.policy import (
    PolicyKind,
    PolicyParseError,
    PolicySet,
    Principal,
    Request,
    authorize,
    parse_policy,
)

ACCOUNT = "111122223333"
USER = Principal(f"arn:aws:iam::{ACCOUNT}:user/alice", ACCOUNT, "user")
ACTIONS = ["s3:GetObject", "s3:PutObject", "ec2:RunInstances", "iam:CreateUser", "sqs:SendMessage"]
PATTERNS = [*ACTIONS, "s3:*", "*", "s3:Get*", "ec2:*Instances", "iam:?reateUser"]
RESOURCES = ["*", "arn:aws:s3:::b/*", "arn:aws:s3:::b/k", "arn:aws:ec2:*:*:instance/*"]
CONDITIONS = [
    None,
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]}},
]


@st.composite
def statements(draw: st.DrawFn, effect: str | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": effect or draw(st.sampled_from(["Allow", "Deny"])),
        draw(st.sampled_from(["Action", "NotAction"])): draw(
            st.lists(st.sampled_from(PATTERNS), min_size=1, max_size=3)
        ),
        draw(st.sampled_from(["Resource", "NotResource"])): draw(st.sampled_from(RESOURCES)),
    }
    condition = draw(st.sampled_from(CONDITIONS))
    if condition is not None:
        statement["Condition"] = condition
    return statement


requests = st.builds(
    lambda action, resource, mfa, ip, tags: Request(
        USER,
        action,
        resource,
        ACCOUNT,
        {"aws:MultiFactorAuthPresent": mfa, "aws:SourceIp": ip, "aws:TagKeys": tuple(tags)},
    ),
    st.sampled_from(ACTIONS),
    st.sampled_from(["arn:aws:s3:::b/k", "arn:aws:ec2:us-east-1:1:instance/i", "*"]),
    st.sampled_from(["true", "false"]),
    st.sampled_from(["203.0.113.5", "198.51.100.1"]),
    st.lists(st.sampled_from(["a", "b"]), max_size=2),
)


def _decide(stmts: list[dict[str, Any]], request: Request) -> str:
    policy = parse_policy({"Version": "2012-10-17", "Statement": stmts}, PolicyKind.IDENTITY)
    return authorize(request, PolicySet(identity=(policy,))).decision


@settings(max_examples=200, deadline=None)
@given(st.lists(statements(), min_size=1, max_size=6), requests)
def test_an_applicable_deny_always_wins(stmts: list[dict[str, Any]], request: Request) -> None:
    deny = {"Effect": "Deny", "Action": request.action, "Resource": "*"}
    assert _decide([*stmts, deny], request) == "explicit-deny"


@settings(max_examples=200, deadline=None)
@given(st.lists(statements(), min_size=1, max_size=6), statements(), requests)
def test_adding_a_statement_never_lifts_an_explicit_deny(
    stmts: list[dict[str, Any]], extra: dict[str, Any], request: Request
) -> None:
    if _decide(stmts, request) == "explicit-deny":
        assert _decide([*stmts, extra], request) == "explicit-deny"


@settings(max_examples=200, deadline=None)
@given(st.lists(statements(effect="Deny"), min_size=1, max_size=6), requests)
def test_without_allows_the_result_is_never_allow(
    stmts: list[dict[str, Any]], request: Request
) -> None:
    assert _decide(stmts, request) in ("implicit-deny", "explicit-deny")


@settings(max_examples=200, deadline=None)
@given(st.lists(statements(), min_size=1, max_size=6), requests)
def test_removing_all_allows_yields_implicit_deny_when_nothing_denies(
    stmts: list[dict[str, Any]], request: Request
) -> None:
    decision = _decide(stmts, request)
    denies = [s for s in stmts if s["Effect"] == "Deny"]
    if decision != "explicit-deny" and denies:
        assert _decide(denies, request) == "implicit-deny"


@settings(max_examples=200, deadline=None)
@given(st.lists(statements(), min_size=1, max_size=6), requests)
def test_evaluation_is_deterministic(stmts: list[dict[str, Any]], request: Request) -> None:
    assert _decide(stmts, request) == _decide(list(stmts), request)


@settings(max_examples=200, deadline=None)
@given(st.lists(statements(), min_size=1, max_size=6), requests)
def test_matched_statements_agree_with_the_decision(
    stmts: list[dict[str, Any]], request: Request
) -> None:
    # authorize decides on its fast path and works out the matched statements lazily
    # in explain mode; both must tell the same story.
    policy = parse_policy({"Version": "2012-10-17", "Statement": stmts}, PolicyKind.IDENTITY)
    decision = authorize(request, PolicySet(identity=(policy,)))
    effects = {m.effect for m in decision.matched}
    expected = {"Deny": "explicit-deny", "Allow": "allow"}
    if "Deny" in effects:
        assert decision.decision == expected["Deny"]
    elif "Allow" in effects:
        assert decision.decision == expected["Allow"]
    else:
        assert decision.decision == "implicit-deny"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "Version",
                    "Statement",
                    "Effect",
                    "Action",
                    "Resource",
                    "Principal",
                    "Condition",
                    "NotAction",
                    "Sid",
                    "StringEquals",
                    "AWS",
                    "aws:username",
                    "2012-10-17",
                    "x",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values, st.sampled_from(list(PolicyKind)))
def test_arbitrary_json_raises_only_policy_parse_error(value: Any, kind: PolicyKind) -> None:
    with contextlib.suppress(PolicyParseError):
        parse_policy(json.dumps(value), kind)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.sampled_from(list(PolicyKind)))
def test_arbitrary_text_raises_only_policy_parse_error(text: str, kind: PolicyKind) -> None:
    with contextlib.suppress(PolicyParseError):
        parse_policy(text, kind)

"""The documented-rule tables in ``tests/policy/cases`` (one test per case)."""

from __future__ import annotations

from typing import Any

import pytest

from sekisho.policy import (
    PolicyKind,
    PolicyParseError,
    decide_case,
    evaluate_case,
    parse_policy,
)
from tests.policy.cases import conditions, evaluation, matching, parsing

USER = {"arn": "arn:aws:iam::111122223333:user/alice", "account": "111122223333", "type": "user"}


def _user_case(
    statement: dict[str, Any],
    action: str,
    resource: str,
    context: dict[str, Any],
    version: str | None,
) -> dict[str, Any]:
    document: dict[str, Any] = {"Statement": [{"Effect": "Allow", **statement}]}
    if version is not None:
        document["Version"] = version
    return {
        "id": "t",
        "request": {"principal": USER, "action": action, "resource": resource, "context": context},
        "policies": {"identity": [document]},
    }


@pytest.mark.parametrize(
    ("block", "context", "matches"),
    [pytest.param(b, ctx, m, id=rule) for rule, b, ctx, m in conditions.CASES],
)
def test_condition_operator(block: dict[str, Any], context: dict[str, Any], matches: bool) -> None:
    case = _user_case(
        {"Action": "*", "Resource": "*", "Condition": block},
        "s3:GetObject",
        "*",
        context,
        "2012-10-17",
    )
    assert evaluate_case(case)["decision"] == ("allow" if matches else "implicit-deny")


@pytest.mark.parametrize(
    ("statement", "action", "resource", "context", "version", "decision"),
    [pytest.param(s, a, r, ctx, v, d, id=rule) for rule, s, a, r, ctx, v, d in matching.CASES],
)
def test_matching_and_variables(
    statement: dict[str, Any],
    action: str,
    resource: str,
    context: dict[str, Any],
    version: str | None,
    decision: str,
) -> None:
    assert (
        evaluate_case(_user_case(statement, action, resource, context, version))["decision"]
        == decision
    )


@pytest.mark.parametrize(
    ("kind", "document", "message"),
    [pytest.param(k, d, m, id=rule) for rule, k, d, m in parsing.CASES],
)
def test_parsing(kind: str, document: Any, message: str | None) -> None:
    if message is None:
        parse_policy(document, PolicyKind(kind))
        return
    with pytest.raises(PolicyParseError) as info:
        parse_policy(document, PolicyKind(kind))
    assert info.value.message == message


@pytest.mark.parametrize(
    ("case", "decision", "deciding"),
    [pytest.param(c, d, k, id=rule) for rule, c, d, k in evaluation.CASES],
)
def test_evaluation_logic(case: dict[str, Any], decision: str, deciding: str | None) -> None:
    result = evaluate_case(case)
    assert (result["decision"], result["explanation"]["deciding_policy_type"]) == (
        decision,
        deciding,
    )


@pytest.mark.parametrize(
    ("case", "decision"),
    [pytest.param(c, d, id=rule) for rule, c, d, _k in evaluation.CASES],
)
def test_explanation_agrees_with_the_decision(case: dict[str, Any], decision: str) -> None:
    # The decision is made on the fast path; the matched statements are worked out
    # afterwards in explain mode: an explicit deny names a Deny of the deciding type,
    # and no other decision lists any Deny.
    result = decide_case(case)
    denies = [m for m in result.matched if m.effect == "Deny"]
    if result.decision == "explicit-deny":
        assert result.deciding_kind in {m.kind for m in denies}
    else:
        assert denies == []
    if result.decision == "allow":
        assert any(m.effect == "Allow" for m in result.matched) or case["request"][
            "principal"
        ]["type"] == "root"

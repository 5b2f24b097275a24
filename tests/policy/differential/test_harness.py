"""Tests of the differential harness: the driver's translation and the known-rule rewrites."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from .known import (
    neutralize_epoch_dates,
    neutralize_not_principal_chain,
    neutralize_session_policy_vs_direct_grant,
)
from .oracle import OracleUnavailable, run_oracle

Case = dict[str, Any]
ACCT = "111122223333"
ISSUE_EXAMPLE: Case = {
    "id": "mfa-required",
    "request": {"principal": {"arn": f"arn:aws:iam::{ACCT}:user/alice", "account": ACCT,
                              "type": "user"},
                "action": "s3:GetObject", "resource": "arn:aws:s3:::reports/q1.csv",
                "context": {"aws:MultiFactorAuthPresent": "false", "aws:SourceIp": "203.0.113.7",
                            "aws:username": "alice"}},
    "policies": {"identity": [{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}],
        "resource": None, "resource_account": ACCT, "boundary": None, "session": [],
        "scp": [], "rcp": []},
}


def _with(case: Case, **policies: Any) -> Case:
    out = copy.deepcopy(case)
    out["policies"].update(policies)
    return out


def _decide(*cases: Case) -> list[str | None]:
    try:
        answers = run_oracle(list(cases))
    except OracleUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    return [answers[case["id"]].decision for case in cases]


def test_driver_decides_the_issue_example_and_its_variants() -> None:
    scp_deny = [{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}]
    root = copy.deepcopy(ISSUE_EXAMPLE)
    root["request"]["principal"] = {"arn": f"arn:aws:iam::{ACCT}:root", "account": ACCT,
                                    "type": "root"}
    root["policies"]["identity"] = []
    cases = [ISSUE_EXAMPLE, _with(ISSUE_EXAMPLE, identity=[], id="x"),
             _with(ISSUE_EXAMPLE, scp=scp_deny), root]
    for n, case in enumerate(cases):
        case["id"] = f"case-{n}"
    assert _decide(*cases) == ["allow", "implicit-deny", "explicit-deny", "allow"]


def test_epoch_rewrite_turns_epoch_seconds_into_iso_dates() -> None:
    case = _with(ISSUE_EXAMPLE, identity=[{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*",
         "Condition": {"DateLessThan": {"aws:CurrentTime": "1704067200"}}}]}])
    rewritten = neutralize_epoch_dates(case)
    condition = rewritten["policies"]["identity"][0]["Statement"][0]["Condition"]
    assert condition == {"DateLessThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}}


@pytest.mark.parametrize(("listed", "applies"), [
    ([f"arn:aws:iam::{ACCT}:user/alice"], True),
    ([f"arn:aws:iam::{ACCT}:root"], True),
    ([f"arn:aws:iam::{ACCT}:user/alice", ACCT], False),
    ([f"arn:aws:iam::{ACCT}:user/alice", f"arn:aws:iam::{ACCT}:root"], False),
])
def test_notprincipal_rewrite_spares_only_a_fully_listed_caller(listed: list[str],
                                                                applies: bool) -> None:
    deny = {"Effect": "Deny", "NotPrincipal": {"AWS": listed}, "Action": "s3:*", "Resource": "*"}
    case = _with(ISSUE_EXAMPLE, resource={"Version": "2012-10-17", "Statement": [deny]})
    rewritten = neutralize_not_principal_chain(case)["policies"]["resource"]
    if applies:
        assert rewritten["Statement"] == [{"Effect": "Deny", "Action": "s3:*", "Resource": "*",
                                           "Principal": "*"}]
    else:
        assert rewritten is None


def test_session_rewrite_needs_the_exact_session_arn() -> None:
    session_arn = f"arn:aws:sts::{ACCT}:assumed-role/Admin/s1"
    base = copy.deepcopy(ISSUE_EXAMPLE)
    base["request"]["principal"] = {"arn": session_arn, "account": ACCT, "type": "role-session",
                                    "role_arn": f"arn:aws:iam::{ACCT}:role/Admin"}
    session = [{"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}]

    def bucket_policy(principal: Any) -> dict[str, Any]:
        return {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject",
             "Resource": "*"}]}

    direct = _with(base, session=session, resource=bucket_policy({"AWS": session_arn}))
    wildcard = _with(base, session=session, resource=bucket_policy("*"))
    rewritten = neutralize_session_policy_vs_direct_grant(direct)
    assert rewritten["policies"]["session"] == []
    assert rewritten["policies"]["identity"][-1]["Statement"] == session[0]["Statement"]
    assert neutralize_session_policy_vs_direct_grant(wildcard) == wildcard

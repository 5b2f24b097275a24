"""AccessDenied wording, policy size, explanations and validation findings."""

from __future__ import annotations

import pytest

from sekisho.policy import (
    CompiledPolicy,
    PolicyKind,
    PolicySet,
    Principal,
    Request,
    authorize,
    parse_policy,
    policy_size,
    validate_policy,
)

A = "123456789012"
ALICE = Principal(f"arn:aws:iam::{A}:user/alice", A, "user")
REQ = Request(ALICE, "s3:GetObject", "arn:aws:s3:::b/k", A, {})
HEAD = (
    f"User: arn:aws:iam::{A}:user/alice is not authorized to perform: s3:GetObject"
    " on resource: arn:aws:s3:::b/k"
)


def _p(kind: PolicyKind, effect: str, action: str = "*") -> CompiledPolicy:
    statement: dict[str, object] = {"Effect": effect, "Action": action, "Resource": "*"}
    if kind in (PolicyKind.RESOURCE, PolicyKind.RCP):
        statement["Principal"] = "*"
    return parse_policy({"Version": "2012-10-17", "Statement": [statement]}, kind)


ALLOW_ID = _p(PolicyKind.IDENTITY, "Allow")

# The forms of the IAM User Guide's "Troubleshoot access denied error messages".
MESSAGE_CASES = [
    (
        "no identity allow",
        PolicySet(),
        f"{HEAD} because no identity-based policy allows the s3:GetObject action",
    ),
    (
        "identity deny",
        PolicySet(identity=(_p(PolicyKind.IDENTITY, "Deny"),)),
        f"{HEAD} with an explicit deny in an identity-based policy",
    ),
    (
        "scp deny",
        PolicySet(identity=(ALLOW_ID,), scp=((_p(PolicyKind.SCP, "Deny"),),)),
        f"{HEAD} with an explicit deny in a service control policy",
    ),
    (
        "scp implicit",
        PolicySet(identity=(ALLOW_ID,), scp=((_p(PolicyKind.SCP, "Allow", "ec2:*"),),)),
        f"{HEAD} because no service control policy allows the s3:GetObject action",
    ),
    (
        "rcp deny",
        PolicySet(identity=(ALLOW_ID,), rcp=((_p(PolicyKind.RCP, "Deny"),),)),
        f"{HEAD} with an explicit deny in a resource control policy",
    ),
    (
        "boundary implicit",
        PolicySet(identity=(ALLOW_ID,), boundary=_p(PolicyKind.BOUNDARY, "Allow", "ec2:*")),
        f"{HEAD} because no permissions boundary allows the s3:GetObject action",
    ),
    (
        "boundary deny",
        PolicySet(identity=(ALLOW_ID,), boundary=_p(PolicyKind.BOUNDARY, "Deny")),
        f"{HEAD} with an explicit deny in a permissions boundary",
    ),
    (
        "resource deny",
        PolicySet(identity=(ALLOW_ID,), resource=_p(PolicyKind.RESOURCE, "Deny")),
        f"{HEAD} with an explicit deny in a resource-based policy",
    ),
]


@pytest.mark.parametrize(
    ("policies", "message"), [pytest.param(p, m, id=i) for i, p, m in MESSAGE_CASES]
)
def test_access_denied_message(policies: PolicySet, message: str) -> None:
    assert authorize(REQ, policies).access_denied_message() == message


def test_session_policy_message() -> None:
    session = Principal(
        f"arn:aws:sts::{A}:assumed-role/r/s", A, "role-session", role_arn=f"arn:aws:iam::{A}:role/r"
    )
    request = Request(session, "s3:GetObject", "arn:aws:s3:::b/k", A, {})
    decision = authorize(
        request,
        PolicySet(identity=(ALLOW_ID,), session=(_p(PolicyKind.SESSION, "Allow", "ec2:*"),)),
    )
    assert decision.access_denied_message().endswith(
        "because no session policy allows the s3:GetObject action"
    )


def test_allow_has_no_message() -> None:
    assert authorize(REQ, PolicySet(identity=(ALLOW_ID,))).access_denied_message() == ""


def test_missing_context_values_are_reported() -> None:
    policy = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                }
            ],
        },
        PolicyKind.IDENTITY,
    )
    assert authorize(REQ, PolicySet(identity=(policy,))).missing_context_values == (
        "aws:multifactorauthpresent",
    )


def test_matched_statement_names_policy_index_and_sid() -> None:
    policy = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Deny", "Action": "ec2:*", "Resource": "*"},
                {"Sid": "Read", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"},
            ],
        },
        PolicyKind.IDENTITY,
        "pol-1",
    )
    matched = authorize(REQ, PolicySet(identity=(policy,))).matched
    assert [(m.policy_id, m.index, m.sid, m.effect) for m in matched] == [
        ("pol-1", 1, "Read", "Allow")
    ]


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ('{"a": "b"}', 9),
        ('{\n  "a" : "b"\n}', 9),
        ('{"a": "b c"}', 11),
        ('{"a": "\\" x"}', 12),
    ],
    ids=[
        "compact",
        "whitespace outside strings is not counted",
        "whitespace inside strings counts",
        "escaped quote",
    ],
)
def test_policy_size_ignores_whitespace_outside_strings(text: str, size: int) -> None:
    assert policy_size(text) == size


def test_parsed_policy_records_its_size() -> None:
    text = (
        '{ "Version": "2012-10-17",\n "Statement": '
        '{ "Effect": "Allow", "Action": "*", "Resource": "*" } }'
    )
    assert parse_policy(text, PolicyKind.IDENTITY).size == policy_size(text)


def test_validate_warns_about_old_version() -> None:
    findings = validate_policy(
        {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}, PolicyKind.IDENTITY
    )
    assert [f.code for f in findings] == ["old-version"]


def test_validate_warns_about_multivalued_key_without_set_operator() -> None:
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:TagKeys": "a"}},
            }
        ],
    }
    assert [f.code for f in validate_policy(doc, PolicyKind.IDENTITY)] == ["multivalued-key"]


def test_validate_returns_the_parse_error() -> None:
    findings = validate_policy("{", PolicyKind.IDENTITY)
    assert [(f.severity, f.message) for f in findings] == [("error", "Syntax errors in policy.")]


def test_compiled_policy_is_immutable() -> None:
    with pytest.raises(AttributeError):
        ALLOW_ID.policy_id = "x"  # type: ignore[misc]

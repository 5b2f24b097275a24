"""``sekisho policy evaluate|validate`` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from sekisho.cli.policy_cmd import policy

CASE: dict[str, Any] = {
    "id": "mfa-required",
    "request": {
        "principal": {
            "arn": "arn:aws:iam::111122223333:user/alice",
            "account": "111122223333",
            "type": "user",
        },
        "action": "s3:GetObject",
        "resource": "arn:aws:s3:::reports/q1.csv",
        "context": {"aws:MultiFactorAuthPresent": "false"},
    },
    "policies": {
        "identity": [
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
            }
        ],
        "resource": None,
        "resource_account": "111122223333",
        "boundary": None,
        "session": [],
        "scp": [],
        "rcp": [],
    },
}


def _write(tmp_path: Path, value: object) -> str:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(value))
    return str(path)


def test_evaluate_prints_one_json_line_per_case(tmp_path: Path) -> None:
    second = {**CASE, "id": "two", "policies": {**CASE["policies"], "identity": []}}
    result = CliRunner().invoke(policy, ["evaluate", _write(tmp_path, [CASE, second])])
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [(x["id"], x["decision"]) for x in lines] == [
        ("mfa-required", "allow"),
        ("two", "implicit-deny"),
    ]


def test_evaluate_accepts_a_single_case(tmp_path: Path) -> None:
    result = CliRunner().invoke(policy, ["evaluate", _write(tmp_path, CASE)])
    assert json.loads(result.output)["explanation"]["matched_statements"][0]["statement_index"] == 0


def test_evaluate_reports_an_invalid_policy_and_fails(tmp_path: Path) -> None:
    bad = {
        **CASE,
        "policies": {"identity": [{"Statement": [{"Effect": "Allow", "Action": "s3:*"}]}]},
    }
    result = CliRunner().invoke(policy, ["evaluate", _write(tmp_path, bad)])
    assert (result.exit_code, json.loads(result.output)["error"]) == (
        1,
        "Policy statement must contain resources.",
    )


def test_validate_prints_the_malformed_policy_message(tmp_path: Path) -> None:
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}],
    }
    result = CliRunner().invoke(policy, ["validate", _write(tmp_path, doc)])
    assert (result.exit_code, result.output.strip()) == (
        1,
        "error: MalformedPolicyDocument: Policy document should not specify a principal.",
    )


def test_validate_prints_ok_for_a_clean_policy(tmp_path: Path) -> None:
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }
    result = CliRunner().invoke(policy, ["validate", _write(tmp_path, doc)])
    assert (result.exit_code, result.output.strip()) == (0, "ok")


def test_validate_warns_about_allow_with_not_action(tmp_path: Path) -> None:
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
    }
    result = CliRunner().invoke(policy, ["validate", "--kind", "identity", _write(tmp_path, doc)])
    assert "warning: allow-not-action" in result.output

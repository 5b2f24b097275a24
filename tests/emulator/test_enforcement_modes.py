"""Enforcement modes over the wire: audit logs would-be denials and allows, off allows all."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sekisho.testing.server import SekishoServer

UNKNOWN = ("FOOBARKEY", "FOOBARSECRET")
FEDERATE = ('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", '
            '"Action": "sts:GetFederationToken", "Resource": "*"}}')


def new_user(server: SekishoServer, policy: str | None = None) -> tuple[str, dict[str, Any]]:
    iam = server.client("iam", UNKNOWN)
    name = f"u-{secrets.token_hex(4)}"
    iam.create_user(UserName=name)
    if policy:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    return name, iam.create_access_key(UserName=name)["AccessKey"]


def as_user(server: SekishoServer, key: dict[str, Any], service: str = "iam") -> Any:
    return server.client(service, (key["AccessKeyId"], key["SecretAccessKey"]))


def would_deny(server: SekishoServer, action: str, principal_suffix: str) -> dict[str, Any]:
    """The audit line for `action` by the principal whose ARN ends so (waits for the log)."""
    for _ in range(100):
        for line in server.log().splitlines():
            if "would deny " not in line:
                continue
            record: dict[str, Any] = json.loads(line.split("would deny ", 1)[1])
            if record["action"] == action and record["principal"].endswith(principal_suffix):
                return record
        time.sleep(0.02)
    raise AssertionError(f"no audit line for {action} by ...{principal_suffix}")


def test_audit_lets_a_denied_call_through(auditing: SekishoServer) -> None:
    _, key = new_user(auditing)
    assert "Users" in as_user(auditing, key).list_users()


def test_audit_logs_the_would_be_denial(auditing: SekishoServer) -> None:
    name, key = new_user(auditing)
    as_user(auditing, key).list_users()
    record = would_deny(auditing, "iam:ListUsers", f":user/{name}")
    assert record["principal"] == f"arn:aws:iam::123456789012:user/{name}"
    assert record["resource"] == "arn:aws:iam::123456789012:user/"
    assert (record["decision"], record["deciding_policy_type"]) == ("implicit-deny", "identity")


def test_audit_names_the_statement_of_an_explicit_deny(auditing: SekishoServer) -> None:
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "ButNotThis", "Effect": "Deny", "Action": "iam:CreateGroup", "Resource": "*"}]})
    name, key = new_user(auditing, policy)
    as_user(auditing, key).create_group(GroupName=f"g-{name}")
    record = would_deny(auditing, "iam:CreateGroup", f":user/{name}")
    assert record["decision"] == "explicit-deny"
    denying = [s for s in record["matched_statements"] if s["effect"] == "Deny"]
    assert [(s["sid"], s["policy_id"]) for s in denying] == [("ButNotThis", f"user/{name}#p")]


def test_audit_lines_hold_no_secret(auditing: SekishoServer) -> None:
    name, key = new_user(auditing)
    as_user(auditing, key).list_roles()
    would_deny(auditing, "iam:ListRoles", f":user/{name}")
    assert key["SecretAccessKey"] not in auditing.log()


def test_audit_logs_a_session_restriction_and_lets_it_through(auditing: SekishoServer) -> None:
    _, key = new_user(auditing, FEDERATE)
    creds = as_user(auditing, key, "sts").get_federation_token(Name="aud")["Credentials"]
    iam = auditing.client("iam", (creds["AccessKeyId"], creds["SecretAccessKey"]),
                          aws_session_token=creds["SessionToken"])
    iam.list_users()  # federated users may not call IAM at all (enforce: InvalidClientTokenId)
    record = would_deny(auditing, "iam:ListUsers", ":federated-user/aud")
    assert record["decision"] == "session-restriction"


def test_off_lets_a_denied_call_through_without_a_log_line(unenforced: SekishoServer) -> None:
    name, key = new_user(unenforced)
    as_user(unenforced, key).list_users()
    assert f":user/{name}" not in unenforced.log()


def test_off_still_authenticates(unenforced: SekishoServer) -> None:
    _, key = new_user(unenforced)
    with pytest.raises(ClientError) as exc:
        unenforced.client("iam", (key["AccessKeyId"], "wrong")).list_users()
    assert exc.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


def test_enforce_denies(emulator: SekishoServer) -> None:
    _, key = new_user(emulator)
    with pytest.raises(ClientError) as exc:
        as_user(emulator, key).list_users()
    assert exc.value.response["Error"]["Code"] == "AccessDenied"


@pytest.mark.parametrize("fixture", ["emulator", "auditing", "unenforced"])
def test_the_banner_states_the_mode(fixture: str, request: pytest.FixtureRequest) -> None:
    server: SekishoServer = request.getfixturevalue(fixture)
    assert f"enforcement: {server.enforcement}" in server.log()

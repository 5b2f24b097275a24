"""Revoking a role's active sessions: `sekisho sessions revoke` and the AWS CLI procedure.

Both put the inline policy `AWSRevokeOlderSessions` on the role, as the IAM
console's "Revoke active sessions" does (docs/revoking-sessions.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sekisho.domain.revocation import POLICY_NAME, revocation_document
from tests.api.test_assume_role import allow, make_role, trust, user_allowed_to_assume
from tests.api.test_aws_cli import aws
from tests.api.test_sts_sessions import session_client
from tests.api.test_users import error_of
from tests.support.server import RunningServer


def revoke(server: RunningServer, *args: str) -> subprocess.CompletedProcess[str]:
    """`sekisho sessions revoke ARGS`, naming the first account unless ARGS name one (other
    tests may add accounts to the shared server)."""
    if "--account" not in args:
        account = server.client("sts").get_caller_identity()["Account"]
        args = (*args, "--account", account)
    command = [sys.executable, "-m", "sekisho", "sessions", "revoke", *args,
               "--data-dir", str(server.data_dir)]
    if server.database_url:
        command += ["--database-url", server.database_url]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def wait_for_next_second() -> None:
    # Session issue times have whole seconds; a session issued in the second of the
    # revocation counts as older (docs/revoking-sessions.md).
    time.sleep(1.05 - datetime.now(UTC).microsecond / 1_000_000)


class Role:
    def __init__(self, server: RunningServer, iam: Any, unique: str, prefix: str) -> None:
        self.name = f"{prefix}-{unique}"
        self.user = f"{prefix}-u-{unique}"
        self.key = user_allowed_to_assume(iam, self.user)
        account = server.client("sts", self.key).get_caller_identity()["Account"]
        self.arn = make_role(iam, self.name, trust({"AWS": f"arn:aws:iam::{account}:root"}))
        iam.put_role_policy(RoleName=self.name, PolicyName="read",
                            PolicyDocument=allow("iam:GetUser"))
        self.server = server

    def session(self) -> Any:
        creds = self.server.client("sts", self.key).assume_role(
            RoleArn=self.arn, RoleSessionName="worker")["Credentials"]
        return session_client(self.server, "iam", creds)

    def works(self, iam_client: Any) -> None:
        iam_client.get_user(UserName=self.user)

    def denied(self, iam_client: Any) -> tuple[str, int, str]:
        with pytest.raises(ClientError) as exc:
            iam_client.get_user(UserName=self.user)
        return error_of(exc)


def test_revoke_denies_older_sessions_and_spares_newer_ones(server: RunningServer, iam: Any,
                                                           unique: str) -> None:
    role = Role(server, iam, unique, "rv")
    old = role.session()
    role.works(old)
    done = revoke(server, "--role", role.name)
    assert done.returncode == 0, done.stderr
    code, status, message = role.denied(old)
    assert (code, status) == ("AccessDenied", 403)
    assert message.endswith("with an explicit deny in an identity-based policy")
    wait_for_next_second()
    role.works(role.session())


def test_revoke_puts_the_console_policy_on_the_role(server: RunningServer, iam: Any,
                                                    unique: str) -> None:
    role = Role(server, iam, unique, "rvdoc")
    before = datetime.now(UTC)
    assert revoke(server, "--role", role.name).returncode == 0
    document = iam.get_role_policy(RoleName=role.name,
                                   PolicyName=POLICY_NAME)["PolicyDocument"]
    statement = document["Statement"]
    stamp = statement.pop("Condition")["DateLessThan"]["aws:TokenIssueTime"]
    assert statement == {"Effect": "Deny", "Action": "*", "Resource": "*"}
    revoked_at = datetime.fromisoformat(stamp)
    assert before - timedelta(seconds=1) <= revoked_at <= datetime.now(UTC)


def test_revoking_again_refreshes_the_time(server: RunningServer, iam: Any, unique: str) -> None:
    role = Role(server, iam, unique, "rvtwice")
    assert revoke(server, "--role", role.name).returncode == 0
    wait_for_next_second()
    middle = role.session()
    role.works(middle)
    wait_for_next_second()
    assert revoke(server, "--role", role.name).returncode == 0
    assert role.denied(middle)[0] == "AccessDenied"
    assert sorted(iam.list_role_policies(RoleName=role.name)["PolicyNames"]) == [
        POLICY_NAME, "read"]


def test_revoke_does_not_touch_other_roles(server: RunningServer, iam: Any, unique: str) -> None:
    revoked, other = Role(server, iam, unique, "rva"), Role(server, iam, unique, "rvb")
    other_session = other.session()
    assert revoke(server, "--role", revoked.name).returncode == 0
    other.works(other_session)


def test_revoke_of_unknown_role_fails_with_aws_error(server: RunningServer, unique: str) -> None:
    done = revoke(server, "--role", f"missing-{unique}")
    assert done.returncode != 0
    assert f"NoSuchEntity: The role with name missing-{unique} cannot be found." in done.stderr


def test_revoke_of_service_linked_role_is_refused(server: RunningServer, iam: Any,
                                                  unique: str) -> None:
    role = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com",
                                          CustomSuffix=unique)["Role"]
    done = revoke(server, "--role", role["RoleName"])
    assert done.returncode != 0
    assert "UnmodifiableEntity" in done.stderr


def test_revoke_with_unknown_account_fails(server: RunningServer, iam: Any, unique: str) -> None:
    role = Role(server, iam, unique, "rvacct")
    done = revoke(server, "--role", role.name, "--account", "000000000000")
    assert done.returncode != 0 and "NoSuchEntity" in done.stderr


def test_documented_aws_cli_procedure_revokes_the_same_way(server: RunningServer, iam: Any,
                                                           unique: str) -> None:
    role = Role(server, iam, unique, "rvcli")
    old = role.session()
    document = json.loads(revocation_document(datetime.now(UTC)))
    done = aws(server, "iam", "put-role-policy", "--role-name", role.name, "--policy-name",
               POLICY_NAME, "--policy-document", json.dumps(document))
    assert done.returncode == 0, done.stderr
    assert role.denied(old)[0] == "AccessDenied"
    wait_for_next_second()
    role.works(role.session())

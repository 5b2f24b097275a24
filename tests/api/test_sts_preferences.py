"""SetSecurityTokenServicePreferences over the wire, and GetAccountSummary's
`GlobalEndpointTokenVersion` that reports it (IAM API reference).

The preference is one per account, so each test gets a fresh account
(`sekisho account create`) on the shared server.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.server import RunningServer, read_root_key


@dataclass(frozen=True)
class Account:
    server: RunningServer
    profile: str
    root_key: tuple[str, str]

    def client(self, service: str, key: tuple[str, str] | None = None) -> Any:
        return self.server.client(service, key or self.root_key)


@pytest.fixture
def fresh(server: RunningServer) -> Account:
    profile = f"sts-prefs-{secrets.token_hex(4)}"
    args = [sys.executable, "-m", "sekisho", "account", "create",
            "--data-dir", str(server.data_dir), "--profile", profile]
    if server.database_url:
        args += ["--database-url", server.database_url]
    subprocess.run(args, check=True, capture_output=True, timeout=60)
    return Account(server, profile, read_root_key(server.data_dir, profile))


def token_version(iam: Any) -> int:
    return int(iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"])


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    err = exc.value.response
    return err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"]


def test_summary_reports_version_1_before_any_preference(fresh: Account) -> None:
    assert token_version(fresh.client("iam")) == 1


@pytest.mark.parametrize(("preference", "reported"), [("v2Token", 2), ("v1Token", 1)])
def test_summary_reports_the_preference_set(fresh: Account, preference: str,
                                            reported: int) -> None:
    iam = fresh.client("iam")
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion=preference)
    assert token_version(iam) == reported


def test_a_later_preference_replaces_the_earlier_one(fresh: Account) -> None:
    iam = fresh.client("iam")
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v1Token")
    assert token_version(iam) == 1


def test_preference_is_per_account(fresh: Account, iam: Any) -> None:
    before = token_version(iam)
    fresh.client("iam").set_security_token_service_preferences(
        GlobalEndpointTokenVersion="v2Token")
    assert token_version(iam) == before


def test_unknown_token_version_is_a_validation_error(fresh: Account) -> None:
    with pytest.raises(ClientError) as exc:
        fresh.client("iam").set_security_token_service_preferences(
            GlobalEndpointTokenVersion="v3Token")
    assert error_of(exc) == ("ValidationError", 400)
    assert exc.value.response["Error"]["Message"] == (
        "1 validation error detected: Value 'v3Token' at 'globalEndpointTokenVersion' failed "
        "to satisfy constraint: Member must satisfy enum value set: [v1Token, v2Token]")


def _user(account: Account, statements: list[dict[str, Any]]) -> Any:
    iam = account.client("iam")
    name = f"prefs-{secrets.token_hex(4)}"
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": statements}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return account.client("iam", (key["AccessKeyId"], key["SecretAccessKey"]))


def test_user_without_permission_is_denied_and_nothing_changes(fresh: Account) -> None:
    user_iam = _user(fresh, [])
    with pytest.raises(ClientError) as exc:
        user_iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    assert error_of(exc) == ("AccessDenied", 403)
    assert token_version(fresh.client("iam")) == 1


def test_user_allowed_the_action_may_set_the_preference(fresh: Account) -> None:
    user_iam = _user(fresh, [{"Effect": "Allow", "Resource": "*",
                              "Action": "iam:SetSecurityTokenServicePreferences"}])
    user_iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    assert token_version(fresh.client("iam")) == 2


def test_cli_sets_the_preference(fresh: Account) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_SHARED_CREDENTIALS_FILE": str(fresh.server.data_dir / "root-credentials"),
                "AWS_CONFIG_FILE": str(fresh.server.data_dir / "config"),
                "AWS_PROFILE": fresh.profile, "AWS_ENDPOINT_URL_IAM": fresh.server.endpoint,
                "AWS_MAX_ATTEMPTS": "1"})
    cli = Path(sys.executable).parent / "aws"
    result = subprocess.run([str(cli), "iam", "set-security-token-service-preferences",
                             "--global-endpoint-token-version", "v2Token"], env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert token_version(fresh.client("iam")) == 2

"""STS through the clients' own machinery: boto3 role profiles and the AWS CLI.

The shared config file names the server with `endpoint_url` in each profile;
botocore creates the STS client of its assume-role provider from the session's
own profile, so that setting also routes the AssumeRole calls (checked below by
the sessions the server reports).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.api.test_assume_role import allow, make_role, trust, user_allowed_to_assume
from tests.api.test_users import error_of
from tests.support.server import RunningServer


@dataclass
class Profiles:
    """A shared config file: `base` (an IAM user's key), and role profiles built on it."""

    path: Path
    endpoint: str
    account: str
    sections: dict[str, dict[str, str]]

    def add(self, name: str, **values: str) -> None:
        self.sections[name] = {"region": "us-east-1", "endpoint_url": self.endpoint, **values}
        with self.path.open("w") as fh:
            for section, items in self.sections.items():
                fh.write(f"[profile {section}]\n")
                fh.writelines(f"{k} = {v}\n" for k, v in items.items())
                fh.write("\n")

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        empty = self.path.parent / "no-credentials"
        empty.touch()
        env.update({"AWS_CONFIG_FILE": str(self.path), "AWS_SHARED_CREDENTIALS_FILE": str(empty),
                    "AWS_MAX_ATTEMPTS": "1", "AWS_EC2_METADATA_DISABLED": "true"})
        return env


@pytest.fixture
def profiles(server: RunningServer, iam: Any, unique: str, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[Profiles]:
    key_id, secret = user_allowed_to_assume(iam, f"dev-{unique}")
    account = server.client("sts").get_caller_identity()["Account"]
    made = Profiles(tmp_path / "config", server.endpoint, account, {})
    made.add("base", aws_access_key_id=key_id, aws_secret_access_key=secret)
    for name, value in made.env().items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    for name in [n for n in os.environ if n.startswith("AWS_") and n not in made.env()]:
        monkeypatch.delenv(name)
    yield made


def caller(profile: str) -> dict[str, Any]:
    identity: dict[str, Any] = boto3.Session(profile_name=profile).client(
        "sts").get_caller_identity()
    return identity


def expiry_of(profile: str) -> datetime:
    credentials = boto3.Session(profile_name=profile).get_credentials()
    credentials.get_frozen_credentials()
    expiry: datetime = credentials._expiry_time  # botocore keeps the Expiration it was given
    return expiry


def role_trusting_account(server: RunningServer, iam: Any, name: str, account: str,
                          condition: dict[str, Any] | None = None) -> str:
    arn = make_role(iam, name, trust({"AWS": f"arn:aws:iam::{account}:root"}, condition))
    iam.put_role_policy(RoleName=name, PolicyName="assume", PolicyDocument=allow("sts:AssumeRole"))
    return arn


def test_role_profile_assumes_the_role_through_the_server(
        server: RunningServer, iam: Any, unique: str, profiles: Profiles) -> None:
    arn = role_trusting_account(server, iam, f"prof-{unique}", profiles.account)
    profiles.add("role", role_arn=arn, source_profile="base", role_session_name="ci-run")
    identity = caller("role")
    assert identity["Arn"] == f"arn:aws:sts::{profiles.account}:assumed-role/prof-{unique}/ci-run"
    used = iam.get_role(RoleName=f"prof-{unique}")["Role"]["RoleLastUsed"]
    assert used["Region"] == "us-east-1"


def test_role_profile_passes_duration_seconds(server: RunningServer, iam: Any, unique: str,
                                              profiles: Profiles) -> None:
    arn = role_trusting_account(server, iam, f"dur-{unique}", profiles.account)
    profiles.add("short", role_arn=arn, source_profile="base", duration_seconds="900")
    remaining = expiry_of("short") - datetime.now(UTC)
    assert timedelta(minutes=14) < remaining <= timedelta(minutes=15)


def test_role_profile_passes_external_id(server: RunningServer, iam: Any, unique: str,
                                         profiles: Profiles) -> None:
    arn = role_trusting_account(server, iam, f"ext-{unique}", profiles.account,
                                {"StringEquals": {"sts:ExternalId": f"id-{unique}"}})
    profiles.add("right", role_arn=arn, source_profile="base", external_id=f"id-{unique}")
    profiles.add("wrong", role_arn=arn, source_profile="base", external_id="someone-else")
    # Without role_session_name botocore names the session itself.
    assert f":assumed-role/ext-{unique}/botocore-session-" in caller("right")["Arn"]
    with pytest.raises(ClientError) as exc:
        caller("wrong")
    assert error_of(exc)[:2] == ("AccessDenied", 403)


def test_role_chaining_through_a_role_source_profile(server: RunningServer, iam: Any,
                                                     unique: str, profiles: Profiles) -> None:
    first = role_trusting_account(server, iam, f"hop1-{unique}", profiles.account)
    second = make_role(iam, f"hop2-{unique}", trust({"AWS": first}))
    profiles.add("hop1", role_arn=first, source_profile="base", role_session_name="one")
    profiles.add("hop2", role_arn=second, source_profile="hop1", role_session_name="two")
    assert caller("hop2")["Arn"] == \
        f"arn:aws:sts::{profiles.account}:assumed-role/hop2-{unique}/two"
    assert expiry_of("hop2") - datetime.now(UTC) <= timedelta(hours=1)


def test_role_chaining_beyond_one_hour_is_refused(server: RunningServer, iam: Any, unique: str,
                                                  profiles: Profiles) -> None:
    first = role_trusting_account(server, iam, f"long1-{unique}", profiles.account)
    second = make_role(iam, f"long2-{unique}", trust({"AWS": first}), MaxSessionDuration=7200)
    profiles.add("long1", role_arn=first, source_profile="base")
    profiles.add("long2", role_arn=second, source_profile="long1", duration_seconds="7200")
    with pytest.raises(ClientError) as exc:
        caller("long2")
    assert error_of(exc) == ("ValidationError", 400,
                             "The requested DurationSeconds exceeds the 1 hour session limit "
                             "for roles assumed by role chaining.")


def test_cli_uses_a_role_profile(server: RunningServer, iam: Any, unique: str,
                                 profiles: Profiles) -> None:
    arn = role_trusting_account(server, iam, f"cliprof-{unique}", profiles.account)
    profiles.add("clirole", role_arn=arn, source_profile="base", role_session_name="from-cli")
    result = cli(profiles.env(), "sts", "get-caller-identity", "--profile", "clirole")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Arn"].endswith(f":assumed-role/cliprof-{unique}/from-cli")


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    aws = Path(sys.executable).parent / "aws"
    return subprocess.run([str(aws), *args, "--output", "json"], env=env, capture_output=True,
                          text=True, timeout=60, check=False)


def test_cli_assume_role(server: RunningServer, iam: Any, unique: str,
                         profiles: Profiles) -> None:
    arn = role_trusting_account(server, iam, f"cliar-{unique}", profiles.account)
    result = cli(profiles.env(), "sts", "assume-role", "--profile", "base", "--role-arn", arn,
                 "--role-session-name", "cli-session", "--duration-seconds", "900")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["AssumedRoleUser"]["Arn"].endswith(f":assumed-role/cliar-{unique}/cli-session")
    assert out["Credentials"]["AccessKeyId"].startswith("ASIA")
    env = {**profiles.env(), "AWS_ACCESS_KEY_ID": out["Credentials"]["AccessKeyId"],
           "AWS_SECRET_ACCESS_KEY": out["Credentials"]["SecretAccessKey"],
           "AWS_SESSION_TOKEN": out["Credentials"]["SessionToken"],
           "AWS_ENDPOINT_URL": server.endpoint, "AWS_DEFAULT_REGION": "us-east-1"}
    again = cli(env, "sts", "get-caller-identity")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["Arn"] == out["AssumedRoleUser"]["Arn"]


def test_cli_get_session_token(server: RunningServer, profiles: Profiles) -> None:
    result = cli(profiles.env(), "sts", "get-session-token", "--profile", "base",
                 "--duration-seconds", "1800")
    assert result.returncode == 0, result.stderr
    creds = json.loads(result.stdout)["Credentials"]
    expiration = datetime.fromisoformat(creds["Expiration"])
    assert timedelta(minutes=29) < expiration - datetime.now(UTC) <= timedelta(minutes=30)


def test_cli_get_federation_token(server: RunningServer, iam: Any, unique: str,
                                  profiles: Profiles) -> None:
    iam.put_user_policy(UserName=f"dev-{unique}", PolicyName="federate",
                        PolicyDocument=allow("sts:GetFederationToken"))
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    result = cli(profiles.env(), "sts", "get-federation-token", "--profile", "base", "--name",
                 f"fed-{unique}", "--policy", policy)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["FederatedUser"]["Arn"] == \
        f"arn:aws:sts::{profiles.account}:federated-user/fed-{unique}"
    assert 0 < out["PackedPolicySize"] <= 100


def test_cli_reports_sts_errors(server: RunningServer, unique: str, profiles: Profiles) -> None:
    result = cli(profiles.env(), "sts", "assume-role", "--profile", "base", "--role-arn",
                 f"arn:aws:iam::{profiles.account}:role/missing-{unique}",
                 "--role-session-name", "x1")
    assert result.returncode != 0
    assert "(AccessDenied)" in result.stderr

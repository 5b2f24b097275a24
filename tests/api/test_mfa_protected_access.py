"""MFA-protected API access: GetSessionToken and AssumeRole with SerialNumber and
TokenCode, through boto3's own credential machinery and the AWS CLI; the
documented "deny unless MFA" policies; one use per code, across server nodes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.credentials import AssumeRoleProvider, ProfileProviderBuilder
from botocore.exceptions import ClientError

from sekisho.domain import mfa
from tests.api.test_access_keys import make_user_key
from tests.api.test_assume_role import allow, make_role, trust
from tests.api.test_mfa_devices import account_of, code, create_device, enable
from tests.api.test_sts_sessions import session_client
from tests.api.test_users import error_of
from tests.support.server import RunningServer, run_server

REQUIRE_MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def mfa_user(iam: Any, name: str, policy: str | None = None
             ) -> tuple[tuple[str, str], str, str, int]:
    """A user with keys, an optional inline policy and an enabled device:
    (key, serial, seed, step); the codes of `step` and `step + 1` are unused."""
    key = make_user_key(iam, name)
    if policy:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    serial, seed = create_device(iam, name)
    return key, serial, seed, enable(iam, name, serial, seed)


def test_session_token_with_mfa_may_call_iam(server: RunningServer, iam: Any,
                                             unique: str) -> None:
    key, serial, seed, step = mfa_user(iam, f"gst-{unique}", allow("iam:GetUser"))
    creds = server.client("sts", key).get_session_token(
        SerialNumber=serial, TokenCode=code(seed, step))["Credentials"]
    user = session_client(server, "iam", creds).get_user(UserName=f"gst-{unique}")["User"]
    assert user["UserName"] == f"gst-{unique}"


def test_wrong_code_is_access_denied(server: RunningServer, iam: Any, unique: str) -> None:
    key, serial, seed, step = mfa_user(iam, f"wc-{unique}")
    current = {code(seed, step + i) for i in (-1, 0, 1, 2)}
    wrong = next(c for c in ("000000", "111111", "222222") if c not in current)
    with pytest.raises(ClientError) as exc:
        server.client("sts", key).get_session_token(SerialNumber=serial, TokenCode=wrong)
    assert error_of(exc) == ("AccessDenied", 403, mfa.INVALID_CODE)


def test_unknown_serial_is_unable_to_validate(server: RunningServer, iam: Any, sts: Any,
                                              unique: str) -> None:
    key = make_user_key(iam, f"us-{unique}")
    serial = f"arn:aws:iam::{account_of(sts)}:mfa/none-{unique}"
    with pytest.raises(ClientError) as exc:
        server.client("sts", key).get_session_token(SerialNumber=serial, TokenCode="123456")
    assert error_of(exc) == ("AccessDenied", 403, mfa.UNABLE_TO_VALIDATE)


def test_another_users_device_is_unable_to_validate(server: RunningServer, iam: Any,
                                                    unique: str) -> None:
    _, serial, seed, step = mfa_user(iam, f"ow-{unique}")
    other = make_user_key(iam, f"ot-{unique}")
    with pytest.raises(ClientError) as exc:
        server.client("sts", other).get_session_token(SerialNumber=serial,
                                                      TokenCode=code(seed, step))
    assert error_of(exc) == ("AccessDenied", 403, mfa.UNABLE_TO_VALIDATE)


def test_serial_without_code_must_provide_both(server: RunningServer, iam: Any,
                                               unique: str) -> None:
    key, serial, _, _ = mfa_user(iam, f"sn-{unique}")
    with pytest.raises(ClientError) as exc:
        server.client("sts", key).get_session_token(SerialNumber=serial)
    assert error_of(exc) == ("AccessDenied", 403, mfa.MUST_PROVIDE_BOTH)


def test_code_used_once_is_refused_by_every_operation(server: RunningServer, iam: Any,
                                                      unique: str) -> None:
    key, serial, seed, step = mfa_user(iam, f"once-{unique}", allow("sts:AssumeRole"))
    role_arn = make_role(iam, f"once-{unique}",
                         trust({"AWS": f"arn:aws:iam::{account_of(iam_sts(server))}:root"}))
    sts = server.client("sts", key)
    sts.get_session_token(SerialNumber=serial, TokenCode=code(seed, step))
    with pytest.raises(ClientError) as again:
        sts.get_session_token(SerialNumber=serial, TokenCode=code(seed, step))
    assert error_of(again) == ("AccessDenied", 403, mfa.INVALID_CODE)
    with pytest.raises(ClientError) as elsewhere:
        sts.assume_role(RoleArn=role_arn, RoleSessionName="s1", SerialNumber=serial,
                        TokenCode=code(seed, step))
    assert error_of(elsewhere) == ("AccessDenied", 403, mfa.INVALID_CODE)


def iam_sts(server: RunningServer) -> Any:
    return server.client("sts")


def _race(clients: list[Any], serial: str, token: str) -> list[str]:
    """Sends GetSessionToken with the same code from one thread per client at once."""
    barrier = threading.Barrier(len(clients))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(client: Any) -> None:
        barrier.wait()
        try:
            client.get_session_token(SerialNumber=serial, TokenCode=token)
            outcome = "ok"
        except ClientError as exc:
            outcome = f"{exc.response['Error']['Code']}: {exc.response['Error']['Message']}"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def test_same_code_from_two_threads_on_two_nodes_succeeds_once(server: RunningServer,
                                                               iam: Any, unique: str) -> None:
    key, serial, seed, step = mfa_user(iam, f"race-{unique}")
    # A second node on the same database and master key, as a scaled-out installation.
    with run_server(server.data_dir, server.database_url) as second:
        clients = [server.client("sts", key), second.client("sts", key)]
        across_nodes = _race(clients, serial, code(seed, step))
        same_node = _race([server.client("sts", key), server.client("sts", key)], serial,
                          code(seed, step + 1))
    refused = f"AccessDenied: {mfa.INVALID_CODE}"
    assert across_nodes == [refused, "ok"]
    assert same_node == [refused, "ok"]


def test_assume_role_with_mfa_meets_a_trust_policy_requiring_it(server: RunningServer,
                                                                iam: Any, unique: str) -> None:
    key, serial, seed, step = mfa_user(iam, f"ar-{unique}", allow("sts:AssumeRole"))
    account = account_of(iam_sts(server))
    role_arn = make_role(iam, f"ar-{unique}", trust({"AWS": f"arn:aws:iam::{account}:root"},
                                                    REQUIRE_MFA))
    sts = server.client("sts", key)
    with pytest.raises(ClientError) as exc:
        sts.assume_role(RoleArn=role_arn, RoleSessionName="plain")
    assert error_of(exc)[:2] == ("AccessDenied", 403)
    response = sts.assume_role(RoleArn=role_arn, RoleSessionName="mfa", SerialNumber=serial,
                               TokenCode=code(seed, step))
    assert response["AssumedRoleUser"]["Arn"].endswith(f":assumed-role/ar-{unique}/mfa")


def _profile_session(config: Path, profile: str, monkeypatch: pytest.MonkeyPatch,
                     endpoint: str, prompter: Any) -> boto3.Session:
    """A boto3 session on `profile` of a shared config file, whose assume-role provider
    answers the MFA prompt with `prompter` (botocore would otherwise read a terminal)."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(config.parent / "no-credentials"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    session = botocore.session.Session(profile=profile)
    resolver = session.get_component("credential_provider")
    default = resolver.get_provider("assume-role")
    ours = AssumeRoleProvider(
        load_config=lambda: session.full_config, client_creator=session.create_client,
        cache={}, profile_name=profile, prompter=prompter,
        profile_provider_builder=ProfileProviderBuilder(session))
    resolver.providers[resolver.providers.index(default)] = ours
    return boto3.Session(botocore_session=session)


def test_profile_with_mfa_serial_and_external_id_and_a_chained_role(
        server: RunningServer, iam: Any, unique: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    key, serial, seed, step = mfa_user(iam, f"prof-{unique}", allow("sts:AssumeRole"))
    account = account_of(iam_sts(server))
    first = make_role(iam, f"first-{unique}", trust(
        {"AWS": f"arn:aws:iam::{account}:user/prof-{unique}"},
        {**REQUIRE_MFA, "StringEquals": {"sts:ExternalId": f"ext-{unique}"}}))
    iam.put_role_policy(RoleName=f"first-{unique}", PolicyName="chain",
                        PolicyDocument=allow("sts:AssumeRole"))
    # The chained hop sends no code of its own: the MFA of the first hop carries over.
    second = make_role(iam, f"second-{unique}", trust({"AWS": first}, REQUIRE_MFA))
    config = tmp_path / "config"
    config.write_text(
        f"[profile base]\nregion = us-east-1\naws_access_key_id = {key[0]}\n"
        f"aws_secret_access_key = {key[1]}\n\n"
        f"[profile mfa]\nregion = us-east-1\nrole_arn = {first}\nsource_profile = base\n"
        f"mfa_serial = {serial}\nexternal_id = ext-{unique}\nrole_session_name = alice\n\n"
        f"[profile chained]\nregion = us-east-1\nrole_arn = {second}\nsource_profile = mfa\n")
    prompts: list[str] = []

    def prompter(prompt: str) -> str:
        prompts.append(prompt)
        return code(seed, step + len(prompts) - 1)

    identity = _profile_session(config, "mfa", monkeypatch, server.endpoint, prompter) \
        .client("sts").get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{account}:assumed-role/first-{unique}/alice"
    chained = _profile_session(config, "chained", monkeypatch, server.endpoint, prompter) \
        .client("sts").get_caller_identity()
    assert chained["Arn"].startswith(f"arn:aws:sts::{account}:assumed-role/second-{unique}/")
    assert len(prompts) == 2 and serial in prompts[0]


def test_profile_with_a_wrong_external_id_is_denied(server: RunningServer, iam: Any,
                                                    unique: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    key, serial, seed, step = mfa_user(iam, f"ext-{unique}", allow("sts:AssumeRole"))
    account = account_of(iam_sts(server))
    role = make_role(iam, f"ext-{unique}", trust(
        {"AWS": f"arn:aws:iam::{account}:root"},
        {**REQUIRE_MFA, "StringEquals": {"sts:ExternalId": "right"}}))
    config = tmp_path / "config"
    config.write_text(
        f"[profile base]\nregion = us-east-1\naws_access_key_id = {key[0]}\n"
        f"aws_secret_access_key = {key[1]}\n\n"
        f"[profile mfa]\nregion = us-east-1\nrole_arn = {role}\nsource_profile = base\n"
        f"mfa_serial = {serial}\nexternal_id = wrong\n")
    session = _profile_session(config, "mfa", monkeypatch, server.endpoint,
                               lambda _prompt: code(seed, step))
    with pytest.raises(ClientError) as exc:
        session.client("sts").get_caller_identity()
    assert error_of(exc)[:2] == ("AccessDenied", 403)


def test_cli_get_session_token_with_serial_number_and_token_code(
        server: RunningServer, iam: Any, unique: str, tmp_path: Path) -> None:
    key, serial, seed, step = mfa_user(iam, f"cli-{unique}", allow("iam:GetUser"))
    result = aws_as(server, key, tmp_path, "sts", "get-session-token", "--serial-number",
                    serial, "--token-code", code(seed, step))
    assert result.returncode == 0, result.stderr
    creds = json.loads(result.stdout)["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    assert session_client(server, "iam", creds).get_user(UserName=f"cli-{unique}")
    replayed = aws_as(server, key, tmp_path, "sts", "get-session-token", "--serial-number",
                      serial, "--token-code", code(seed, step))
    assert replayed.returncode != 0
    assert "MultiFactorAuthentication failed with invalid MFA one time pass code" \
        in replayed.stderr


def aws_as(server: RunningServer, key: tuple[str, str], tmp_path: Path,
           *args: str) -> subprocess.CompletedProcess[str]:
    """The AWS CLI, unmodified, run with a user's long-term keys."""
    credentials = tmp_path / "cli-credentials"
    credentials.write_text(f"[user]\naws_access_key_id = {key[0]}\n"
                           f"aws_secret_access_key = {key[1]}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_SHARED_CREDENTIALS_FILE": str(credentials),
                "AWS_CONFIG_FILE": str(tmp_path / "no-config"), "AWS_PROFILE": "user",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": server.endpoint,
                "AWS_MAX_ATTEMPTS": "1"})
    cli = Path(sys.executable).parent / "aws"
    return subprocess.run([str(cli), *args, "--output", "json"], env=env, capture_output=True,
                          text=True, timeout=60, check=False)


def _deny_unless_mfa(operator: str) -> str:
    # IAM User Guide, "Allows MFA-authenticated IAM users to manage their own
    # credentials": deny everything but setting up MFA unless MFA is present.
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"},
        {"Effect": "Deny",
         "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice",
                       "iam:ListMFADevices", "iam:ListVirtualMFADevices",
                       "iam:ResyncMFADevice", "sts:GetSessionToken"],
         "Resource": "*",
         "Condition": {operator: {"aws:MultiFactorAuthPresent": "false"}}}]})


@pytest.mark.parametrize(("operator", "credentials", "allowed"), [
    # BoolIfExists: the key is absent for long-term keys, so they are denied too.
    ("BoolIfExists", "long-term", False),
    ("BoolIfExists", "session", False),
    ("BoolIfExists", "mfa-session", True),
    # Plain Bool: an absent key never matches, so long-term keys slip through (the
    # pitfall the IAM User Guide warns about under aws:MultiFactorAuthPresent).
    ("Bool", "long-term", True),
    ("Bool", "session", False),
    ("Bool", "mfa-session", True),
])
def test_deny_unless_mfa_policies_behave_as_documented(
        server: RunningServer, iam: Any, unique: str, operator: str, credentials: str,
        allowed: bool) -> None:
    name = f"dm-{unique}"
    key, serial, seed, step = mfa_user(iam, name, _deny_unless_mfa(operator))
    account = account_of(iam_sts(server))
    role_arn = make_role(iam, f"dm-{unique}", trust({"AWS": f"arn:aws:iam::{account}:root"}))
    caller = server.client("sts", key)
    if credentials == "session":
        caller = session_client(server, "sts", caller.get_session_token()["Credentials"])
    elif credentials == "mfa-session":
        creds = caller.get_session_token(SerialNumber=serial,
                                         TokenCode=code(seed, step))["Credentials"]
        caller = session_client(server, "sts", creds)
    try:
        caller.assume_role(RoleArn=role_arn, RoleSessionName="s1")
        outcome = True
    except ClientError as exc:
        error = exc.response["Error"]
        assert error["Code"] == "AccessDenied"
        assert error["Message"].endswith("with an explicit deny in an identity-based policy")
        outcome = False
    assert outcome is allowed


def test_mfa_age_is_seen_by_trust_policies(server: RunningServer, iam: Any,
                                           unique: str) -> None:
    key, serial, seed, step = mfa_user(iam, f"age-{unique}", allow("sts:AssumeRole"))
    account = account_of(iam_sts(server))
    fresh = make_role(iam, f"age-{unique}", trust(
        {"AWS": f"arn:aws:iam::{account}:root"},
        {"NumericLessThan": {"aws:MultiFactorAuthAge": "300"}}))
    creds = server.client("sts", key).get_session_token(
        SerialNumber=serial, TokenCode=code(seed, step))["Credentials"]
    session_client(server, "sts", creds).assume_role(RoleArn=fresh, RoleSessionName="s1")
    with pytest.raises(ClientError) as exc:  # long-term keys carry no MFA age at all
        server.client("sts", key).assume_role(RoleArn=fresh, RoleSessionName="s1")
    assert error_of(exc)[:2] == ("AccessDenied", 403)

"""The reset endpoints: all state wiped, emulator mode only, accounts back on first use."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from sekisho.testing.server import SekishoServer, post

UNKNOWN = ("FOOBARKEY", "FOOBARSECRET")
TRUST = ('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", '
         '"Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}}')


def reset(server: SekishoServer, path: str) -> tuple[int, bytes]:
    request = urllib.request.Request(server.endpoint_url + path, method="POST", data=b"")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.mark.parametrize("path", ["/moto-api/reset", "/_sekisho/reset"])
def test_reset_wipes_users_and_answers_as_moto_does(emulator: SekishoServer, path: str) -> None:
    iam = emulator.client("iam", UNKNOWN)
    iam.create_user(UserName="doomed")
    assert reset(emulator, path) == (200, b'{"status": "ok"}')
    assert iam.list_users()["Users"] == []


def test_reset_wipes_every_account(emulator: SekishoServer) -> None:
    emulator.client("iam", ("555566667777", "x")).create_account_alias(AccountAlias="going")
    emulator.reset()
    aliases = emulator.client("iam", ("555566667777", "x")).list_account_aliases()
    assert aliases["AccountAliases"] == []


def test_a_key_of_a_wiped_user_becomes_unknown(emulator: SekishoServer) -> None:
    iam = emulator.client("iam", UNKNOWN)
    iam.create_user(UserName="forgotten")
    key = iam.create_access_key(UserName="forgotten")["AccessKey"]
    emulator.reset()
    # Unknown again, so (emulator rule) the root user of the default account.
    sts = emulator.client("sts", (key["AccessKeyId"], key["SecretAccessKey"]))
    assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:root"


def test_names_are_free_again_after_a_reset(emulator: SekishoServer) -> None:
    iam = emulator.client("iam", UNKNOWN)
    emulator.reset()
    iam.create_role(RoleName="again", AssumeRolePolicyDocument=TRUST)
    emulator.reset()
    iam.create_role(RoleName="again", AssumeRolePolicyDocument=TRUST)


def test_sessions_issued_after_a_reset_work(emulator: SekishoServer) -> None:
    emulator.reset()  # the STS sealing keys are wiped too; a new one is made on demand
    iam = emulator.client("iam", UNKNOWN)
    iam.create_user(UserName="fresh")
    iam.put_user_policy(UserName="fresh", PolicyName="fed", PolicyDocument=(
        '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", '
        '"Action": "sts:GetFederationToken", "Resource": "*"}}'))
    key = iam.create_access_key(UserName="fresh")["AccessKey"]
    creds = emulator.client("sts", (key["AccessKeyId"], key["SecretAccessKey"])) \
        .get_federation_token(Name="fr")["Credentials"]
    sts = emulator.client("sts", (creds["AccessKeyId"], creds["SecretAccessKey"]),
                          aws_session_token=creds["SessionToken"])
    assert sts.get_caller_identity()["Arn"].endswith(":federated-user/fr")


@pytest.mark.parametrize("path", ["/moto-api/reset", "/_sekisho/reset"])
def test_reset_does_not_exist_outside_emulator_mode(plain: SekishoServer, path: str) -> None:
    iam = plain.client("iam")
    iam.create_user(UserName=f"kept{path.count('moto')}")
    assert reset(plain, path)[0] == 404
    assert f"kept{path.count('moto')}" in [u["UserName"] for u in iam.list_users()["Users"]]


def test_reset_must_be_a_post(emulator: SekishoServer) -> None:
    try:
        urllib.request.urlopen(emulator.endpoint_url + "/moto-api/reset", timeout=10)
        status = 200
    except urllib.error.HTTPError as exc:
        status = exc.code
    assert status == 405


def test_server_reset_helper_refuses_outside_emulator_mode(plain: SekishoServer) -> None:
    with pytest.raises(RuntimeError, match="emulator mode"):
        plain.reset()
    assert post(plain.endpoint_url, "/_sekisho/reset") == 404


def test_a_wiped_user_is_not_found(emulator: SekishoServer) -> None:
    iam = emulator.client("iam", UNKNOWN)
    iam.create_user(UserName="ghost")
    emulator.reset()
    with pytest.raises(ClientError) as exc:
        iam.get_user(UserName="ghost")
    assert exc.value.response["Error"]["Code"] == "NoSuchEntity"

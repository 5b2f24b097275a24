"""Emulator mode's key rules, over the wire with boto3.

Unknown keys are the root user of the default account (or of the account a
12-digit key id names), unsigned; keys the server issued are checked as usual.
"""

from __future__ import annotations

import secrets

import pytest
from botocore.exceptions import ClientError

from sekisho.testing.server import SekishoServer
from tests.emulator.conftest import OTHER_DEFAULT_ACCOUNT

UNKNOWN = ("FOOBARKEY", "FOOBARSECRET")


def caller(server: SekishoServer, key: tuple[str, str], token: str | None = None) -> str:
    sts = server.client("sts", key, aws_session_token=token)
    return str(sts.get_caller_identity()["Arn"])


def code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


@pytest.mark.parametrize("key_id", ["FOOBARKEY", "testing", "AKIAIOSFODNN7EXAMPLE",
                                    "ASIAIOSFODNN7EXAMPLE"])
def test_an_unknown_key_is_the_default_accounts_root(emulator: SekishoServer,
                                                     key_id: str) -> None:
    assert caller(emulator, (key_id, "any secret")) == "arn:aws:iam::123456789012:root"


def test_a_bogus_session_token_with_an_unknown_key_is_still_root(emulator: SekishoServer) -> None:
    # moto's documented test credentials send "testing" as the session token too.
    arn = caller(emulator, ("testing", "testing"), token="testing")
    assert arn == "arn:aws:iam::123456789012:root"


def test_a_twelve_digit_key_id_names_its_account(emulator: SekishoServer) -> None:
    assert caller(emulator, ("111122223333", "x")) == "arn:aws:iam::111122223333:root"


def test_accounts_named_by_key_ids_are_separate(emulator: SekishoServer) -> None:
    name = f"only-in-444455556666-{secrets.token_hex(3)}"
    emulator.client("iam", ("444455556666", "x")).create_user(UserName=name)
    default_users = emulator.client("iam", UNKNOWN).list_users()["Users"]
    assert name not in [u["UserName"] for u in default_users]
    other = emulator.client("iam", ("444455556666", "y")).get_user(UserName=name)["User"]
    assert other["Arn"] == f"arn:aws:iam::444455556666:user/{name}"


def test_the_default_account_is_configurable(unenforced: SekishoServer) -> None:
    assert caller(unenforced, UNKNOWN) == f"arn:aws:iam::{OTHER_DEFAULT_ACCOUNT}:root"


def test_a_known_key_is_enforced(emulator: SekishoServer) -> None:
    iam = emulator.client("iam", UNKNOWN)
    name = f"plain-{secrets.token_hex(3)}"
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    with pytest.raises(ClientError) as exc:
        emulator.client("iam", (key["AccessKeyId"], key["SecretAccessKey"])).list_users()
    assert code(exc) == "AccessDenied"


def test_a_known_key_with_a_wrong_secret_is_refused(emulator: SekishoServer) -> None:
    iam = emulator.client("iam", UNKNOWN)
    name = f"wrong-{secrets.token_hex(3)}"
    iam.create_user(UserName=name)
    key_id = iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
    with pytest.raises(ClientError) as exc:
        caller(emulator, (key_id, "not the secret"))
    assert code(exc) == "SignatureDoesNotMatch"


def test_a_deactivated_known_key_is_refused(emulator: SekishoServer) -> None:
    iam = emulator.client("iam", UNKNOWN)
    name = f"inactive-{secrets.token_hex(3)}"
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    iam.update_access_key(UserName=name, AccessKeyId=key["AccessKeyId"], Status="Inactive")
    with pytest.raises(ClientError) as exc:
        caller(emulator, (key["AccessKeyId"], key["SecretAccessKey"]))
    assert code(exc) == "InvalidClientTokenId"


def test_temporary_credentials_the_server_issued_are_checked(emulator: SekishoServer) -> None:
    iam = emulator.client("iam", UNKNOWN)
    name = f"federating-{secrets.token_hex(3)}"
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="fed", PolicyDocument=(
        '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", '
        '"Action": "sts:GetFederationToken", "Resource": "*"}}'))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    creds = emulator.client("sts", (key["AccessKeyId"], key["SecretAccessKey"])) \
        .get_federation_token(Name="fed")["Credentials"]
    session = (creds["AccessKeyId"], creds["SecretAccessKey"])
    assert ":federated-user/fed" in caller(emulator, session, creds["SessionToken"])
    with pytest.raises(ClientError) as exc:
        caller(emulator, (creds["AccessKeyId"], "wrong"), creds["SessionToken"])
    assert code(exc) == "SignatureDoesNotMatch"


def test_without_emulator_mode_an_unknown_key_is_refused(plain: SekishoServer) -> None:
    with pytest.raises(ClientError) as exc:
        caller(plain, UNKNOWN)
    assert code(exc) == "InvalidClientTokenId"


def test_emulator_mode_is_announced_in_the_banner(emulator: SekishoServer,
                                                   plain: SekishoServer) -> None:
    assert "Emulator mode" in emulator.log()
    assert "Emulator mode" not in plain.log()

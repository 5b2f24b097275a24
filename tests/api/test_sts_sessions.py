"""GetSessionToken and GetFederationToken: sealed, self-contained temporary credentials."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_access_keys import make_user_key
from tests.api.test_users import error_of
from tests.support.server import RunningServer, run_server


def session_client(server: RunningServer, service: str, creds: dict[str, Any]) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(service, endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=creds["AccessKeyId"],
                        aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"],
                        config=Config(retries={"total_max_attempts": 1}))


def test_session_token_credentials_act_as_the_user(server: RunningServer, iam: Any,
                                                   unique: str) -> None:
    key = make_user_key(iam, f"st-{unique}")
    creds = server.client("sts", key).get_session_token()["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    identity = session_client(server, "sts", creds).get_caller_identity()
    assert identity["Arn"].endswith(f":user/st-{unique}")
    assert identity["UserId"].startswith("AIDA")


def test_session_token_defaults_to_12_hours(server: RunningServer, iam: Any, unique: str
                                            ) -> None:
    key = make_user_key(iam, f"dur-{unique}")
    import datetime as dt

    expiration = server.client("sts", key).get_session_token()["Credentials"]["Expiration"]
    remaining = expiration - dt.datetime.now(dt.UTC)
    assert dt.timedelta(hours=11, minutes=58) < remaining <= dt.timedelta(hours=12)


def test_root_session_lasts_at_most_one_hour(server: RunningServer) -> None:
    import datetime as dt

    creds = server.client("sts").get_session_token(DurationSeconds=7200)["Credentials"]
    assert creds["Expiration"] - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=1)


def test_session_token_without_mfa_cannot_call_iam(server: RunningServer, iam: Any,
                                                   unique: str) -> None:
    key = make_user_key(iam, f"nomfa-{unique}")
    creds = server.client("sts", key).get_session_token()["Credentials"]
    with pytest.raises(ClientError) as exc:
        session_client(server, "iam", creds).list_users()
    assert error_of(exc) == ("InvalidClientTokenId", 403,
                             "The security token included in the request is invalid")


def test_session_credentials_cannot_get_another_session_token(server: RunningServer) -> None:
    creds = server.client("sts").get_session_token()["Credentials"]
    with pytest.raises(ClientError) as exc:
        session_client(server, "sts", creds).get_session_token()
    assert error_of(exc)[:2] == ("AccessDenied", 403)


def test_federation_token_names_a_federated_user(server: RunningServer, sts: Any,
                                                 unique: str) -> None:
    account = sts.get_caller_identity()["Account"]
    response = sts.get_federation_token(Name=f"fed-{unique}"[:32], Policy=(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*",'
        '"Resource":"*"}]}'))
    user = response["FederatedUser"]
    assert user["Arn"] == f"arn:aws:sts::{account}:federated-user/fed-{unique}"
    assert user["FederatedUserId"] == f"{account}:fed-{unique}"
    assert 0 < response["PackedPolicySize"] <= 100
    identity = session_client(server, "sts", response["Credentials"]).get_caller_identity()
    assert identity["Arn"] == user["Arn"]


def test_federated_user_cannot_call_iam(server: RunningServer, sts: Any, unique: str) -> None:
    creds = sts.get_federation_token(Name=f"noiam-{unique}")["Credentials"]
    with pytest.raises(ClientError) as exc:
        session_client(server, "iam", creds).get_user(UserName="x")
    assert error_of(exc)[0] == "InvalidClientTokenId"


def test_federation_token_with_malformed_policy_is_rejected(sts: Any, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        sts.get_federation_token(Name=f"bad-{unique}", Policy='{"Statement": []}')
    assert error_of(exc)[:2] == ("MalformedPolicyDocument", 400)


def test_tampered_session_token_is_invalid(server: RunningServer) -> None:
    creds = dict(server.client("sts").get_session_token()["Credentials"])
    raw = bytearray(base64.b64decode(creds["SessionToken"]))
    raw[-5] ^= 0x01
    creds["SessionToken"] = base64.b64encode(bytes(raw)).decode()
    with pytest.raises(ClientError) as exc:
        session_client(server, "sts", creds).get_caller_identity()
    assert error_of(exc) == ("InvalidClientTokenId", 403,
                             "The security token included in the request is invalid.")


@pytest.mark.parametrize("token", ["", "not-base64!", "U0sx", "A" * 400])
def test_malformed_session_token_is_invalid(server: RunningServer, token: str) -> None:
    creds = dict(server.client("sts").get_session_token()["Credentials"])
    creds["SessionToken"] = token or " "
    with pytest.raises(ClientError) as exc:
        session_client(server, "sts", creds).get_caller_identity()
    assert error_of(exc)[0] == "InvalidClientTokenId"


def test_token_moved_to_another_key_id_is_invalid(server: RunningServer) -> None:
    sts = server.client("sts")
    first = sts.get_session_token()["Credentials"]
    second = dict(sts.get_session_token()["Credentials"])
    second["SessionToken"] = first["SessionToken"]
    with pytest.raises(ClientError) as exc:
        session_client(server, "sts", second).get_caller_identity()
    assert error_of(exc)[0] == "InvalidClientTokenId"


def test_get_access_key_info_for_temporary_key(server: RunningServer, sts: Any) -> None:
    creds = sts.get_session_token()["Credentials"]
    account = sts.get_caller_identity()["Account"]
    assert sts.get_access_key_info(AccessKeyId=creds["AccessKeyId"])["Account"] == account


def test_tokens_survive_key_rotation_and_foreign_rings_are_rejected(tmp_path: Path) -> None:
    data = tmp_path / "a"
    with run_server(data) as server:
        old = server.client("sts").get_session_token()["Credentials"]
        rotated = subprocess.run([sys.executable, "-m", "sekisho", "keys", "rotate",
                                  "--data-dir", str(data)], capture_output=True, text=True,
                                 check=False)
        assert rotated.returncode == 0, rotated.stderr
        assert session_client(server, "sts", old).get_caller_identity()["Arn"].endswith(":root")
        new = server.client("sts").get_session_token()["Credentials"]
        assert base64.b64decode(new["SessionToken"])[3:11] != \
            base64.b64decode(old["SessionToken"])[3:11]
        with run_server(tmp_path / "b") as other:
            with pytest.raises(ClientError) as exc:
                session_client(other, "sts", old).get_caller_identity()
            assert error_of(exc)[0] == "InvalidClientTokenId"

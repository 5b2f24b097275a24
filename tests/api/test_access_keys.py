"""Access keys: two per user, status changes take effect at once, last use is recorded."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_users import error_of
from tests.support.server import RunningServer


def make_user_key(iam: Any, name: str) -> tuple[str, str]:
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def test_create_access_key_returns_secret_once(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"k-{unique}")
    key = iam.create_access_key(UserName=f"k-{unique}")["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20
    assert len(key["SecretAccessKey"]) == 40
    assert key["Status"] == "Active"
    listed = iam.list_access_keys(UserName=f"k-{unique}")["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in listed] == [key["AccessKeyId"]]
    assert "SecretAccessKey" not in listed[0]


def test_third_access_key_is_limit_exceeded(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"three-{unique}")
    iam.create_access_key(UserName=f"three-{unique}")
    iam.create_access_key(UserName=f"three-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.create_access_key(UserName=f"three-{unique}")
    assert error_of(exc) == ("LimitExceeded", 409,
                             "Cannot exceed quota for AccessKeysPerUser: 2")


def test_new_key_signs_requests_as_its_user(server: RunningServer, iam: Any,
                                            unique: str) -> None:
    key = make_user_key(iam, f"signer-{unique}")
    identity = server.client("sts", key).get_caller_identity()
    assert identity["Arn"].endswith(f":user/signer-{unique}")
    assert identity["UserId"].startswith("AIDA")


def test_inactive_key_is_rejected_on_the_next_request(server: RunningServer, iam: Any,
                                                      unique: str) -> None:
    key = make_user_key(iam, f"inact-{unique}")
    sts = server.client("sts", key)
    sts.get_caller_identity()
    iam.update_access_key(UserName=f"inact-{unique}", AccessKeyId=key[0], Status="Inactive")
    with pytest.raises(ClientError) as exc:
        sts.get_caller_identity()
    assert error_of(exc) == ("InvalidClientTokenId", 403,
                             "The security token included in the request is invalid.")
    iam.update_access_key(UserName=f"inact-{unique}", AccessKeyId=key[0], Status="Active")
    sts.get_caller_identity()


def test_deleted_key_is_rejected(server: RunningServer, iam: Any, unique: str) -> None:
    key = make_user_key(iam, f"del-{unique}")
    iam.delete_access_key(UserName=f"del-{unique}", AccessKeyId=key[0])
    with pytest.raises(ClientError) as exc:
        server.client("sts", key).get_caller_identity()
    assert error_of(exc)[0] == "InvalidClientTokenId"


def test_update_unknown_key_is_no_such_entity(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"nokey-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.update_access_key(UserName=f"nokey-{unique}", AccessKeyId="AKIAIOSFODNN7EXAMPLE",
                              Status="Inactive")
    assert error_of(exc) == ("NoSuchEntity", 404,
                             "The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.")


def test_status_outside_enum_is_validation_error(iam: Any, unique: str) -> None:
    key = make_user_key(iam, f"enum-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.update_access_key(UserName=f"enum-{unique}", AccessKeyId=key[0], Status="Paused")
    code, _, message = error_of(exc)
    assert code == "ValidationError"
    assert "Member must satisfy enum value set: [Active, Inactive" in message


def test_last_used_is_recorded_on_use(server: RunningServer, iam: Any, unique: str) -> None:
    key = make_user_key(iam, f"lu-{unique}")
    before = iam.get_access_key_last_used(AccessKeyId=key[0])
    assert before["AccessKeyLastUsed"]["ServiceName"] == "N/A"
    assert before["UserName"] == f"lu-{unique}"
    server.client("sts", key, region="eu-west-1").get_caller_identity()
    after = iam.get_access_key_last_used(AccessKeyId=key[0])["AccessKeyLastUsed"]
    assert (after["ServiceName"], after["Region"]) == ("sts", "eu-west-1")
    assert after["LastUsedDate"].tzinfo is not None


def test_last_used_is_recorded_for_a_denied_request(server: RunningServer, iam: Any,
                                                    unique: str) -> None:
    # "the last request made with that key" (GetAccessKeyLastUsed): a key that only ever
    # made denied calls has still been used.
    key = make_user_key(iam, f"lud-{unique}")
    with pytest.raises(ClientError) as exc:
        server.client("iam", key, region="ap-south-1").list_users()
    assert error_of(exc)[0] == "AccessDenied"
    used = iam.get_access_key_last_used(AccessKeyId=key[0])["AccessKeyLastUsed"]
    assert (used["ServiceName"], used["Region"]) == ("iam", "ap-south-1")


def test_root_can_manage_its_own_access_keys(iam: Any) -> None:
    keys = iam.list_access_keys()["AccessKeyMetadata"]
    assert len(keys) >= 1
    assert "UserName" not in keys[0]


def test_user_without_policies_cannot_call_iam(server: RunningServer, iam: Any,
                                               sts: Any, unique: str) -> None:
    key = make_user_key(iam, f"nopol-{unique}")
    account = sts.get_caller_identity()["Account"]
    with pytest.raises(ClientError) as exc:
        server.client("iam", key).create_user(UserName=f"x-{unique}")
    assert error_of(exc) == (
        "AccessDenied", 403,
        f"User: arn:aws:iam::{account}:user/nopol-{unique} is not authorized to perform: "
        f"iam:CreateUser on resource: arn:aws:iam::{account}:user/x-{unique} because no "
        "identity-based policy allows the iam:CreateUser action")

"""Service-specific credentials: CreateServiceSpecificCredential,
ListServiceSpecificCredentials, ResetServiceSpecificCredential,
UpdateServiceSpecificCredential, DeleteServiceSpecificCredential."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_users import error_of
from tests.support.server import RunningServer

CODECOMMIT = "codecommit.amazonaws.com"


def _user(iam: Any, unique: str) -> str:
    name = f"git-{unique}"
    iam.create_user(UserName=name)
    return name


def _create(iam: Any, user: str, service: str = CODECOMMIT, **extra: Any) -> dict[str, Any]:
    return dict(iam.create_service_specific_credential(UserName=user, ServiceName=service,
                                                       **extra)["ServiceSpecificCredential"])


@pytest.mark.parametrize("service", ["codecommit.amazonaws.com", "cassandra.amazonaws.com"])
def test_create_returns_user_name_and_password_once(iam: Any, sts: Any, unique: str,
                                                    service: str) -> None:
    user = _user(iam, unique)
    account = sts.get_caller_identity()["Account"]
    cred = _create(iam, user, service)
    assert cred["ServiceUserName"] == f"{user}-at-{account}"
    assert len(cred["ServicePassword"]) >= 40
    assert cred["ServiceSpecificCredentialId"].startswith("ACCA")
    assert (cred["Status"], cred["ServiceName"], cred["UserName"]) == ("Active", service, user)
    listed = iam.list_service_specific_credentials(UserName=user)["ServiceSpecificCredentials"]
    assert "ServicePassword" not in listed[0]


def test_bedrock_key_has_alias_secret_and_expiry(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    cred = _create(iam, user, "bedrock.amazonaws.com", CredentialAgeDays=30)
    assert cred["ServiceCredentialAlias"].startswith("BedrockAPIKey-")
    assert cred["ServiceCredentialSecret"].startswith("ABSK")
    assert (cred["ExpirationDate"] - cred["CreateDate"]).days == 30


def test_unknown_service_is_not_supported(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    with pytest.raises(ClientError) as exc:
        _create(iam, user, "s3.amazonaws.com")
    assert error_of(exc)[:2] == ("NotSupportedService", 404)


def test_third_credential_for_a_service_is_limit_exceeded(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    _create(iam, user)
    _create(iam, user)
    _create(iam, user, "cassandra.amazonaws.com")  # another service has its own quota
    with pytest.raises(ClientError) as exc:
        _create(iam, user)
    assert error_of(exc)[:2] == ("LimitExceeded", 409)


def test_reset_returns_a_new_password(server: RunningServer, iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    cred = _create(iam, user)
    reset = iam.reset_service_specific_credential(
        UserName=user, ServiceSpecificCredentialId=cred["ServiceSpecificCredentialId"])
    new = reset["ServiceSpecificCredential"]["ServicePassword"]
    assert new != cred["ServicePassword"]
    assert cred["ServicePassword"] not in server.log() and new not in server.log()


def test_list_filters_by_service(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    _create(iam, user)
    keyspaces = _create(iam, user, "cassandra.amazonaws.com")
    listed = iam.list_service_specific_credentials(UserName=user,
                                                   ServiceName="cassandra.amazonaws.com")
    assert [c["ServiceSpecificCredentialId"] for c in listed["ServiceSpecificCredentials"]] == [
        keyspaces["ServiceSpecificCredentialId"]]


def test_list_all_users_includes_other_users(iam: Any, unique: str) -> None:
    first, second = _user(iam, unique), f"git2-{unique}"
    iam.create_user(UserName=second)
    ids = {_create(iam, first)["ServiceSpecificCredentialId"],
           _create(iam, second)["ServiceSpecificCredentialId"]}
    listed = iam.list_service_specific_credentials(AllUsers=True)["ServiceSpecificCredentials"]
    assert ids <= {c["ServiceSpecificCredentialId"] for c in listed}


def test_update_and_delete(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    cred_id = _create(iam, user)["ServiceSpecificCredentialId"]
    iam.update_service_specific_credential(UserName=user, ServiceSpecificCredentialId=cred_id,
                                           Status="Inactive")
    listed = iam.list_service_specific_credentials(UserName=user)["ServiceSpecificCredentials"]
    assert listed[0]["Status"] == "Inactive"
    iam.delete_service_specific_credential(UserName=user, ServiceSpecificCredentialId=cred_id)
    assert iam.list_service_specific_credentials(UserName=user)[
        "ServiceSpecificCredentials"] == []


def test_unknown_credential_is_no_such_entity(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    missing = "ACCA" + "A" * 17
    with pytest.raises(ClientError) as exc:
        iam.delete_service_specific_credential(UserName=user,
                                               ServiceSpecificCredentialId=missing)
    assert error_of(exc)[:2] == ("NoSuchEntity", 404)


def test_delete_user_with_credential_is_delete_conflict(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    _create(iam, user)
    with pytest.raises(ClientError) as exc:
        iam.delete_user(UserName=user)
    assert error_of(exc)[:2] == ("DeleteConflict", 409)
    assert "service specific credentials" in error_of(exc)[2]

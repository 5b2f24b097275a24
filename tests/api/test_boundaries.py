"""User permissions boundaries: PutUserPermissionsBoundary, DeleteUserPermissionsBoundary and
the PermissionsBoundary of CreateUser (IAM API reference; IAM User Guide, "Permissions
boundaries for IAM entities")."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

POWER_USER = "arn:aws:iam::aws:policy/PowerUserAccess"
SERVICE_ROLE_POLICY = "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy"
DOC = json.dumps({"Version": "2012-10-17",
                  "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    err = exc.value.response
    return (err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"],
            err["Error"]["Message"])


def boundary_of(iam: Any, user: str) -> str | None:
    found = iam.get_user(UserName=user)["User"].get("PermissionsBoundary")
    return None if found is None else str(found["PermissionsBoundaryArn"])


def test_put_user_permissions_boundary_sets_it(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"pb-{unique}")
    iam.put_user_permissions_boundary(UserName=f"pb-{unique}", PermissionsBoundary=POWER_USER)
    assert boundary_of(iam, f"pb-{unique}") == POWER_USER


def test_put_boundary_with_customer_policy_counts_its_usage(iam: Any, unique: str) -> None:
    arn = iam.create_policy(PolicyName=f"cb-{unique}", PolicyDocument=DOC)["Policy"]["Arn"]
    iam.create_user(UserName=f"cb-{unique}")
    iam.put_user_permissions_boundary(UserName=f"cb-{unique}", PermissionsBoundary=arn)
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    assert (policy["PermissionsBoundaryUsageCount"], policy["AttachmentCount"]) == (1, 0)


def test_put_missing_boundary_is_no_such_entity(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"mb-{unique}")
    arn = "arn:aws:iam::aws:policy/NotAPolicy"
    with pytest.raises(ClientError) as exc:
        iam.put_user_permissions_boundary(UserName=f"mb-{unique}", PermissionsBoundary=arn)
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"Scope ARN: {arn} does not exist or is not attachable.")


def test_service_role_policy_is_not_a_boundary(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"sb-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.put_user_permissions_boundary(UserName=f"sb-{unique}",
                                          PermissionsBoundary=SERVICE_ROLE_POLICY)
    assert error_of(exc)[:2] == ("PolicyNotAttachable", 400)


def test_put_boundary_of_missing_user_is_no_such_entity(iam: Any, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.put_user_permissions_boundary(UserName=f"ghost-{unique}",
                                          PermissionsBoundary=POWER_USER)
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"The user with name ghost-{unique} cannot be found.")


def test_delete_user_permissions_boundary_removes_it(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"db-{unique}", PermissionsBoundary=POWER_USER)
    iam.delete_user_permissions_boundary(UserName=f"db-{unique}")
    assert boundary_of(iam, f"db-{unique}") is None


def test_create_user_with_boundary_shows_it(iam: Any, unique: str) -> None:
    user = iam.create_user(UserName=f"cu-{unique}", PermissionsBoundary=POWER_USER)["User"]
    assert user["PermissionsBoundary"] == {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                           "PermissionsBoundaryArn": POWER_USER}


def test_create_user_with_missing_boundary_is_no_such_entity(iam: Any, sts: Any,
                                                             unique: str) -> None:
    account = sts.get_caller_identity()["Account"]
    arn = f"arn:aws:iam::{account}:policy/none-{unique}"
    with pytest.raises(ClientError) as exc:
        iam.create_user(UserName=f"cm-{unique}", PermissionsBoundary=arn)
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"Scope ARN: {arn} does not exist or is not attachable.")
    with pytest.raises(ClientError):
        iam.get_user(UserName=f"cm-{unique}")


def test_policy_used_as_boundary_lists_its_users(iam: Any, unique: str) -> None:
    arn = iam.create_policy(PolicyName=f"lb-{unique}", PolicyDocument=DOC)["Policy"]["Arn"]
    iam.create_user(UserName=f"lb-{unique}", PermissionsBoundary=arn)
    out = iam.list_entities_for_policy(PolicyArn=arn)
    assert [u["UserName"] for u in out["PolicyUsers"]] == [f"lb-{unique}"]

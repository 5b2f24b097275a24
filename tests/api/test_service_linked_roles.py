"""Service-linked roles, as the IAM API reference and the IAM User Guide ("Using
service-linked roles") describe CreateServiceLinkedRole, DeleteServiceLinkedRole and
GetServiceLinkedRoleDeletionStatus, and the protection of such roles."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sekisho.domain import aws_managed, service_linked
from sekisho.store import policies as stored_policies
from tests.api.test_roles import TRUST, error_of, make_role, server_store
from tests.support.server import RunningServer


def protected(name: str) -> str:
    return (f"Cannot perform the operation on the protected role '{name}' - this role is only "
            "modifiable by AWS")


@pytest.fixture(scope="module")
def autoscaling(server: RunningServer) -> Iterator[dict[str, Any]]:
    """The account's one AWSServiceRoleForAutoScaling (without a suffix), shared by the module."""
    iam = server.client("iam")
    role: dict[str, Any] = iam.create_service_linked_role(
        AWSServiceName="autoscaling.amazonaws.com", Description="for tests")["Role"]
    yield role


@pytest.mark.parametrize(("service", "name", "policy"), [
    ("autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling", "AutoScalingServiceRolePolicy"),
    ("ecs.amazonaws.com", "AWSServiceRoleForECS", "AmazonECSServiceRolePolicy"),
    ("spot.amazonaws.com", "AWSServiceRoleForEC2Spot", "AWSEC2SpotServiceRolePolicy"),
    ("es.amazonaws.com", "AWSServiceRoleForAmazonElasticsearchService",
     "AmazonElasticsearchServiceRolePolicy"),
])
def test_the_table_names_each_service_role_as_aws_does(service: str, name: str,
                                                       policy: str) -> None:
    linked = service_linked.linked_role(service, None, "aws")
    assert linked.name == name
    assert linked.path == f"/aws-service-role/{service}/"
    assert linked.policy_arns == (f"arn:aws:iam::aws:policy/aws-service-role/{policy}",)


@pytest.mark.parametrize("service", sorted(service_linked.SERVICES))
def test_each_service_role_policy_is_a_bundled_aws_managed_policy(service: str) -> None:
    [arn] = service_linked.linked_role(service, None, "aws").policy_arns
    assert aws_managed.get(arn) is not None


def test_create_service_linked_role_uses_the_service_name_and_path(
        autoscaling: dict[str, Any], sts: Any) -> None:
    account = sts.get_caller_identity()["Account"]
    assert autoscaling["RoleName"] == "AWSServiceRoleForAutoScaling"
    assert autoscaling["Path"] == "/aws-service-role/autoscaling.amazonaws.com/"
    assert autoscaling["Arn"] == (f"arn:aws:iam::{account}:role/aws-service-role/"
                                  "autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling")
    assert autoscaling["RoleId"].startswith("AROA")
    assert autoscaling["Description"] == "for tests"


def test_service_linked_role_trusts_only_its_service(autoscaling: dict[str, Any]) -> None:
    [statement] = autoscaling["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": ["autoscaling.amazonaws.com"]}
    assert statement["Action"] == ["sts:AssumeRole"]


def test_service_linked_role_has_its_aws_managed_policy_attached(
        server: RunningServer, autoscaling: dict[str, Any]) -> None:
    with server_store(server) as tx:
        attached = stored_policies.attached_to(tx, autoscaling["RoleId"])
    assert attached == ["arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy"]


def test_creating_it_again_is_invalid_input(iam: Any, autoscaling: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as exc:
        iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")
    assert error_of(exc) == ("InvalidInput", 400, "Service role name AWSServiceRoleForAutoScaling "
                             "has been taken in this account, please try a different suffix.")


def test_custom_suffix_is_appended_where_the_service_allows_it(iam: Any, unique: str) -> None:
    role = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com",
                                          CustomSuffix=unique)["Role"]
    assert role["RoleName"] == f"AWSServiceRoleForAutoScaling_{unique}"


def test_custom_suffix_is_refused_where_the_service_does_not_allow_it(iam: Any,
                                                                      unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.create_service_linked_role(AWSServiceName="es.amazonaws.com", CustomSuffix=unique)
    assert error_of(exc) == ("InvalidInput", 400, "Custom suffix is not allowed for "
                             "es.amazonaws.com")


def test_a_name_that_is_no_service_principal_is_invalid_input(iam: Any) -> None:
    with pytest.raises(ClientError) as exc:
        iam.create_service_linked_role(AWSServiceName="example.com")
    assert error_of(exc)[:2] == ("InvalidInput", 400)


@pytest.mark.parametrize("operation", ["update_assume_role_policy", "delete_role",
                                       "put_role_permissions_boundary", "update_role"])
def test_a_service_linked_role_cannot_be_changed_by_the_account(
        iam: Any, autoscaling: dict[str, Any], sts: Any, operation: str) -> None:
    name = autoscaling["RoleName"]
    account = sts.get_caller_identity()["Account"]
    args: dict[str, dict[str, Any]] = {
        "update_assume_role_policy": {"PolicyDocument": json.dumps(TRUST)},
        "delete_role": {},
        "put_role_permissions_boundary": {
            "PermissionsBoundary": f"arn:aws:iam::{account}:policy/anything"},
        "update_role": {"MaxSessionDuration": 7200},
    }
    with pytest.raises(ClientError) as exc:
        getattr(iam, operation)(RoleName=name, **args[operation])
    assert error_of(exc) == ("UnmodifiableEntity", 400, protected(name))
    assert iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"] == \
        autoscaling["AssumeRolePolicyDocument"]


def test_the_description_of_a_service_linked_role_can_be_edited(
        iam: Any, autoscaling: dict[str, Any]) -> None:
    name = autoscaling["RoleName"]
    role = iam.update_role_description(RoleName=name, Description="edited")["Role"]
    assert role["Description"] == "edited"


def test_delete_service_linked_role_returns_a_task_that_succeeded(iam: Any,
                                                                  unique: str) -> None:
    name = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com",
                                          CustomSuffix=f"del{unique}")["Role"]["RoleName"]
    task = iam.delete_service_linked_role(RoleName=name)["DeletionTaskId"]
    assert re.fullmatch(rf"task/aws-service-role/autoscaling\.amazonaws\.com/{name}/"
                        r"[0-9a-f-]{36}", task)
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == \
        "SUCCEEDED"
    with pytest.raises(ClientError) as exc:
        iam.get_role(RoleName=name)
    assert error_of(exc)[0] == "NoSuchEntity"


def test_a_deleted_service_linked_role_can_be_created_again(iam: Any, unique: str) -> None:
    suffix = f"re{unique}"
    first = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com",
                                           CustomSuffix=suffix)["Role"]
    iam.delete_service_linked_role(RoleName=first["RoleName"])
    second = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com",
                                            CustomSuffix=suffix)["Role"]
    assert second["RoleId"] != first["RoleId"]


def test_delete_service_linked_role_of_an_ordinary_role_is_refused(iam: Any,
                                                                   unique: str) -> None:
    make_role(iam, f"plain-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.delete_service_linked_role(RoleName=f"plain-{unique}")
    assert error_of(exc)[:2] == ("NoSuchEntity", 404)
    assert iam.get_role(RoleName=f"plain-{unique}")["Role"]["RoleName"] == f"plain-{unique}"


def test_delete_service_linked_role_of_a_missing_role_is_no_such_entity(iam: Any,
                                                                        unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.delete_service_linked_role(RoleName=f"AWSServiceRoleForNothing{unique}")
    assert error_of(exc) == ("NoSuchEntity", 404, f"The role with name "
                             f"AWSServiceRoleForNothing{unique} cannot be found.")


def test_deletion_status_of_an_unknown_task_is_no_such_entity(iam: Any) -> None:
    task = ("task/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling/"
            "00000000-0000-0000-0000-000000000000")
    with pytest.raises(ClientError) as exc:
        iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
    assert error_of(exc)[:2] == ("NoSuchEntity", 404)


def test_deletion_status_of_a_malformed_task_id_is_invalid_input(iam: Any) -> None:
    with pytest.raises(ClientError) as exc:
        iam.get_service_linked_role_deletion_status(DeletionTaskId="not-a-task")
    assert error_of(exc)[:2] == ("InvalidInput", 400)

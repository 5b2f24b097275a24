"""IAM roles, as the IAM API reference describes CreateRole, GetRole, ListRoles,
UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy, DeleteRole, the role
tagging operations and Put/DeleteRolePermissionsBoundary."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sekisho.domain import ids
from sekisho.store import policies as stored_policies
from sekisho.store import roles as stored_roles
from sekisho.store.database import open_engine
from sekisho.store.sql import Store, Tx
from tests.support.server import RunningServer

STATEMENT: dict[str, Any] = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                             "Action": "sts:AssumeRole"}
TRUST: dict[str, Any] = {"Version": "2012-10-17", "Statement": [STATEMENT]}
WITH_RESOURCE = {"Version": "2012-10-17", "Statement": [dict(STATEMENT, Resource="*")]}
IDENTITY = {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    err = exc.value.response
    return (err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"],
            err["Error"]["Message"])


def make_role(iam: Any, name: str, **extra: Any) -> dict[str, Any]:
    role: dict[str, Any] = iam.create_role(RoleName=name,
                                           AssumeRolePolicyDocument=json.dumps(TRUST),
                                           **extra)["Role"]
    return role


@contextmanager
def server_store(server: RunningServer) -> Iterator[Tx]:
    """A write transaction on the server's own database, for state no API of this family sets."""
    url = server.database_url or f"sqlite:///{(server.data_dir / 'sekisho.db').resolve()}"
    engine = open_engine(url)
    try:
        with Store(engine).write() as tx:
            yield tx
    finally:
        engine.dispose()


def customer_policy_arn(server: RunningServer, iam: Any, name: str) -> str:
    account = server.client("sts").get_caller_identity()["Account"]
    arn = f"arn:aws:iam::{account}:policy/{name}"
    with server_store(server) as tx:
        now = datetime.now(UTC)
        stored_policies.insert_policy(tx, stored_policies.ManagedPolicyRecord(
            ids.unique_id(ids.POLICY), account, name, "/", arn, None, "v1", "v2",
            now, now), json.dumps(IDENTITY))
    return arn


# --- CreateRole


def test_create_role_returns_role_with_aws_formats(iam: Any, sts: Any, unique: str) -> None:
    role = make_role(iam, f"app-{unique}", Path="/svc/", Description="for the app")
    account = sts.get_caller_identity()["Account"]
    assert role["RoleName"] == f"app-{unique}"
    assert role["Arn"] == f"arn:aws:iam::{account}:role/svc/app-{unique}"
    assert role["RoleId"].startswith("AROA") and len(role["RoleId"]) == 21
    assert role["Path"] == "/svc/"
    assert role["Description"] == "for the app"
    assert role["AssumeRolePolicyDocument"] == TRUST
    assert role["CreateDate"].tzinfo is not None


def test_create_role_defaults_max_session_duration_to_one_hour(iam: Any, unique: str) -> None:
    make_role(iam, f"dur-{unique}")
    assert iam.get_role(RoleName=f"dur-{unique}")["Role"]["MaxSessionDuration"] == 3600


def test_create_role_twice_is_entity_already_exists(iam: Any, unique: str) -> None:
    make_role(iam, f"twice-{unique}")
    with pytest.raises(ClientError) as exc:
        make_role(iam, f"twice-{unique}")
    assert error_of(exc) == ("EntityAlreadyExists", 409,
                             f"Role with name twice-{unique} already exists.")


def test_role_names_are_unique_ignoring_case(iam: Any, unique: str) -> None:
    make_role(iam, f"Case-{unique}")
    with pytest.raises(ClientError) as exc:
        make_role(iam, f"case-{unique}")
    assert error_of(exc)[0] == "EntityAlreadyExists"


@pytest.mark.parametrize(("document", "message"), [
    ("not json", "Syntax errors in policy."),
    (json.dumps({"Version": "2012-10-17",
                 "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}),
     "Missing required field Principal"),
    (json.dumps(WITH_RESOURCE), "Has prohibited field Resource"),
])
def test_create_role_rejects_a_document_that_is_no_trust_policy(iam: Any, unique: str,
                                                                document: str,
                                                                message: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.create_role(RoleName=f"bad-{unique}", AssumeRolePolicyDocument=document)
    assert error_of(exc) == ("MalformedPolicyDocument", 400, message)


def test_create_role_rejects_a_trust_policy_over_the_size_quota(iam: Any, unique: str) -> None:
    big = dict(TRUST, Statement=[dict(STATEMENT, Sid=f"S{i}") for i in range(40)])
    with pytest.raises(ClientError) as exc:
        iam.create_role(RoleName=f"big-{unique}", AssumeRolePolicyDocument=json.dumps(big))
    assert error_of(exc) == ("LimitExceeded", 409, "Cannot exceed quota for ACLSizePerRole: 2048")


def trusting(*principals: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": list(principals)}, "Action": "sts:AssumeRole"}]})


@pytest.mark.parametrize("resource", ["user/nobody", "role/nobody", "user/elsewhere/{user}",
                                      "user/{upper}"])
def test_trust_policy_naming_a_missing_user_or_role_is_invalid_principal(
        iam: Any, sts: Any, unique: str, resource: str) -> None:
    # "elsewhere/{user}": the user exists, but not under that path, so the ARN names nobody;
    # "{upper}": names are unique ignoring case, but an ARN is compared as written.
    account = sts.get_caller_identity()["Account"]
    iam.create_user(UserName=f"u-{unique}")
    arn = f"arn:aws:iam::{account}:" + resource.format(user=f"u-{unique}",
                                                        upper=f"U-{unique}".upper())
    with pytest.raises(ClientError) as exc:
        iam.create_role(RoleName=f"t-{unique}", AssumeRolePolicyDocument=trusting(arn))
    assert error_of(exc) == ("MalformedPolicyDocument", 400,
                             f'Invalid principal in policy: "AWS":"{arn}"')


def test_trust_policy_may_name_existing_users_roles_sessions_and_other_accounts(
        iam: Any, sts: Any, unique: str) -> None:
    account = sts.get_caller_identity()["Account"]
    user = iam.create_user(UserName=f"u-{unique}", Path="/team/")["User"]["Arn"]
    role = make_role(iam, f"r-{unique}")["Arn"]
    document = trusting(user, role, f"arn:aws:sts::{account}:assumed-role/any/session",
                        "arn:aws:iam::210987654321:user/someone", account)
    iam.create_role(RoleName=f"t-{unique}", AssumeRolePolicyDocument=document)


def test_update_assume_role_policy_naming_a_deleted_role_is_invalid_principal(
        iam: Any, unique: str) -> None:
    gone = make_role(iam, f"gone-{unique}")["Arn"]
    iam.delete_role(RoleName=f"gone-{unique}")
    make_role(iam, f"t-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.update_assume_role_policy(RoleName=f"t-{unique}", PolicyDocument=trusting(gone))
    assert error_of(exc)[2] == f'Invalid principal in policy: "AWS":"{gone}"'


@pytest.mark.parametrize("duration", [3599, 43201])
def test_create_role_rejects_max_session_duration_out_of_range(iam: Any, unique: str,
                                                               duration: int) -> None:
    with pytest.raises(ClientError) as exc:
        make_role(iam, f"range-{unique}", MaxSessionDuration=duration)
    assert error_of(exc)[:2] == ("ValidationError", 400)


def test_create_role_with_unknown_boundary_is_no_such_entity(server: RunningServer, iam: Any,
                                                             unique: str) -> None:
    account = server.client("sts").get_caller_identity()["Account"]
    arn = f"arn:aws:iam::{account}:policy/none-{unique}"
    with pytest.raises(ClientError) as exc:
        make_role(iam, f"nob-{unique}", PermissionsBoundary=arn)
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"Scope ARN: {arn} does not exist or is not attachable.")


def test_create_role_with_boundary_shows_it_in_get_role(server: RunningServer, iam: Any,
                                                        unique: str) -> None:
    arn = customer_policy_arn(server, iam, f"pb{unique}")
    make_role(iam, f"bounded-{unique}", PermissionsBoundary=arn)
    boundary = iam.get_role(RoleName=f"bounded-{unique}")["Role"]["PermissionsBoundary"]
    assert boundary == {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                        "PermissionsBoundaryArn": arn}


def test_create_role_accepts_an_aws_managed_policy_as_boundary(iam: Any, unique: str) -> None:
    arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    make_role(iam, f"awsb-{unique}", PermissionsBoundary=arn)
    role = iam.get_role(RoleName=f"awsb-{unique}")["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == arn


# --- GetRole


def test_get_role_finds_role_ignoring_case(iam: Any, unique: str) -> None:
    make_role(iam, f"Found-{unique}")
    assert iam.get_role(RoleName=f"found-{unique}")["Role"]["RoleName"] == f"Found-{unique}"


def test_get_missing_role_is_no_such_entity(iam: Any, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.get_role(RoleName=f"nobody-{unique}")
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"The role with name nobody-{unique} cannot be found.")


def test_get_role_returns_the_trust_policy_as_sent(iam: Any, unique: str) -> None:
    document = json.dumps(TRUST, indent=2)
    iam.create_role(RoleName=f"doc-{unique}", AssumeRolePolicyDocument=document)
    assert iam.get_role(RoleName=f"doc-{unique}")["Role"]["AssumeRolePolicyDocument"] == TRUST


def test_get_role_of_a_never_used_role_has_empty_role_last_used(iam: Any, unique: str) -> None:
    make_role(iam, f"unused-{unique}")
    assert iam.get_role(RoleName=f"unused-{unique}")["Role"]["RoleLastUsed"] == {}


def test_get_role_shows_when_and_where_the_role_was_last_used(server: RunningServer, iam: Any,
                                                              unique: str) -> None:
    role = make_role(iam, f"used-{unique}")
    at = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with server_store(server) as tx:
        stored_roles.update_role(tx, role["RoleId"], last_used_at=at,
                                 last_used_region="eu-west-1")
    used = iam.get_role(RoleName=f"used-{unique}")["Role"]["RoleLastUsed"]
    assert used == {"LastUsedDate": at, "Region": "eu-west-1"}


def test_create_role_with_tags_shows_them_in_get_role(iam: Any, unique: str) -> None:
    make_role(iam, f"tagged-{unique}", Tags=[{"Key": "team", "Value": "red"}])
    tags = iam.get_role(RoleName=f"tagged-{unique}")["Role"]["Tags"]
    assert tags == [{"Key": "team", "Value": "red"}]


# --- ListRoles


def test_list_roles_filters_by_path_prefix(iam: Any, unique: str) -> None:
    make_role(iam, f"pa-{unique}", Path=f"/{unique}/a/")
    make_role(iam, f"pb-{unique}", Path=f"/{unique}/b/")
    names = [r["RoleName"] for r in iam.list_roles(PathPrefix=f"/{unique}/a/")["Roles"]]
    assert names == [f"pa-{unique}"]


def test_list_roles_paginates_with_marker(iam: Any, unique: str) -> None:
    for i in range(5):
        make_role(iam, f"page{i}-{unique}", Path=f"/pg{unique}/")
    first = iam.list_roles(PathPrefix=f"/pg{unique}/", MaxItems=2)
    assert first["IsTruncated"] is True and len(first["Roles"]) == 2
    seen = [r["RoleName"] for r in first["Roles"]]
    marker = first["Marker"]
    while marker:
        page = iam.list_roles(PathPrefix=f"/pg{unique}/", MaxItems=2, Marker=marker)
        seen += [r["RoleName"] for r in page["Roles"]]
        marker = page.get("Marker")
    assert seen == [f"page{i}-{unique}" for i in range(5)]


def test_list_roles_leaves_out_tags_boundary_and_last_used(server: RunningServer, iam: Any,
                                                           unique: str) -> None:
    arn = customer_policy_arn(server, iam, f"lb{unique}")
    make_role(iam, f"listed-{unique}", Path=f"/l{unique}/", PermissionsBoundary=arn,
              Tags=[{"Key": "k", "Value": "v"}], Description="d")
    [role] = iam.list_roles(PathPrefix=f"/l{unique}/")["Roles"]
    assert {"Tags", "PermissionsBoundary", "RoleLastUsed"}.isdisjoint(role)
    assert role["Description"] == "d" and role["AssumeRolePolicyDocument"] == TRUST


# --- UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy


def test_update_role_changes_description_and_max_session_duration(iam: Any,
                                                                  unique: str) -> None:
    make_role(iam, f"upd-{unique}")
    iam.update_role(RoleName=f"upd-{unique}", Description="new", MaxSessionDuration=7200)
    role = iam.get_role(RoleName=f"upd-{unique}")["Role"]
    assert (role["Description"], role["MaxSessionDuration"]) == ("new", 7200)


def test_update_missing_role_is_no_such_entity(iam: Any, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.update_role(RoleName=f"ghost-{unique}", Description="x")
    assert error_of(exc)[:2] == ("NoSuchEntity", 404)


def test_update_role_description_returns_the_updated_role(iam: Any, unique: str) -> None:
    make_role(iam, f"desc-{unique}")
    role = iam.update_role_description(RoleName=f"desc-{unique}", Description="newer")["Role"]
    assert role["Description"] == "newer" and role["RoleName"] == f"desc-{unique}"


def test_update_assume_role_policy_replaces_the_trust_policy(iam: Any, sts: Any,
                                                              unique: str) -> None:
    make_role(iam, f"trust-{unique}")
    account = sts.get_caller_identity()["Account"]
    new = {"Version": "2012-10-17",
           "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                          "Action": "sts:AssumeRole"}]}
    iam.update_assume_role_policy(RoleName=f"trust-{unique}", PolicyDocument=json.dumps(new))
    assert iam.get_role(RoleName=f"trust-{unique}")["Role"]["AssumeRolePolicyDocument"] == new


def test_update_assume_role_policy_rejects_a_malformed_policy(iam: Any, unique: str) -> None:
    make_role(iam, f"trust2-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.update_assume_role_policy(RoleName=f"trust2-{unique}",
                                      PolicyDocument=json.dumps(WITH_RESOURCE))
    assert error_of(exc) == ("MalformedPolicyDocument", 400, "Has prohibited field Resource")
    assert iam.get_role(RoleName=f"trust2-{unique}")["Role"]["AssumeRolePolicyDocument"] == TRUST


# --- DeleteRole


def test_delete_role_removes_it(iam: Any, unique: str) -> None:
    make_role(iam, f"gone-{unique}")
    iam.delete_role(RoleName=f"gone-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.get_role(RoleName=f"gone-{unique}")
    assert error_of(exc)[0] == "NoSuchEntity"


def test_delete_missing_role_is_no_such_entity(iam: Any, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.delete_role(RoleName=f"never-{unique}")
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"The role with name never-{unique} cannot be found.")


def test_delete_role_in_an_instance_profile_is_delete_conflict(iam: Any, unique: str) -> None:
    make_role(iam, f"inprof-{unique}")
    iam.create_instance_profile(InstanceProfileName=f"prof-{unique}")
    iam.add_role_to_instance_profile(InstanceProfileName=f"prof-{unique}",
                                     RoleName=f"inprof-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.delete_role(RoleName=f"inprof-{unique}")
    assert error_of(exc) == ("DeleteConflict", 409, "Cannot delete entity, must remove roles "
                             "from instance profile first.")


def test_delete_role_with_an_inline_policy_is_delete_conflict(server: RunningServer, iam: Any,
                                                              unique: str) -> None:
    role = make_role(iam, f"inline-{unique}")
    with server_store(server) as tx:
        stored_policies.put_inline(tx, role["Arn"].split(":")[4], role["RoleId"], "p",
                                   json.dumps(IDENTITY))
    with pytest.raises(ClientError) as exc:
        iam.delete_role(RoleName=f"inline-{unique}")
    assert error_of(exc) == ("DeleteConflict", 409,
                             "Cannot delete entity, must delete policies first.")


def test_delete_role_with_an_attached_policy_is_delete_conflict(server: RunningServer,
                                                                iam: Any, unique: str) -> None:
    role = make_role(iam, f"attached-{unique}")
    arn = customer_policy_arn(server, iam, f"at{unique}")
    with server_store(server) as tx:
        stored_policies.attach(tx, role["Arn"].split(":")[4], "role", role["RoleId"], arn,
                               datetime.now(UTC))
    with pytest.raises(ClientError) as exc:
        iam.delete_role(RoleName=f"attached-{unique}")
    assert error_of(exc) == ("DeleteConflict", 409,
                             "Cannot delete entity, must detach all policies first.")


def test_a_deleted_role_name_can_be_used_again(iam: Any, unique: str) -> None:
    first = make_role(iam, f"again-{unique}", Tags=[{"Key": "old", "Value": "1"}])
    iam.delete_role(RoleName=f"again-{unique}")
    second = make_role(iam, f"again-{unique}")
    assert second["RoleId"] != first["RoleId"]
    assert iam.list_role_tags(RoleName=f"again-{unique}")["Tags"] == []


# --- tags


def test_tag_role_adds_and_replaces_tags_ignoring_key_case(iam: Any, unique: str) -> None:
    make_role(iam, f"tr-{unique}", Tags=[{"Key": "Team", "Value": "red"}])
    iam.tag_role(RoleName=f"tr-{unique}", Tags=[{"Key": "team", "Value": "blue"},
                                                 {"Key": "env", "Value": "dev"}])
    tags = iam.list_role_tags(RoleName=f"tr-{unique}")["Tags"]
    assert {t["Key"].lower(): t["Value"] for t in tags} == {"team": "blue", "env": "dev"}


def test_untag_role_removes_the_keys(iam: Any, unique: str) -> None:
    make_role(iam, f"ut-{unique}", Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.untag_role(RoleName=f"ut-{unique}", TagKeys=["a"])
    assert iam.list_role_tags(RoleName=f"ut-{unique}")["Tags"] == [{"Key": "b", "Value": "2"}]


def test_tag_role_beyond_fifty_tags_is_limit_exceeded(iam: Any, unique: str) -> None:
    make_role(iam, f"many-{unique}", Tags=[{"Key": f"k{i}", "Value": ""} for i in range(50)])
    with pytest.raises(ClientError) as exc:
        iam.tag_role(RoleName=f"many-{unique}", Tags=[{"Key": "one-more", "Value": ""}])
    assert error_of(exc) == ("LimitExceeded", 409, "Cannot exceed quota for TagsPerRole: 50.")


def test_list_role_tags_paginates(iam: Any, unique: str) -> None:
    make_role(iam, f"lt-{unique}", Tags=[{"Key": f"k{i}", "Value": ""} for i in range(3)])
    first = iam.list_role_tags(RoleName=f"lt-{unique}", MaxItems=2)
    rest = iam.list_role_tags(RoleName=f"lt-{unique}", Marker=first["Marker"])
    assert first["IsTruncated"] is True and rest["IsTruncated"] is False
    assert [t["Key"] for t in first["Tags"] + rest["Tags"]] == ["k0", "k1", "k2"]


def test_tag_missing_role_is_no_such_entity(iam: Any, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.tag_role(RoleName=f"notag-{unique}", Tags=[{"Key": "a", "Value": "b"}])
    assert error_of(exc)[:2] == ("NoSuchEntity", 404)


# --- permissions boundaries


def test_put_role_permissions_boundary_sets_it(server: RunningServer, iam: Any,
                                               unique: str) -> None:
    arn = customer_policy_arn(server, iam, f"pp{unique}")
    make_role(iam, f"pbr-{unique}")
    iam.put_role_permissions_boundary(RoleName=f"pbr-{unique}", PermissionsBoundary=arn)
    role = iam.get_role(RoleName=f"pbr-{unique}")["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == arn


def test_put_role_permissions_boundary_with_unknown_policy_is_no_such_entity(
        server: RunningServer, iam: Any, unique: str) -> None:
    make_role(iam, f"pbu-{unique}")
    account = server.client("sts").get_caller_identity()["Account"]
    arn = f"arn:aws:iam::{account}:policy/missing-{unique}"
    with pytest.raises(ClientError) as exc:
        iam.put_role_permissions_boundary(RoleName=f"pbu-{unique}", PermissionsBoundary=arn)
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"Scope ARN: {arn} does not exist or is not attachable.")


def test_delete_role_permissions_boundary_removes_it(server: RunningServer, iam: Any,
                                                     unique: str) -> None:
    arn = customer_policy_arn(server, iam, f"pd{unique}")
    make_role(iam, f"pbd-{unique}", PermissionsBoundary=arn)
    iam.delete_role_permissions_boundary(RoleName=f"pbd-{unique}")
    assert "PermissionsBoundary" not in iam.get_role(RoleName=f"pbd-{unique}")["Role"]


# --- the AWS CLI


def test_cli_creates_and_gets_a_role(server: RunningServer, unique: str) -> None:
    from tests.api.test_aws_cli import aws

    created = aws(server, "iam", "create-role", "--role-name", f"cli-{unique}",
                  "--assume-role-policy-document", json.dumps(TRUST))
    assert created.returncode == 0, created.stderr
    got = aws(server, "iam", "get-role", "--role-name", f"cli-{unique}")
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["Role"]["AssumeRolePolicyDocument"] == TRUST

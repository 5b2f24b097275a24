"""Enforcement: every IAM call is decided by the caller's real policies, through boto3.

Each test gives an IAM user (or a role) policies the way an administrator would (inline,
through a group, AWS managed, boundaries, conditions) and checks what that caller may do
and the AccessDenied it gets otherwise, in AWS's wording (IAM User Guide, "Troubleshoot
access denied error messages").
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.server import RunningServer, postgres_database, run_server

Statement = dict[str, Any]

READ_ONLY_IAM = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
TRUST_EC2 = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
     "Action": "sts:AssumeRole"}]})


def document(*statements: Statement) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str | list[str], resource: str | list[str] = "*",
          condition: dict[str, Any] | None = None) -> Statement:
    statement: Statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def deny(action: str | list[str], resource: str | list[str] = "*") -> Statement:
    return {"Effect": "Deny", "Action": action, "Resource": resource}


def denial(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    err = exc.value.response
    return (err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"],
            err["Error"]["Message"])


@pytest.fixture
def account(sts: Any) -> str:
    return str(sts.get_caller_identity()["Account"])


class Caller:
    """An IAM user created for one test, with its own boto3 IAM client."""

    def __init__(self, server: RunningServer, iam: Any, name: str, path: str = "/",
                 statements: tuple[Statement, ...] = (), **create: Any) -> None:
        self.name = name
        iam.create_user(UserName=name, Path=path, **create)
        if statements:
            iam.put_user_policy(UserName=name, PolicyName="inline",
                                PolicyDocument=document(*statements))
        created = iam.create_access_key(UserName=name)["AccessKey"]
        self.key = (created["AccessKeyId"], created["SecretAccessKey"])
        self.iam = server.client("iam", self.key)


@pytest.fixture
def make_caller(server: RunningServer, iam: Any, unique: str) -> Any:
    made = iter(range(100))

    def make(*statements: Statement, path: str = "/", **create: Any) -> Caller:
        return Caller(server, iam, f"c{next(made)}-{unique}", path, statements, **create)

    return make


def denied_message(call: Any, **params: Any) -> str:
    with pytest.raises(ClientError) as exc:
        call(**params)
    code, status, message = denial(exc)
    assert (code, status) == ("AccessDenied", 403), message
    return message


# --- where the allow comes from


def test_inline_user_policy_allows_its_action(make_caller: Any, iam: Any, unique: str) -> None:
    caller = make_caller(allow("iam:GetUser"))
    iam.create_user(UserName=f"t-{unique}")
    assert caller.iam.get_user(UserName=f"t-{unique}")["User"]["UserName"] == f"t-{unique}"


def test_group_managed_policy_allows_its_action(make_caller: Any, iam: Any,
                                                unique: str) -> None:
    arn = iam.create_policy(PolicyName=f"lg-{unique}",
                            PolicyDocument=document(allow("iam:ListGroups")))["Policy"]["Arn"]
    iam.create_group(GroupName=f"g-{unique}")
    iam.attach_group_policy(GroupName=f"g-{unique}", PolicyArn=arn)
    caller = make_caller()
    denied_message(caller.iam.list_groups)
    iam.add_user_to_group(GroupName=f"g-{unique}", UserName=caller.name)
    assert f"g-{unique}" in [g["GroupName"] for g in caller.iam.list_groups()["Groups"]]


def test_aws_managed_read_only_policy_allows_list_users(make_caller: Any, iam: Any) -> None:
    caller = make_caller()
    iam.attach_user_policy(UserName=caller.name, PolicyArn=READ_ONLY_IAM)
    assert caller.name in [u["UserName"] for u in caller.iam.list_users()["Users"]]


def test_aws_managed_read_only_policy_does_not_allow_create_user(
        make_caller: Any, iam: Any, account: str, unique: str) -> None:
    caller = make_caller()
    iam.attach_user_policy(UserName=caller.name, PolicyArn=READ_ONLY_IAM)
    message = denied_message(caller.iam.create_user, UserName=f"new-{unique}")
    assert message == (f"User: arn:aws:iam::{account}:user/{caller.name} is not authorized to "
                       f"perform: iam:CreateUser on resource: arn:aws:iam::{account}:user/"
                       f"new-{unique} because no identity-based policy allows the "
                       f"iam:CreateUser action")


# --- why a request is denied


def test_user_without_policies_is_denied(make_caller: Any, account: str) -> None:
    caller = make_caller()
    message = denied_message(caller.iam.list_users)
    assert message.startswith(f"User: arn:aws:iam::{account}:user/{caller.name} is not "
                              f"authorized to perform: iam:ListUsers")
    assert message.endswith("because no identity-based policy allows the iam:ListUsers action")


def test_explicit_deny_beside_an_allow_denies(make_caller: Any) -> None:
    caller = make_caller(allow("iam:*"), deny("iam:ListRoles"))
    caller.iam.list_users()
    message = denied_message(caller.iam.list_roles)
    assert message.endswith("iam:ListRoles on resource: * with an explicit deny in an "
                            "identity-based policy")


def test_explicit_deny_in_a_group_policy_beats_the_users_allow(make_caller: Any, iam: Any,
                                                               unique: str) -> None:
    caller = make_caller(allow("iam:*"))
    iam.create_group(GroupName=f"dg-{unique}")
    iam.put_group_policy(GroupName=f"dg-{unique}", PolicyName="no-users",
                         PolicyDocument=document(deny("iam:ListUsers")))
    iam.add_user_to_group(GroupName=f"dg-{unique}", UserName=caller.name)
    assert "explicit deny" in denied_message(caller.iam.list_users)


def test_permissions_boundary_denies_what_it_does_not_allow(make_caller: Any,
                                                            unique: str) -> None:
    caller = make_caller(allow("iam:*"), PermissionsBoundary=READ_ONLY_IAM)
    caller.iam.list_users()
    message = denied_message(caller.iam.create_user, UserName=f"nb-{unique}")
    assert message.endswith("because no permissions boundary allows the iam:CreateUser action")


def test_permissions_boundary_grants_nothing_by_itself(make_caller: Any) -> None:
    caller = make_caller(PermissionsBoundary=ADMIN)
    message = denied_message(caller.iam.list_users)
    assert message.endswith("because no identity-based policy allows the iam:ListUsers action")


# --- resources: paths and wildcards


@pytest.fixture
def dev_creator(make_caller: Any, account: str) -> Caller:
    """A user granted iam:CreateUser on arn:aws:iam::ACCOUNT:user/dev/* and nothing else."""
    return make_caller(allow("iam:CreateUser", f"arn:aws:iam::{account}:user/dev/*"))  # type: ignore[no-any-return]


def test_path_wildcard_allows_creating_users_under_the_path(dev_creator: Caller,
                                                            unique: str) -> None:
    created = dev_creator.iam.create_user(UserName=f"d-{unique}", Path="/dev/")["User"]
    assert created["Path"] == "/dev/"


def test_path_wildcard_allows_creating_users_in_nested_paths(dev_creator: Caller,
                                                             unique: str) -> None:
    created = dev_creator.iam.create_user(UserName=f"n-{unique}", Path="/dev/team/")["User"]
    assert created["Path"] == "/dev/team/"


@pytest.mark.parametrize("path", ["/", "/ops/", "/devops/", "/team/dev/"])
def test_path_wildcard_denies_creating_users_elsewhere(dev_creator: Caller, account: str,
                                                       unique: str, path: str) -> None:
    message = denied_message(dev_creator.iam.create_user, UserName=f"o-{unique}", Path=path)
    assert f"on resource: arn:aws:iam::{account}:user{path}o-{unique} because" in message


def test_path_wildcard_allows_no_other_action(dev_creator: Caller, unique: str) -> None:
    dev_creator.iam.create_user(UserName=f"x-{unique}", Path="/dev/")
    denied_message(dev_creator.iam.delete_user, UserName=f"x-{unique}")


def test_existing_user_is_authorized_under_its_path(make_caller: Any, iam: Any, account: str,
                                                    unique: str) -> None:
    caller = make_caller(allow("iam:GetUser", f"arn:aws:iam::{account}:user/dev/*"))
    iam.create_user(UserName=f"in-{unique}", Path="/dev/")
    iam.create_user(UserName=f"out-{unique}")
    assert caller.iam.get_user(UserName=f"in-{unique}")["User"]["Path"] == "/dev/"
    denied_message(caller.iam.get_user, UserName=f"out-{unique}")


# --- tag-based access control


def test_resource_tag_condition_allows_users_with_the_tag(make_caller: Any, iam: Any,
                                                          unique: str) -> None:
    caller = make_caller(allow("iam:GetUser", condition={
        "StringEquals": {"aws:ResourceTag/team": "blue"}}))
    iam.create_user(UserName=f"b-{unique}", Tags=[{"Key": "team", "Value": "blue"}])
    iam.create_user(UserName=f"r-{unique}", Tags=[{"Key": "team", "Value": "red"}])
    iam.create_user(UserName=f"u-{unique}")
    assert caller.iam.get_user(UserName=f"b-{unique}")["User"]["UserName"] == f"b-{unique}"
    denied_message(caller.iam.get_user, UserName=f"r-{unique}")
    denied_message(caller.iam.get_user, UserName=f"u-{unique}")


def test_resource_tag_condition_allows_roles_with_the_tag(make_caller: Any, iam: Any,
                                                          unique: str) -> None:
    caller = make_caller(allow(["iam:GetRole", "iam:UpdateRoleDescription"], condition={
        "StringEquals": {"aws:ResourceTag/team": "blue"}}))
    iam.create_role(RoleName=f"b-{unique}", AssumeRolePolicyDocument=TRUST_EC2,
                    Tags=[{"Key": "team", "Value": "blue"}])
    iam.create_role(RoleName=f"r-{unique}", AssumeRolePolicyDocument=TRUST_EC2,
                    Tags=[{"Key": "team", "Value": "red"}])
    caller.iam.update_role_description(RoleName=f"b-{unique}", Description="ok")
    assert caller.iam.get_role(RoleName=f"b-{unique}")["Role"]["Description"] == "ok"
    denied_message(caller.iam.update_role_description, RoleName=f"r-{unique}", Description="x")


def test_resource_tag_follows_a_retag(make_caller: Any, iam: Any, unique: str) -> None:
    caller = make_caller(allow("iam:GetUser", condition={
        "StringEquals": {"aws:ResourceTag/team": "blue"}}))
    iam.create_user(UserName=f"m-{unique}", Tags=[{"Key": "team", "Value": "blue"}])
    caller.iam.get_user(UserName=f"m-{unique}")
    iam.tag_user(UserName=f"m-{unique}", Tags=[{"Key": "team", "Value": "red"}])
    denied_message(caller.iam.get_user, UserName=f"m-{unique}")


@pytest.fixture
def blue_tagger(make_caller: Any) -> Caller:
    """May create and tag users only with the single tag key `team`, valued `blue`."""
    return make_caller(allow(["iam:CreateUser", "iam:TagUser"], condition={  # type: ignore[no-any-return]
        "StringEquals": {"aws:RequestTag/team": "blue"},
        "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}))


def test_request_tag_condition_allows_create_user_with_the_tag(blue_tagger: Caller,
                                                               unique: str) -> None:
    user = blue_tagger.iam.create_user(UserName=f"ct-{unique}",
                                       Tags=[{"Key": "team", "Value": "blue"}])["User"]
    assert user["Tags"] == [{"Key": "team", "Value": "blue"}]


@pytest.mark.parametrize("tags", [
    [{"Key": "team", "Value": "red"}],
    [{"Key": "team", "Value": "blue"}, {"Key": "cost", "Value": "1"}],
    [],
], ids=["other-value", "extra-key", "no-tags"])
def test_request_tag_condition_denies_create_user_with_other_tags(
        blue_tagger: Caller, iam: Any, unique: str, tags: list[dict[str, str]]) -> None:
    params: dict[str, Any] = {"UserName": f"cx-{unique}"}
    if tags:
        params["Tags"] = tags
    denied_message(blue_tagger.iam.create_user, **params)
    with pytest.raises(ClientError):
        iam.get_user(UserName=f"cx-{unique}")


def test_tag_keys_condition_on_tag_user(blue_tagger: Caller, iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"tu-{unique}")
    blue_tagger.iam.tag_user(UserName=f"tu-{unique}", Tags=[{"Key": "team", "Value": "blue"}])
    denied_message(blue_tagger.iam.tag_user, UserName=f"tu-{unique}",
                   Tags=[{"Key": "owner", "Value": "blue"}])
    assert iam.list_user_tags(UserName=f"tu-{unique}")["Tags"] == [
        {"Key": "team", "Value": "blue"}]


def test_tag_keys_condition_on_untag_user(make_caller: Any, iam: Any, unique: str) -> None:
    caller = make_caller(allow("iam:UntagUser", condition={
        "ForAllValues:StringEquals": {"aws:TagKeys": ["scratch"]}}))
    iam.create_user(UserName=f"ut-{unique}", Tags=[{"Key": "scratch", "Value": "1"},
                                                  {"Key": "team", "Value": "blue"}])
    caller.iam.untag_user(UserName=f"ut-{unique}", TagKeys=["scratch"])
    denied_message(caller.iam.untag_user, UserName=f"ut-{unique}", TagKeys=["team"])


def test_principal_tag_condition_matches_the_callers_own_tags(make_caller: Any, iam: Any,
                                                              unique: str) -> None:
    # Attribute-based access control: users may read users of their own team.
    same_team = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
    caller = make_caller(allow("iam:GetUser", condition=same_team),
                         Tags=[{"Key": "team", "Value": "green"}])
    iam.create_user(UserName=f"pg-{unique}", Tags=[{"Key": "team", "Value": "green"}])
    iam.create_user(UserName=f"pr-{unique}", Tags=[{"Key": "team", "Value": "red"}])
    caller.iam.get_user(UserName=f"pg-{unique}")
    denied_message(caller.iam.get_user, UserName=f"pr-{unique}")


# --- operation condition keys


def test_policy_arn_condition_limits_attach_user_policy(make_caller: Any, iam: Any,
                                                        unique: str) -> None:
    caller = make_caller(allow("iam:AttachUserPolicy", condition={
        "ArnEquals": {"iam:PolicyARN": READ_ONLY}}))
    iam.create_user(UserName=f"ap-{unique}")
    caller.iam.attach_user_policy(UserName=f"ap-{unique}", PolicyArn=READ_ONLY)
    message = denied_message(caller.iam.attach_user_policy, UserName=f"ap-{unique}",
                             PolicyArn=ADMIN)
    assert "iam:AttachUserPolicy" in message
    attached = iam.list_attached_user_policies(UserName=f"ap-{unique}")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [READ_ONLY]


@pytest.fixture
def boundary_arn(iam: Any, unique: str) -> str:
    doc = document(allow(["iam:Get*", "iam:List*"]))
    return str(iam.create_policy(PolicyName=f"bound-{unique}",
                                 PolicyDocument=doc)["Policy"]["Arn"])


@pytest.fixture
def delegated_admin(make_caller: Any, boundary_arn: str) -> Caller:
    """IAM User Guide, "Permissions boundaries for IAM entities": a delegated administrator
    may create users only if they carry the given boundary."""
    return make_caller(allow("iam:CreateUser", condition={  # type: ignore[no-any-return]
        "StringEquals": {"iam:PermissionsBoundary": boundary_arn}}))


def test_delegated_admin_creates_users_with_the_required_boundary(delegated_admin: Caller,
                                                                  boundary_arn: str,
                                                                  unique: str) -> None:
    user = delegated_admin.iam.create_user(UserName=f"wb-{unique}",
                                           PermissionsBoundary=boundary_arn)["User"]
    assert user["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary_arn


@pytest.mark.parametrize("boundary", [None, ADMIN], ids=["without-boundary", "other-boundary"])
def test_delegated_admin_cannot_create_users_without_the_boundary(
        delegated_admin: Caller, unique: str, boundary: str | None) -> None:
    params = {"UserName": f"nb-{unique}"}
    if boundary:
        params["PermissionsBoundary"] = boundary
    denied_message(delegated_admin.iam.create_user, **params)


def test_permissions_boundary_condition_limits_put_user_permissions_boundary(
        make_caller: Any, iam: Any, boundary_arn: str, unique: str) -> None:
    caller = make_caller(allow("iam:PutUserPermissionsBoundary", condition={
        "StringEquals": {"iam:PermissionsBoundary": boundary_arn}}))
    iam.create_user(UserName=f"pb-{unique}")
    caller.iam.put_user_permissions_boundary(UserName=f"pb-{unique}",
                                             PermissionsBoundary=boundary_arn)
    denied_message(caller.iam.put_user_permissions_boundary, UserName=f"pb-{unique}",
                   PermissionsBoundary=ADMIN)


def test_add_role_to_instance_profile_needs_pass_role(make_caller: Any, iam: Any,
                                                      account: str, unique: str) -> None:
    # "The caller of this operation must be granted the PassRole permission on the IAM
    # role" (AddRoleToInstanceProfile, IAM API reference).
    caller = make_caller(allow("iam:AddRoleToInstanceProfile"))
    iam.create_role(RoleName=f"pr-{unique}", AssumeRolePolicyDocument=TRUST_EC2)
    iam.create_instance_profile(InstanceProfileName=f"ip-{unique}")
    message = denied_message(caller.iam.add_role_to_instance_profile,
                             InstanceProfileName=f"ip-{unique}", RoleName=f"pr-{unique}")
    assert (f"iam:PassRole on resource: arn:aws:iam::{account}:role/pr-{unique} because"
            in message)


def test_pass_role_to_ec2_allows_add_role_to_instance_profile(make_caller: Any, iam: Any,
                                                              account: str,
                                                              unique: str) -> None:
    caller = make_caller(
        allow("iam:AddRoleToInstanceProfile"),
        allow("iam:PassRole", f"arn:aws:iam::{account}:role/pr-{unique}", condition={
            "StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}))
    iam.create_role(RoleName=f"pr-{unique}", AssumeRolePolicyDocument=TRUST_EC2)
    iam.create_instance_profile(InstanceProfileName=f"ip-{unique}")
    caller.iam.add_role_to_instance_profile(InstanceProfileName=f"ip-{unique}",
                                            RoleName=f"pr-{unique}")
    roles = iam.get_instance_profile(InstanceProfileName=f"ip-{unique}")["InstanceProfile"]
    assert [r["RoleName"] for r in roles["Roles"]] == [f"pr-{unique}"]


# --- global condition keys


@pytest.mark.parametrize(("condition", "allowed"), [
    ({"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}, True),
    ({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "127.0.0.1/32"]}}, True),
    ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, False),
    ({"NotIpAddress": {"aws:SourceIp": "127.0.0.0/8"}}, False),
], ids=["loopback-net", "one-of-two", "other-net", "not-loopback"])
def test_source_ip_condition(make_caller: Any, condition: dict[str, Any],
                             allowed: bool) -> None:
    # The test server is reached over 127.0.0.1, which is what aws:SourceIp sees.
    caller = make_caller(allow("iam:ListUsers", condition=condition))
    if allowed:
        caller.iam.list_users()
    else:
        denied_message(caller.iam.list_users)


def test_requested_region_condition(server: RunningServer, make_caller: Any) -> None:
    caller = make_caller(allow("iam:ListUsers", condition={
        "StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))
    server.client("iam", caller.key, region="eu-west-1").list_users()
    denied_message(server.client("iam", caller.key, region="us-east-1").list_users)


@pytest.fixture
def self_service(make_caller: Any, account: str) -> Caller:
    """The IAM User Guide's self-service example: manage your own access keys."""
    return make_caller(allow(  # type: ignore[no-any-return]
        ["iam:CreateAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey",
         "iam:DeleteAccessKey"], f"arn:aws:iam::{account}:user/${{aws:username}}"))


def test_username_variable_lets_a_user_manage_its_own_keys(self_service: Caller) -> None:
    created = self_service.iam.create_access_key(UserName=self_service.name)["AccessKey"]
    listed = self_service.iam.list_access_keys(UserName=self_service.name)["AccessKeyMetadata"]
    assert created["AccessKeyId"] in [k["AccessKeyId"] for k in listed]
    self_service.iam.update_access_key(UserName=self_service.name,
                                       AccessKeyId=created["AccessKeyId"], Status="Inactive")
    self_service.iam.delete_access_key(UserName=self_service.name,
                                       AccessKeyId=created["AccessKeyId"])


def test_username_variable_works_without_naming_the_user(self_service: Caller) -> None:
    listed = self_service.iam.list_access_keys()["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in listed] == [self_service.key[0]]


def test_username_variable_denies_other_users_keys(self_service: Caller, iam: Any,
                                                   unique: str) -> None:
    iam.create_user(UserName=f"other-{unique}")
    denied_message(self_service.iam.list_access_keys, UserName=f"other-{unique}")
    denied_message(self_service.iam.create_access_key, UserName=f"other-{unique}")


# --- forbidden before not found


@pytest.mark.parametrize(("method", "params"), [
    ("get_user", {"UserName": "ghost"}),
    ("delete_user", {"UserName": "ghost"}),
    ("list_user_tags", {"UserName": "ghost"}),
    ("list_access_keys", {"UserName": "ghost"}),
    ("list_groups_for_user", {"UserName": "ghost"}),
    ("get_group", {"GroupName": "ghost"}),
    ("get_role", {"RoleName": "ghost"}),
    ("get_instance_profile", {"InstanceProfileName": "ghost"}),
    ("get_user_policy", {"UserName": "ghost", "PolicyName": "p"}),
    ("get_policy", {"PolicyArn": "arn:aws:iam::{account}:policy/ghost"}),
])
def test_missing_entity_is_access_denied_without_permission(make_caller: Any, iam: Any,
                                                            account: str, unique: str,
                                                            method: str,
                                                            params: dict[str, str]) -> None:
    caller = make_caller()
    params = {k: v.replace("ghost", f"ghost-{unique}").format(account=account)
              for k, v in params.items()}
    denied_message(getattr(caller.iam, method), **params)
    with pytest.raises(ClientError) as exc:  # and root learns that it does not exist
        getattr(iam, method)(**params)
    assert denial(exc)[:2] == ("NoSuchEntity", 404)


def test_missing_user_is_no_such_entity_with_permission(make_caller: Any, unique: str) -> None:
    caller = make_caller(allow("iam:GetUser"))
    with pytest.raises(ClientError) as exc:
        caller.iam.get_user(UserName=f"ghost-{unique}")
    assert denial(exc) == ("NoSuchEntity", 404,
                           f"The user with name ghost-{unique} cannot be found.")


# --- changes take effect on the next request


def test_put_deny_takes_effect_on_the_next_request(make_caller: Any, iam: Any) -> None:
    caller = make_caller(allow("iam:ListUsers"))
    caller.iam.list_users()
    iam.put_user_policy(UserName=caller.name, PolicyName="stop",
                        PolicyDocument=document(deny("iam:ListUsers")))
    denied_message(caller.iam.list_users)
    iam.delete_user_policy(UserName=caller.name, PolicyName="stop")
    caller.iam.list_users()


def test_attached_managed_deny_takes_effect_on_the_next_request(make_caller: Any, iam: Any,
                                                                unique: str) -> None:
    arn = iam.create_policy(PolicyName=f"stop-{unique}",
                            PolicyDocument=document(deny("iam:*")))["Policy"]["Arn"]
    caller = make_caller(allow("iam:ListUsers"))
    caller.iam.list_users()
    iam.attach_user_policy(UserName=caller.name, PolicyArn=arn)
    assert "explicit deny" in denied_message(caller.iam.list_users)


def test_new_policy_version_takes_effect_on_the_next_request(make_caller: Any, iam: Any,
                                                             unique: str) -> None:
    arn = iam.create_policy(PolicyName=f"v-{unique}",
                            PolicyDocument=document(allow("iam:ListUsers")))["Policy"]["Arn"]
    caller = make_caller()
    iam.attach_user_policy(UserName=caller.name, PolicyArn=arn)
    caller.iam.list_users()
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=document(allow("iam:ListRoles")),
                              SetAsDefault=True)
    denied_message(caller.iam.list_users)
    caller.iam.list_roles()


def test_group_membership_change_takes_effect_on_the_next_request(make_caller: Any, iam: Any,
                                                                  unique: str) -> None:
    iam.create_group(GroupName=f"m-{unique}")
    iam.put_group_policy(GroupName=f"m-{unique}", PolicyName="p",
                         PolicyDocument=document(allow("iam:ListUsers")))
    caller = make_caller()
    iam.add_user_to_group(GroupName=f"m-{unique}", UserName=caller.name)
    caller.iam.list_users()
    iam.remove_user_from_group(GroupName=f"m-{unique}", UserName=caller.name)
    denied_message(caller.iam.list_users)


@pytest.fixture(params=["sqlite", "postgres"])
def two_workers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningServer]:
    if request.param == "sqlite":
        with run_server(tmp_path / "data", workers=2) as running:
            yield running
    else:
        with postgres_database() as url, run_server(tmp_path / "data", url,
                                                    workers=2) as running:
            yield running


def test_deny_takes_effect_on_every_worker_at_once(two_workers: RunningServer) -> None:
    root = two_workers.client("iam")
    root.create_user(UserName="w")
    root.put_user_policy(UserName="w", PolicyName="allow",
                         PolicyDocument=document(allow("iam:ListUsers")))
    created = root.create_access_key(UserName="w")["AccessKey"]
    key = (created["AccessKeyId"], created["SecretAccessKey"])
    # Each client keeps its own connection, which one of the two workers accepted: several
    # clients spread over both, and each warms its worker's cache for this user.
    clients = [two_workers.client("iam", key) for _ in range(8)]
    for _ in range(3):
        for client in clients:
            client.list_users()
    root.put_user_policy(UserName="w", PolicyName="stop",
                         PolicyDocument=document(deny("iam:ListUsers")))
    for client in clients:
        assert "explicit deny" in denied_message(client.list_users)
    root.delete_user_policy(UserName="w", PolicyName="stop")
    for client in clients:
        client.list_users()

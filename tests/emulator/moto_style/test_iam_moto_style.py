"""A suite written the way moto's server-mode tests are, run against Sekisho unchanged.

Fake credentials come from the environment, every client is built with
`endpoint_url`, state is reset before each test, and the account is 123456789012.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.emulator.moto_style.conftest import endpoint

ACCOUNT_ID = "123456789012"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"},
    "Action": "sts:AssumeRole"}]})
S3_READ = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}]})


def client(service: str) -> Any:
    return boto3.client(service, region_name="us-east-1", endpoint_url=endpoint())


def test_get_caller_identity_reports_the_default_account() -> None:
    identity = client("sts").get_caller_identity()
    assert identity["Account"] == ACCOUNT_ID


def test_create_and_get_user() -> None:
    conn = client("iam")
    created = conn.create_user(UserName="my-user", Path="/team/")["User"]
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:user/team/my-user"
    fetched = conn.get_user(UserName="my-user")["User"]
    assert fetched["UserId"] == created["UserId"]


def test_list_users_is_empty_after_the_reset() -> None:
    assert client("iam").list_users()["Users"] == []


def test_create_user_twice_is_entity_already_exists() -> None:
    conn = client("iam")
    conn.create_user(UserName="my-user")
    with pytest.raises(ClientError) as exc:
        conn.create_user(UserName="my-user")
    assert exc.value.response["Error"]["Code"] == "EntityAlreadyExists"


def test_get_missing_user_is_no_such_entity() -> None:
    with pytest.raises(ClientError) as exc:
        client("iam").get_user(UserName="nobody")
    err = exc.value.response["Error"]
    assert err["Code"] == "NoSuchEntity"
    assert err["Message"] == "The user with name nobody cannot be found."


def test_access_keys_lifecycle() -> None:
    conn = client("iam")
    conn.create_user(UserName="my-user")
    key = conn.create_access_key(UserName="my-user")["AccessKey"]
    assert key["Status"] == "Active"
    conn.update_access_key(UserName="my-user", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    listed = conn.list_access_keys(UserName="my-user")["AccessKeyMetadata"]
    assert [(k["AccessKeyId"], k["Status"]) for k in listed] == [(key["AccessKeyId"], "Inactive")]
    conn.delete_access_key(UserName="my-user", AccessKeyId=key["AccessKeyId"])
    assert conn.list_access_keys(UserName="my-user")["AccessKeyMetadata"] == []


def test_managed_policy_attach_and_list() -> None:
    conn = client("iam")
    arn = conn.create_policy(PolicyName="s3-read", PolicyDocument=S3_READ)["Policy"]["Arn"]
    assert arn == f"arn:aws:iam::{ACCOUNT_ID}:policy/s3-read"
    conn.create_role(RoleName="my-role", AssumeRolePolicyDocument=TRUST)
    conn.attach_role_policy(RoleName="my-role", PolicyArn=arn)
    attached = conn.list_attached_role_policies(RoleName="my-role")["AttachedPolicies"]
    assert attached == [{"PolicyName": "s3-read", "PolicyArn": arn}]


def test_inline_policy_roundtrip() -> None:
    conn = client("iam")
    conn.create_user(UserName="my-user")
    conn.put_user_policy(UserName="my-user", PolicyName="inline", PolicyDocument=S3_READ)
    got = conn.get_user_policy(UserName="my-user", PolicyName="inline")
    assert got["PolicyDocument"] == json.loads(S3_READ)


def test_groups_and_membership() -> None:
    conn = client("iam")
    conn.create_group(GroupName="devs")
    conn.create_user(UserName="my-user")
    conn.add_user_to_group(GroupName="devs", UserName="my-user")
    members = conn.get_group(GroupName="devs")["Users"]
    assert [u["UserName"] for u in members] == ["my-user"]
    groups = conn.list_groups_for_user(UserName="my-user")["Groups"]
    assert [g["GroupName"] for g in groups] == ["devs"]


def test_role_assumed_by_a_user_of_the_account() -> None:
    conn = client("iam")
    conn.create_role(RoleName="my-role", AssumeRolePolicyDocument=TRUST)
    conn.create_user(UserName="assumer")
    conn.put_user_policy(UserName="assumer", PolicyName="assume", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Resource": "*"}]}))
    key = conn.create_access_key(UserName="assumer")["AccessKey"]
    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=endpoint(),
                       aws_access_key_id=key["AccessKeyId"],
                       aws_secret_access_key=key["SecretAccessKey"])
    assumed = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/my-role",
                              RoleSessionName="session")
    assert assumed["AssumedRoleUser"]["Arn"] == \
        f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/my-role/session"
    assert assumed["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_account_alias() -> None:
    conn = client("iam")
    conn.create_account_alias(AccountAlias="my-alias")
    assert conn.list_account_aliases()["AccountAliases"] == ["my-alias"]


def test_list_roles_pagination() -> None:
    conn = client("iam")
    for i in range(3):
        conn.create_role(RoleName=f"role-{i}", AssumeRolePolicyDocument=TRUST)
    first = conn.list_roles(MaxItems=2)
    assert first["IsTruncated"] is True
    rest = conn.list_roles(Marker=first["Marker"])
    names = [r["RoleName"] for r in first["Roles"] + rest["Roles"]]
    assert names == ["role-0", "role-1", "role-2"]

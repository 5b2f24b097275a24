"""GetAccountAuthorizationDetails, as the IAM API reference describes it: users, groups,
roles and managed policies with their relationships, `Filter`, pagination across the
combined list, and URL-encoded policy documents."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.server import RunningServer

S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
TRUST = {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                        "Action": "sts:AssumeRole"}]}


def doc(action: str = "s3:GetObject") -> str:
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})


def everything(iam: Any, **params: Any) -> dict[str, list[dict[str, Any]]]:
    """All pages of GetAccountAuthorizationDetails, merged."""
    merged: dict[str, list[dict[str, Any]]] = {"UserDetailList": [], "GroupDetailList": [],
                                               "RoleDetailList": [], "Policies": []}
    marker: str | None = None
    while True:
        page = iam.get_account_authorization_details(
            **params, **({"Marker": marker} if marker else {}))
        for key in merged:
            merged[key] += page.get(key, [])
        marker = page.get("Marker")
        if not page["IsTruncated"]:
            return merged


def by_name(items: list[dict[str, Any]], key: str, name: str) -> dict[str, Any]:
    return next(i for i in items if i[key] == name)


@pytest.fixture
def setup(iam: Any, unique: str) -> dict[str, str]:
    """A user in a group, a role in an instance profile, a customer managed policy."""
    names = {"user": f"aad-u-{unique}", "group": f"aad-g-{unique}", "role": f"aad-r-{unique}",
             "profile": f"aad-ip-{unique}", "policy": f"aad-p-{unique}"}
    iam.create_user(UserName=names["user"], Tags=[{"Key": "team", "Value": "blue"}],
                    PermissionsBoundary=S3_READ)
    iam.create_group(GroupName=names["group"])
    iam.add_user_to_group(GroupName=names["group"], UserName=names["user"])
    iam.put_user_policy(UserName=names["user"], PolicyName="inline-u", PolicyDocument=doc())
    iam.put_group_policy(GroupName=names["group"], PolicyName="inline-g",
                         PolicyDocument=doc("sqs:*"))
    arn = iam.create_policy(PolicyName=names["policy"], PolicyDocument=doc("sns:*"),
                            Description="for the test")["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("sns:Publish"),
                              SetAsDefault=True)
    names["policy_arn"] = arn
    iam.attach_user_policy(UserName=names["user"], PolicyArn=arn)
    iam.attach_group_policy(GroupName=names["group"], PolicyArn=S3_READ)
    iam.create_role(RoleName=names["role"], AssumeRolePolicyDocument=json.dumps(TRUST),
                    Tags=[{"Key": "env", "Value": "test"}])
    iam.put_role_policy(RoleName=names["role"], PolicyName="inline-r", PolicyDocument=doc())
    iam.attach_role_policy(RoleName=names["role"], PolicyArn=arn)
    iam.create_instance_profile(InstanceProfileName=names["profile"])
    iam.add_role_to_instance_profile(InstanceProfileName=names["profile"],
                                     RoleName=names["role"])
    return names


def test_user_detail_lists_policies_groups_tags_and_boundary(iam: Any,
                                                             setup: dict[str, str]) -> None:
    user = by_name(everything(iam)["UserDetailList"], "UserName", setup["user"])
    assert user["UserPolicyList"] == [{"PolicyName": "inline-u",
                                       "PolicyDocument": json.loads(doc())}]
    assert user["GroupList"] == [setup["group"]]
    assert user["AttachedManagedPolicies"] == [{"PolicyName": setup["policy"],
                                                "PolicyArn": setup["policy_arn"]}]
    assert user["Tags"] == [{"Key": "team", "Value": "blue"}]
    assert user["PermissionsBoundary"] == {"PermissionsBoundaryType":
                                           "PermissionsBoundaryPolicy",
                                           "PermissionsBoundaryArn": S3_READ}
    assert user["UserId"].startswith("AIDA") and user["Arn"].endswith(f":user/{setup['user']}")


def test_group_detail_lists_inline_and_attached_policies(iam: Any,
                                                         setup: dict[str, str]) -> None:
    group = by_name(everything(iam)["GroupDetailList"], "GroupName", setup["group"])
    assert group["GroupPolicyList"] == [{"PolicyName": "inline-g",
                                         "PolicyDocument": json.loads(doc("sqs:*"))}]
    assert group["AttachedManagedPolicies"] == [{"PolicyName": "AmazonS3ReadOnlyAccess",
                                                 "PolicyArn": S3_READ}]


def test_role_detail_has_trust_policy_profiles_and_last_use(iam: Any,
                                                            setup: dict[str, str]) -> None:
    role = by_name(everything(iam)["RoleDetailList"], "RoleName", setup["role"])
    assert role["AssumeRolePolicyDocument"] == TRUST
    assert role["RolePolicyList"] == [{"PolicyName": "inline-r",
                                       "PolicyDocument": json.loads(doc())}]
    assert role["AttachedManagedPolicies"] == [{"PolicyName": setup["policy"],
                                                "PolicyArn": setup["policy_arn"]}]
    assert role["Tags"] == [{"Key": "env", "Value": "test"}]
    assert role["RoleLastUsed"] == {}
    [profile] = role["InstanceProfileList"]
    assert profile["InstanceProfileName"] == setup["profile"]
    assert [r["RoleName"] for r in profile["Roles"]] == [setup["role"]]


def test_policies_hold_every_version_of_customer_managed_policies(
        iam: Any, setup: dict[str, str]) -> None:
    policy = by_name(everything(iam)["Policies"], "Arn", setup["policy_arn"])
    assert (policy["PolicyName"], policy["DefaultVersionId"], policy["AttachmentCount"],
            policy["IsAttachable"], policy["Description"]) == (
        setup["policy"], "v2", 2, True, "for the test")
    versions = {v["VersionId"]: (v["IsDefaultVersion"], v["Document"])
                for v in policy["PolicyVersionList"]}
    assert versions == {"v1": (False, json.loads(doc("sns:*"))),
                        "v2": (True, json.loads(doc("sns:Publish")))}


def test_aws_managed_policies_appear_only_when_used(iam: Any,
                                                    setup: dict[str, str]) -> None:
    arns = {p["Arn"] for p in everything(iam)["Policies"]}
    assert S3_READ in arns
    assert "arn:aws:iam::aws:policy/AWSCloudTrail_ReadOnlyAccess" not in arns
    assert all(p["AttachmentCount"] or p["PermissionsBoundaryUsageCount"]
               for p in everything(iam, Filter=["AWSManagedPolicy"])["Policies"])


@pytest.mark.parametrize(("filters", "present"), [
    (["User"], {"UserDetailList"}),
    (["Group"], {"GroupDetailList"}),
    (["Role"], {"RoleDetailList"}),
    (["LocalManagedPolicy"], {"Policies"}),
    (["User", "Role"], {"UserDetailList", "RoleDetailList"}),
])
def test_filter_keeps_only_the_kinds_it_names(iam: Any, setup: dict[str, str],
                                              filters: list[str], present: set[str]) -> None:
    found = everything(iam, Filter=filters)
    assert {k for k, v in found.items() if v} == present


def test_filter_separates_local_and_aws_managed_policies(iam: Any,
                                                         setup: dict[str, str]) -> None:
    local = {p["Arn"] for p in everything(iam, Filter=["LocalManagedPolicy"])["Policies"]}
    aws = {p["Arn"] for p in everything(iam, Filter=["AWSManagedPolicy"])["Policies"]}
    assert setup["policy_arn"] in local and setup["policy_arn"] not in aws
    assert S3_READ in aws and S3_READ not in local


def test_pages_walk_the_combined_list_without_gaps(iam: Any, setup: dict[str, str]) -> None:
    whole = iam.get_account_authorization_details(MaxItems=1000)
    paged = everything(iam, MaxItems=2)
    for key in paged:
        assert [json.dumps(i, sort_keys=True, default=str) for i in paged[key]] == [
            json.dumps(i, sort_keys=True, default=str) for i in whole[key]]


def test_max_items_truncates_with_a_marker(iam: Any, setup: dict[str, str]) -> None:
    page = iam.get_account_authorization_details(MaxItems=1)
    assert page["IsTruncated"] is True and page["Marker"]
    assert sum(len(page[k]) for k in ("UserDetailList", "GroupDetailList", "RoleDetailList",
                                      "Policies")) == 1


def test_bad_marker_is_invalid_input(iam: Any) -> None:
    with pytest.raises(ClientError) as exc:
        iam.get_account_authorization_details(Marker="not-a-marker")
    assert exc.value.response["Error"]["Code"] == "InvalidInput"


def test_documents_are_url_encoded_on_the_wire(iam: Any, setup: dict[str, str]) -> None:
    bodies: list[bytes] = []

    def capture(response_dict: dict[str, Any], **_: Any) -> None:
        bodies.append(response_dict["body"])

    iam.meta.events.register("before-parse.iam.GetAccountAuthorizationDetails", capture)
    iam.get_account_authorization_details(Filter=["Role"], MaxItems=1000)
    text = bodies[0].decode()
    encoded = urllib.parse.quote(json.dumps(TRUST), safe="")
    assert f"<AssumeRolePolicyDocument>{encoded}</AssumeRolePolicyDocument>" in text
    assert f"<PolicyDocument>{urllib.parse.quote(doc(), safe='')}</PolicyDocument>" in text


def test_needs_permission_for_the_account(server: RunningServer, iam: Any,
                                          unique: str) -> None:
    iam.create_user(UserName=f"aad-np-{unique}")
    key = iam.create_access_key(UserName=f"aad-np-{unique}")["AccessKey"]
    client = server.client("iam", (key["AccessKeyId"], key["SecretAccessKey"]))
    with pytest.raises(ClientError) as exc:
        client.get_account_authorization_details()
    err = exc.value.response["Error"]
    assert err["Code"] == "AccessDenied"
    assert "iam:GetAccountAuthorizationDetails on resource: *" in err["Message"]

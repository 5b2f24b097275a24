"""Managed policies, as the IAM API reference describes CreatePolicy, GetPolicy,
ListPolicies, DeletePolicy, the version operations, policy tags, attaching and
detaching, ListAttached*Policies, ListEntitiesForPolicy, and AWS managed
policies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_aws_cli import aws
from tests.support.server import RunningServer

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
VIEW_ONLY = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
SERVICE_ROLE_POLICY = "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy"
TRUST = {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                        "Action": "sts:AssumeRole"}]}


def doc(action: str = "s3:GetObject", resource: str = "*") -> str:
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": action,
                                      "Resource": resource}]})


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    err = exc.value.response
    return (err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"],
            err["Error"]["Message"])


def account_of(sts: Any) -> str:
    return str(sts.get_caller_identity()["Account"])


def make_policy(iam: Any, name: str, **extra: Any) -> dict[str, Any]:
    policy: dict[str, Any] = iam.create_policy(PolicyName=name, PolicyDocument=doc(),
                                               **extra)["Policy"]
    return policy


# --- CreatePolicy, GetPolicy


def test_create_policy_returns_policy_with_aws_formats(iam: Any, sts: Any, unique: str) -> None:
    policy = make_policy(iam, f"p-{unique}", Path="/team/", Description="reads")
    assert policy["Arn"] == f"arn:aws:iam::{account_of(sts)}:policy/team/p-{unique}"
    assert policy["PolicyId"].startswith("ANPA") and len(policy["PolicyId"]) == 21
    assert (policy["DefaultVersionId"], policy["AttachmentCount"],
            policy["PermissionsBoundaryUsageCount"], policy["IsAttachable"]) == ("v1", 0, 0, True)
    assert policy["CreateDate"].tzinfo is not None


def test_get_policy_shows_description_and_tags(iam: Any, unique: str) -> None:
    arn = make_policy(iam, f"g-{unique}", Description="d",
                      Tags=[{"Key": "team", "Value": "red"}])["Arn"]
    got = iam.get_policy(PolicyArn=arn)["Policy"]
    assert got["Description"] == "d"
    assert got["Tags"] == [{"Key": "team", "Value": "red"}]


def test_create_policy_twice_is_entity_already_exists(iam: Any, unique: str) -> None:
    make_policy(iam, f"dup-{unique}")
    with pytest.raises(ClientError) as exc:
        make_policy(iam, f"DUP-{unique}", Path="/other/")
    assert error_of(exc) == ("EntityAlreadyExists", 409,
                             f"A policy called DUP-{unique} already exists. Duplicate names "
                             "are not allowed.")


def test_create_policy_with_malformed_document_is_rejected(iam: Any, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.create_policy(PolicyName=f"bad-{unique}", PolicyDocument='{"Version": "2012-10-17"')
    assert error_of(exc)[:2] == ("MalformedPolicyDocument", 400)


def test_create_policy_with_trust_policy_elements_is_malformed(iam: Any, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.create_policy(PolicyName=f"trust-{unique}", PolicyDocument=json.dumps(TRUST))
    assert error_of(exc)[0] == "MalformedPolicyDocument"


def test_policy_size_counts_without_white_space(iam: Any, unique: str) -> None:
    # 6,144 characters of policy once white space is dropped is accepted; one more is not.
    base = json.loads(doc("s3:GetObject", "arn:aws:s3:::b/"))
    compact = json.dumps(base, separators=(",", ":"))
    filler = 6144 - len(compact)
    base["Statement"][0]["Resource"] = "arn:aws:s3:::b/" + "x" * filler
    fits = json.dumps(base, indent=8)
    iam.create_policy(PolicyName=f"fits-{unique}", PolicyDocument=fits)
    base["Statement"][0]["Resource"] += "x"
    with pytest.raises(ClientError) as exc:
        iam.create_policy(PolicyName=f"big-{unique}", PolicyDocument=json.dumps(base))
    assert error_of(exc) == ("LimitExceeded", 409, "Cannot exceed quota for PolicySize: 6144")


def test_get_missing_policy_is_no_such_entity(iam: Any, sts: Any, unique: str) -> None:
    arn = f"arn:aws:iam::{account_of(sts)}:policy/none-{unique}"
    with pytest.raises(ClientError) as exc:
        iam.get_policy(PolicyArn=arn)
    assert error_of(exc) == ("NoSuchEntity", 404, f"Policy {arn} was not found.")


# --- AWS managed policies


def test_aws_managed_policy_is_real_data(iam: Any) -> None:
    policy = iam.get_policy(PolicyArn=ADMIN)["Policy"]
    assert (policy["PolicyName"], policy["PolicyId"], policy["Path"],
            policy["DefaultVersionId"]) == ("AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK", "/",
                                            "v1")
    version = iam.get_policy_version(PolicyArn=ADMIN, VersionId="v1")["PolicyVersion"]
    assert version["Document"]["Statement"] == [{"Effect": "Allow", "Action": "*",
                                                 "Resource": "*"}]
    assert version["IsDefaultVersion"] is True


@pytest.mark.parametrize("arn", [
    READ_ONLY, VIEW_ONLY, "arn:aws:iam::aws:policy/PowerUserAccess",
    "arn:aws:iam::aws:policy/IAMUserChangePassword", "arn:aws:iam::aws:policy/SecurityAudit",
    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    "arn:aws:iam::aws:policy/AWSLambda_FullAccess",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", SERVICE_ROLE_POLICY,
])
def test_well_known_aws_managed_policies_exist(iam: Any, arn: str) -> None:
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    version = iam.get_policy_version(PolicyArn=arn,
                                     VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    assert policy["Arn"] == arn
    assert version["Document"]["Statement"]


def test_read_only_access_is_the_large_real_document(iam: Any) -> None:
    version = iam.get_policy_version(
        PolicyArn=READ_ONLY,
        VersionId=iam.get_policy(PolicyArn=READ_ONLY)["Policy"]["DefaultVersionId"])
    actions = [a for s in version["PolicyVersion"]["Document"]["Statement"]
               for a in s.get("Action", [])]
    assert len(actions) > 500 and "s3:Get*" in actions


@pytest.mark.parametrize("call", [
    lambda iam: iam.delete_policy(PolicyArn=ADMIN),
    lambda iam: iam.create_policy_version(PolicyArn=ADMIN, PolicyDocument=doc()),
    lambda iam: iam.delete_policy_version(PolicyArn=ADMIN, VersionId="v1"),
    lambda iam: iam.set_default_policy_version(PolicyArn=ADMIN, VersionId="v1"),
    lambda iam: iam.tag_policy(PolicyArn=ADMIN, Tags=[{"Key": "k", "Value": "v"}]),
])
def test_aws_managed_policies_are_read_only(iam: Any, call: Any) -> None:
    with pytest.raises(ClientError) as exc:
        call(iam)
    code, status, message = error_of(exc)
    assert (code, status) == ("AccessDenied", 403)
    assert ADMIN in message


def test_list_policies_scope_aws_lists_only_aws_managed(iam: Any, unique: str) -> None:
    make_policy(iam, f"local-{unique}")
    arns = [p["Arn"] for page in iam.get_paginator("list_policies").paginate(Scope="AWS")
            for p in page["Policies"]]
    assert ADMIN in arns and len(arns) > 1000
    assert all(a.startswith("arn:aws:iam::aws:policy/") for a in arns)


def test_list_policies_scope_local_lists_only_the_accounts(iam: Any, unique: str) -> None:
    arn = make_policy(iam, f"only-{unique}", Path=f"/{unique}/")["Arn"]
    listed = iam.list_policies(Scope="Local", PathPrefix=f"/{unique}/")["Policies"]
    assert [p["Arn"] for p in listed] == [arn]
    assert "Tags" not in listed[0] and "Description" not in listed[0]


def test_list_policies_path_prefix_finds_job_function_policies(iam: Any) -> None:
    listed = iam.list_policies(Scope="AWS", PathPrefix="/job-function/")["Policies"]
    assert VIEW_ONLY in [p["Arn"] for p in listed]
    assert {p["Path"] for p in listed} == {"/job-function/"}


def test_list_policies_paginates_with_marker(iam: Any, unique: str) -> None:
    made = sorted(make_policy(iam, f"pg{i}-{unique}", Path=f"/pg{unique}/")["Arn"]
                  for i in range(5))
    first = iam.list_policies(Scope="Local", PathPrefix=f"/pg{unique}/", MaxItems=2)
    assert first["IsTruncated"] is True
    seen = [p["Arn"] for p in first["Policies"]]
    rest = iam.list_policies(Scope="Local", PathPrefix=f"/pg{unique}/", Marker=first["Marker"])
    seen += [p["Arn"] for p in rest["Policies"]]
    assert seen == made and rest["IsTruncated"] is False


def test_list_policies_only_attached(iam: Any, unique: str) -> None:
    attached = make_policy(iam, f"att-{unique}", Path=f"/oa{unique}/")["Arn"]
    make_policy(iam, f"free-{unique}", Path=f"/oa{unique}/")
    iam.create_user(UserName=f"u-{unique}")
    iam.attach_user_policy(UserName=f"u-{unique}", PolicyArn=attached)
    listed = iam.list_policies(OnlyAttached=True, PathPrefix=f"/oa{unique}/")["Policies"]
    assert [(p["Arn"], p["AttachmentCount"]) for p in listed] == [(attached, 1)]


def test_list_policies_usage_filter_permissions_boundary(iam: Any, unique: str) -> None:
    boundary = make_policy(iam, f"b-{unique}", Path=f"/uf{unique}/")["Arn"]
    make_policy(iam, f"nb-{unique}", Path=f"/uf{unique}/")
    iam.create_user(UserName=f"ub-{unique}", PermissionsBoundary=boundary)
    listed = iam.list_policies(PolicyUsageFilter="PermissionsBoundary",
                               PathPrefix=f"/uf{unique}/")["Policies"]
    assert [(p["Arn"], p["PermissionsBoundaryUsageCount"]) for p in listed] == [(boundary, 1)]


# --- DeletePolicy


def test_delete_policy_removes_it(iam: Any, unique: str) -> None:
    arn = make_policy(iam, f"del-{unique}")["Arn"]
    iam.delete_policy(PolicyArn=arn)
    with pytest.raises(ClientError) as exc:
        iam.get_policy(PolicyArn=arn)
    assert error_of(exc)[0] == "NoSuchEntity"


def test_delete_attached_policy_is_delete_conflict(iam: Any, unique: str) -> None:
    arn = make_policy(iam, f"dc-{unique}")["Arn"]
    iam.create_group(GroupName=f"g-{unique}")
    iam.attach_group_policy(GroupName=f"g-{unique}", PolicyArn=arn)
    with pytest.raises(ClientError) as exc:
        iam.delete_policy(PolicyArn=arn)
    assert error_of(exc) == ("DeleteConflict", 409, "Cannot delete a policy attached to entities.")


def test_delete_policy_with_versions_is_delete_conflict(iam: Any, unique: str) -> None:
    arn = make_policy(iam, f"dv-{unique}")["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("s3:PutObject"))
    with pytest.raises(ClientError) as exc:
        iam.delete_policy(PolicyArn=arn)
    assert error_of(exc) == ("DeleteConflict", 409,
                             "This policy has more than one version. Before you delete a "
                             "policy, you must delete the policy's versions. The default "
                             "version is deleted with the policy.")


# --- versions


def test_create_policy_version_numbers_versions_and_sets_default(iam: Any, unique: str) -> None:
    arn = make_policy(iam, f"ver-{unique}")["Arn"]
    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("s3:PutObject"))
    v3 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("s3:ListBucket"),
                                   SetAsDefault=True)
    assert (v2["PolicyVersion"]["VersionId"], v2["PolicyVersion"]["IsDefaultVersion"]) == (
        "v2", False)
    assert (v3["PolicyVersion"]["VersionId"], v3["PolicyVersion"]["IsDefaultVersion"]) == (
        "v3", True)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"


def test_get_policy_version_returns_the_document(iam: Any, unique: str) -> None:
    arn = make_policy(iam, f"gv-{unique}")["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("s3:Put*", "arn:aws:s3:::a b"))
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]
    assert version["Document"]["Statement"][0] == {"Effect": "Allow", "Action": "s3:Put*",
                                                   "Resource": "arn:aws:s3:::a b"}
    assert version["IsDefaultVersion"] is False


def test_policy_version_document_is_url_encoded_on_the_wire(server: RunningServer,
                                                           unique: str) -> None:
    iam = server.client("iam")
    arn = make_policy(iam, f"raw-{unique}")["Arn"]
    seen: list[bytes] = []
    iam.meta.events.register("after-call.iam.GetPolicyVersion",
                             lambda http_response, **_: seen.append(http_response.content))
    iam.get_policy_version(PolicyArn=arn, VersionId="v1")
    assert b"%7B%22Version%22%3A%20%222012-10-17%22" in seen[0]


def test_sixth_version_is_limit_exceeded(iam: Any, unique: str) -> None:
    arn = make_policy(iam, f"five-{unique}")["Arn"]
    for i in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(f"s3:Get{i}"))
    with pytest.raises(ClientError) as exc:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc())
    assert error_of(exc) == ("LimitExceeded", 409,
                             "A managed policy can have up to 5 versions. Before you create a "
                             "new version, you must delete an existing version.")


def test_version_ids_are_never_reused(iam: Any, unique: str) -> None:
    arn = make_policy(iam, f"reuse-{unique}")["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc())
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    again = iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc())
    assert again["PolicyVersion"]["VersionId"] == "v3"


def test_list_policy_versions_newest_first(iam: Any, unique: str) -> None:
    arn = make_policy(iam, f"lv-{unique}")["Arn"]
    for _ in range(2):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc())
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [
        ("v3", False), ("v2", False), ("v1", True)]
    assert all("Document" not in v for v in versions)


def test_delete_default_version_is_delete_conflict(iam: Any, unique: str) -> None:
    arn = make_policy(iam, f"dd-{unique}")["Arn"]
    with pytest.raises(ClientError) as exc:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    assert error_of(exc) == ("DeleteConflict", 409,
                             "Cannot delete the default version of a policy.")


def test_missing_version_is_no_such_entity(iam: Any, unique: str) -> None:
    arn = make_policy(iam, f"mv-{unique}")["Arn"]
    with pytest.raises(ClientError) as exc:
        iam.get_policy_version(PolicyArn=arn, VersionId="v9")
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"Policy {arn} version v9 does not exist or is not attachable.")


def test_set_default_policy_version(iam: Any, unique: str) -> None:
    arn = make_policy(iam, f"sd-{unique}")["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("s3:PutObject"))
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v2")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
    iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    assert [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]] == ["v2"]


# --- tags


def test_tag_untag_and_list_policy_tags(iam: Any, unique: str) -> None:
    arn = make_policy(iam, f"t-{unique}")["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.untag_policy(PolicyArn=arn, TagKeys=["a"])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]


# --- attachments


def test_attach_and_list_attached_user_policies(iam: Any, unique: str) -> None:
    arn = make_policy(iam, f"au-{unique}", Path="/x/")["Arn"]
    iam.create_user(UserName=f"au-{unique}")
    iam.attach_user_policy(UserName=f"au-{unique}", PolicyArn=arn)
    iam.attach_user_policy(UserName=f"au-{unique}", PolicyArn=READ_ONLY)
    iam.attach_user_policy(UserName=f"au-{unique}", PolicyArn=arn)  # again: no change
    attached = iam.list_attached_user_policies(UserName=f"au-{unique}")["AttachedPolicies"]
    assert attached == [{"PolicyName": f"au-{unique}", "PolicyArn": arn},
                        {"PolicyName": "ReadOnlyAccess", "PolicyArn": READ_ONLY}]
    only_x = iam.list_attached_user_policies(UserName=f"au-{unique}", PathPrefix="/x/")
    assert [p["PolicyArn"] for p in only_x["AttachedPolicies"]] == [arn]


def test_attach_group_policy_and_detach(iam: Any, unique: str) -> None:
    iam.create_group(GroupName=f"ag-{unique}")
    iam.attach_group_policy(GroupName=f"ag-{unique}", PolicyArn=VIEW_ONLY)
    assert iam.get_policy(PolicyArn=VIEW_ONLY)["Policy"]["AttachmentCount"] >= 1
    iam.detach_group_policy(GroupName=f"ag-{unique}", PolicyArn=VIEW_ONLY)
    assert iam.list_attached_group_policies(GroupName=f"ag-{unique}")["AttachedPolicies"] == []


def test_attach_role_policy_and_list(iam: Any, unique: str) -> None:
    iam.create_role(RoleName=f"ar-{unique}", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.attach_role_policy(RoleName=f"ar-{unique}", PolicyArn=ADMIN)
    attached = iam.list_attached_role_policies(RoleName=f"ar-{unique}")["AttachedPolicies"]
    assert attached == [{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}]


def test_attach_missing_policy_is_no_such_entity(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"amp-{unique}")
    arn = "arn:aws:iam::aws:policy/NoSuchPolicyAtAll"
    with pytest.raises(ClientError) as exc:
        iam.attach_user_policy(UserName=f"amp-{unique}", PolicyArn=arn)
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"Policy {arn} does not exist or is not attachable.")


def test_attach_to_missing_user_is_no_such_entity(iam: Any, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.attach_user_policy(UserName=f"ghost-{unique}", PolicyArn=ADMIN)
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"The user with name ghost-{unique} cannot be found.")


def test_service_role_policy_is_not_attachable_to_customer_roles(iam: Any, unique: str) -> None:
    iam.create_role(RoleName=f"sr-{unique}", AssumeRolePolicyDocument=json.dumps(TRUST))
    with pytest.raises(ClientError) as exc:
        iam.attach_role_policy(RoleName=f"sr-{unique}", PolicyArn=SERVICE_ROLE_POLICY)
    assert error_of(exc) == ("PolicyNotAttachable", 400,
                             "Cannot attach a Service Role Policy to a Customer Role.")


def test_eleventh_managed_policy_is_limit_exceeded(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"q-{unique}")
    for i in range(10):
        arn = make_policy(iam, f"q{i}-{unique}")["Arn"]
        iam.attach_user_policy(UserName=f"q-{unique}", PolicyArn=arn)
    with pytest.raises(ClientError) as exc:
        iam.attach_user_policy(UserName=f"q-{unique}", PolicyArn=ADMIN)
    assert error_of(exc) == ("LimitExceeded", 409, "Cannot exceed quota for PoliciesPerUser: 10")


def test_detach_not_attached_policy_is_no_such_entity(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"dn-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.detach_user_policy(UserName=f"dn-{unique}", PolicyArn=ADMIN)
    assert error_of(exc) == ("NoSuchEntity", 404, f"Policy {ADMIN} was not found.")


def test_list_entities_for_policy_lists_each_kind(iam: Any, unique: str) -> None:
    arn = make_policy(iam, f"ent-{unique}")["Arn"]
    user = iam.create_user(UserName=f"eu-{unique}")["User"]
    group = iam.create_group(GroupName=f"eg-{unique}")["Group"]
    role = iam.create_role(RoleName=f"er-{unique}",
                           AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]
    iam.attach_user_policy(UserName=f"eu-{unique}", PolicyArn=arn)
    iam.attach_group_policy(GroupName=f"eg-{unique}", PolicyArn=arn)
    iam.attach_role_policy(RoleName=f"er-{unique}", PolicyArn=arn)
    out = iam.list_entities_for_policy(PolicyArn=arn)
    assert out["PolicyUsers"] == [{"UserName": f"eu-{unique}", "UserId": user["UserId"]}]
    assert out["PolicyGroups"] == [{"GroupName": f"eg-{unique}", "GroupId": group["GroupId"]}]
    assert out["PolicyRoles"] == [{"RoleName": f"er-{unique}", "RoleId": role["RoleId"]}]
    only_roles = iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")
    assert (only_roles["PolicyUsers"], len(only_roles["PolicyRoles"])) == ([], 1)


def test_list_entities_for_policy_usage_filter_boundary(iam: Any, unique: str) -> None:
    arn = make_policy(iam, f"eb-{unique}")["Arn"]
    iam.create_user(UserName=f"ebu-{unique}", PermissionsBoundary=arn)
    iam.create_user(UserName=f"eau-{unique}")
    iam.attach_user_policy(UserName=f"eau-{unique}", PolicyArn=arn)
    bounded = iam.list_entities_for_policy(PolicyArn=arn,
                                           PolicyUsageFilter="PermissionsBoundary")
    assert [u["UserName"] for u in bounded["PolicyUsers"]] == [f"ebu-{unique}"]
    permissions = iam.list_entities_for_policy(PolicyArn=arn,
                                               PolicyUsageFilter="PermissionsPolicy")
    assert [u["UserName"] for u in permissions["PolicyUsers"]] == [f"eau-{unique}"]


# --- deleting entities that still hold policies


def test_delete_user_with_attached_policy_is_delete_conflict(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"dua-{unique}")
    iam.attach_user_policy(UserName=f"dua-{unique}", PolicyArn=ADMIN)
    with pytest.raises(ClientError) as exc:
        iam.delete_user(UserName=f"dua-{unique}")
    assert error_of(exc) == ("DeleteConflict", 409,
                             "Cannot delete entity, must detach all policies first.")


def test_delete_group_with_attached_policy_is_delete_conflict(iam: Any, unique: str) -> None:
    iam.create_group(GroupName=f"dga-{unique}")
    iam.attach_group_policy(GroupName=f"dga-{unique}", PolicyArn=ADMIN)
    with pytest.raises(ClientError) as exc:
        iam.delete_group(GroupName=f"dga-{unique}")
    assert error_of(exc) == ("DeleteConflict", 409,
                             "Cannot delete entity, must detach all policies first.")


def test_aws_cli_lists_attached_user_policies(server: RunningServer, unique: str) -> None:
    iam = server.client("iam")
    iam.create_user(UserName=f"cli-{unique}")
    iam.attach_user_policy(UserName=f"cli-{unique}", PolicyArn=READ_ONLY)
    result = aws(server, "iam", "list-attached-user-policies", "--user-name", f"cli-{unique}")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["AttachedPolicies"] == [
        {"PolicyName": "ReadOnlyAccess", "PolicyArn": READ_ONLY}]
